package dev.roan.benchmarks;

import static dev.roan.benchmarks.Tables.POST;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.roan.jooq.Roan;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * 5. The naive peer: a transaction that updates a post and purges {@code /posts} synchronously before committing
 * (what a hand-written "purge in the service method" does), against the same transaction with Roan attached, which
 * purges after the commit in the background. The cache is a JDK HttpServer that answers each purge after 1 ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NaivePeer {

    @Param({"naive", "roan"})
    public String mode;

    private Connection connection;
    private DSLContext dsl;
    private Roan roan;
    private Endpoint cache;
    private HttpClient client;
    private HttpRequest purge;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        connection = Tables.open(1);
        cache = Endpoint.start(1);
        Configuration configuration = new DefaultConfiguration().set(connection).set(SQLDialect.H2);
        if (mode.equals("roan")) {
            roan = Roan.builder().purgeUrl(cache.purgeUrl()).build();
            roan.purge("/posts").onWrite(POST);
            dsl = DSL.using(roan.attach(configuration));
        } else {
            dsl = DSL.using(configuration);
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            purge = HttpRequest.newBuilder(URI.create(cache.purgeUrl() + "/posts")).timeout(Duration.ofSeconds(5)).build();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        if (roan != null) {
            roan.close();
        }
        cache.close();
        connection.close();
    }

    @Benchmark
    public void transaction() {
        dsl.transaction(tx -> {
            tx.dsl().update(POST).set(POST.TITLE, "t").where(POST.ID.eq(1L)).execute();
            if (purge != null) {
                try {
                    client.send(purge, HttpResponse.BodyHandlers.discarding());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }
}
