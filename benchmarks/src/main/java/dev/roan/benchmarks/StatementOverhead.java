package dev.roan.benchmarks;

import static dev.roan.benchmarks.Tables.AUDIT_LOG;
import static dev.roan.benchmarks.Tables.POST;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import dev.roan.jooq.Roan;
import org.jooq.BatchBindStep;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.ExecuteListener;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
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
 * 1. Statement overhead: the same jOOQ statement on H2 in memory, without Roan ({@code off}), with only a no-op
 * {@code ExecuteListener} ({@code listener}: what jOOQ itself costs once any listener is attached) and with Roan
 * attached and a rule {@code /posts} on POST ({@code roan}; {@code roan-rows} has the rule {@code /posts/{id}}
 * instead, a rule with a placeholder, which once made Roan add a record listener). {@code roan} purges to a closed loopback port: every purge is refused at once and
 * Resilience4j backs off for seconds, so the delivery threads are idle and the figure is the writer thread's own
 * cost. {@code roan-live} purges to a JDK HttpServer in the same JVM that answers at once, so the delivery threads
 * and the server compete with the writer for the cores, as in production on a small machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StatementOverhead {

    static final String PLAIN_UPDATE = "update post set title = ? where id = ?";

    @Param({"off", "roan"})
    public String mode;

    /** Set by the paired run for its PostgreSQL rows; null means H2 in memory. */
    dev.roan.testkit.Postgres postgres;

    /** Posts in the table, ids 1..ROWS: {@link #select100} reads them all. */
    static final int ROWS = 100;

    private Connection connection;
    private DSLContext dsl;
    private Roan roan;
    private Endpoint endpoint;
    private long slug;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        Configuration configuration;
        if (postgres == null) {
            connection = Tables.open(ROWS);
            configuration = new DefaultConfiguration().set(connection).set(SQLDialect.H2);
        } else {
            connection = Tables.openPostgres(postgres, ROWS);
            configuration = new DefaultConfiguration().set(connection).set(SQLDialect.POSTGRES)
                    .set(new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER));
        }
        switch (mode) {
            case "off":
                dsl = DSL.using(configuration);
                break;
            case "listener":
                dsl = DSL.using(configuration.derive(new ExecuteListener() {
                    private static final long serialVersionUID = 1L;
                }));
                break;
            case "roan":
            case "roan-rows":
            case "roan-live":
                String url;
                if (mode.equals("roan")) {
                    url = Endpoint.closedPortPurgeUrl();
                } else {
                    endpoint = Endpoint.start();
                    url = endpoint.purgeUrl();
                }
                roan = Roan.builder().purgeUrl(url).closeTimeout(java.time.Duration.ofMillis(100)).build();
                roan.purge(mode.equals("roan-rows") ? "/posts/{id}" : "/posts").onWrite(POST);
                dsl = DSL.using(roan.attach(configuration));
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
    }

    @TearDown(Level.Iteration)
    public void trim() throws SQLException {
        Tables.trimPosts(connection, ROWS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        if (roan != null) {
            roan.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
        connection.close();
    }

    /** A single-row INSERT into a table a rule mentions. */
    @Benchmark
    public int insertMatched() {
        return dsl.insertInto(POST, POST.SLUG, POST.TITLE).values("s" + (slug++), "t").execute();
    }

    /** A single-row UPDATE by key of a table a rule mentions. */
    @Benchmark
    public int updateMatched() {
        return dsl.update(POST).set(POST.TITLE, "t").where(POST.ID.eq(1L)).execute();
    }

    /** A SELECT by key, no rule involved. */
    @Benchmark
    public Record selectByKey() {
        return dsl.selectFrom(POST).where(POST.ID.eq(1L)).fetchOne();
    }

    /** A SELECT of 100 rows, no rule involved: jOOQ calls record listeners, if any, once per row. */
    @Benchmark
    public Result<Record> select100() {
        return dsl.selectFrom(POST).where(POST.ID.le((long) ROWS)).fetch();
    }

    /** A single-row UPDATE of a table no rule mentions. */
    @Benchmark
    public int updateUnregistered() {
        return dsl.update(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "m").where(AUDIT_LOG.ID.eq(1L)).execute();
    }

    /** One JDBC batch of 100 single-row INSERTs into a table a rule mentions. */
    @Benchmark
    public int[] batchInsert100() {
        BatchBindStep batch = dsl.batch(dsl.insertInto(POST, POST.SLUG, POST.TITLE).values((String) null, null));
        for (int i = 0; i < 100; i++) {
            batch = batch.bind("b" + (slug++), "t");
        }
        return batch.execute();
    }

    /** Plain SQL UPDATE of a table a rule mentions; Roan's parse cache is warm after the first call. */
    @Benchmark
    public int plainSqlUpdate() {
        return dsl.execute(PLAIN_UPDATE, "t", 1L);
    }
}
