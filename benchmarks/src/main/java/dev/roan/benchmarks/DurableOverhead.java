package dev.roan.benchmarks;

import static dev.roan.benchmarks.Tables.POST;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.roan.jooq.Roan;
import dev.roan.testkit.Postgres;
import org.h2.jdbcx.JdbcDataSource;
import org.jooq.Configuration;
import org.jooq.DSLContext;
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
import org.postgresql.ds.PGSimpleDataSource;

/**
 * 7. Durable mode's cost per transaction: the same jOOQ transaction with Roan in memory mode ({@code memory}) and in
 * durable mode ({@code durable}: the owed purges written to the outbox table in the transaction, deleted after
 * delivery), on H2 in memory or on a real PostgreSQL over loopback. Both purge to a JDK HttpServer in this JVM that
 * answers at once, so that durable mode's rows are delivered and deleted as in production; the rule is
 * {@code /posts/{id}}, so a transaction updating ten posts owes ten paths. The writer has one connection of its own
 * (as a pool hands one to a transaction); the outbox's DataSource, for deleting delivered rows and sweeping, is a
 * HikariCP pool of two, as an application's would be.
 *
 * <p>Run paired ({@code -only durable}: both modes in one JVM, alternating 50 ms slices, see {@link Paired}) or as
 * plain JMH ({@code org.openjdk.jmh.Main DurableOverhead}: H2 only, PostgreSQL needs the paired run's server).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DurableOverhead {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    static final int ROWS = 1000;

    @Param({"memory", "durable"})
    public String mode;

    /** Set by the paired run for PostgreSQL; null means H2 in memory. */
    Postgres postgres;

    private Connection connection;
    private DSLContext dsl;
    private Roan roan;
    private Endpoint endpoint;
    private HikariDataSource outboxPool;
    /** Statements executed and commits on the writer's connection: the calls that reach the database. */
    final AtomicLong calls = new AtomicLong();
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        DataSource dataSource;
        Configuration configuration;
        if (postgres == null) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:durable" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            dataSource = h2;
            connection = Calls.count(h2.getConnection(), calls);
            create(connection, "system_range(1, " + ROWS + ")");
            configuration = new DefaultConfiguration().set(connection).set(SQLDialect.H2);
        } else {
            String name = "durable" + DATABASES.incrementAndGet();
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setUrl(postgres.createDatabase(name));
            pg.setUser(postgres.user());
            pg.setPassword(postgres.password());
            dataSource = pg;
            connection = Calls.count(pg.getConnection(), calls);
            create(connection, "generate_series(1, " + ROWS + ") x");
            configuration = new DefaultConfiguration().set(connection).set(SQLDialect.POSTGRES)
                    .set(new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER));
        }
        endpoint = Endpoint.start();
        Roan.Builder builder = Roan.builder().purgeUrl(endpoint.purgeUrl()).closeTimeout(Duration.ofSeconds(5));
        switch (mode) {
            case "memory":
                break;
            case "durable":
                // As in production: a pool, not a new physical connection per delete of delivered rows.
                HikariConfig pool = new HikariConfig();
                pool.setDataSource(dataSource);
                pool.setMaximumPoolSize(2);
                pool.setPoolName("outbox-" + DATABASES.get());
                outboxPool = new HikariDataSource(pool);
                builder.outbox(outboxPool);
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
        roan = builder.build();
        roan.purge("/posts/{id}").onWrite(POST);
        dsl = DSL.using(roan.attach(configuration));
    }

    private static void create(Connection c, String series) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("create table post (id bigint primary key, slug varchar(200), title varchar(200))");
            s.execute("insert into post (id, slug, title) select x, 'p' || x, 't' from " + series);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        roan.close();
        endpoint.close();
        if (outboxPool != null) {
            outboxPool.close();
        }
        connection.close();
    }

    private long nextId() {
        next = next % ROWS + 1;
        return next;
    }

    /** A transaction updating one post by key: one path owed. */
    @Benchmark
    public int singleRowTransaction() {
        long id = nextId();
        return dsl.transactionResult(c -> DSL.using(c).update(POST).set(POST.TITLE, "t").where(POST.ID.eq(id))
                .execute());
    }

    /** A transaction of ten single-row UPDATEs by key: ten paths owed. */
    @Benchmark
    public int tenStatementTransaction() {
        return dsl.transactionResult(c -> {
            DSLContext tx = DSL.using(c);
            int rows = 0;
            for (int i = 0; i < 10; i++) {
                rows += tx.update(POST).set(POST.TITLE, "t").where(POST.ID.eq(nextId())).execute();
            }
            return rows;
        });
    }

    /** One round trip on the writer's connection, no Roan involved: the unit of the target. */
    int roundTrip() throws SQLException {
        try (Statement s = connection.createStatement()) {
            return s.execute("select 1") ? 1 : 0;
        }
    }

    /** The paired run: both modes in one JVM, on H2 and, when installed, PostgreSQL. */
    static final class Run {

        private final boolean quick;
        private final Report report;

        Run(boolean quick, Report report) {
            this.quick = quick;
            this.report = report;
        }

        void run() throws Exception {
            int rounds = quick ? 40 : 200;
            report.section("7. Durable mode's cost per transaction, paired in one JVM (alternating 50 ms slices, "
                    + rounds + " rounds, medians of per-round ratios)");
            report.line("| Database | Transaction | memory us/tx | durable us/tx | durable / memory | p25..p75"
                    + " | durable - memory us | one round trip us | (durable - memory) / round trip"
                    + " | calls per tx, memory → durable | Extra B/tx |");
            report.line("|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|");
            table(null, rounds);
            Postgres started;
            try {
                started = Postgres.start();
            } catch (RuntimeException e) {
                report.line("");
                report.line("PostgreSQL rows skipped: " + e.getMessage());
                return;
            }
            try (Postgres postgres = started) {
                table(postgres, rounds);
            }
            report.line("");
            report.line("Rule `/posts/{id}`, purges to a JDK HttpServer in this JVM that answers at once (both modes"
                    + " deliver; durable mode also deletes its rows). \"One round trip\" is `select 1` on the writer's"
                    + " connection (on H2 in memory, a statement run in this JVM, not a network round trip). \"Calls per"
                    + " tx\" counts what the writer's connection sent to the database (statements executed, commits,"
                    + " rollbacks), over 100 transactions of each mode after the timed rounds.");
        }

        private void table(Postgres postgres, int rounds) throws Exception {
            String database = postgres == null ? "H2 in memory" : "PostgreSQL " + postgres.version();
            for (String benchmark : new String[] {"singleRowTransaction", "tenStatementTransaction"}) {
                ToIntFunction<DurableOverhead> op = benchmark.equals("singleRowTransaction")
                        ? DurableOverhead::singleRowTransaction : DurableOverhead::tenStatementTransaction;
                DurableOverhead[] states = {state("memory", postgres), state("durable", postgres)};
                ToIntFunction<DurableOverhead> trip = s -> {
                    try {
                        return s.roundTrip();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                };
                for (int i = 0; i < (quick ? 20 : 60); i++) {
                    for (DurableOverhead s : states) {
                        Slices.run(() -> op.applyAsInt(s));
                    }
                }
                double[][] us = new double[2][rounds];
                double[] bytes = new double[2];
                double[] ratio = new double[rounds];
                double[] trips = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < 2; k++) {
                        int m = (r + k) % 2;
                        double[] result = Slices.run(() -> op.applyAsInt(states[m]));
                        us[m][r] = result[0];
                        bytes[m] += result[1] / rounds;
                    }
                    trips[r] = Slices.run(() -> trip.applyAsInt(states[0]))[0];
                    ratio[r] = us[1][r] / us[0][r];
                }
                double[] callsPerTx = new double[2];
                for (int m = 0; m < 2; m++) {
                    long before = states[m].calls.get();
                    for (int i = 0; i < 100; i++) {
                        op.applyAsInt(states[m]);
                    }
                    callsPerTx[m] = (states[m].calls.get() - before) / 100.0;
                }
                for (DurableOverhead s : states) {
                    s.tearDown();
                }
                double memory = Slices.median(us[0]);
                double durable = Slices.median(us[1]);
                double roundTrip = Slices.median(trips);
                report.line(String.format(Locale.ROOT,
                        "| %s | %s | %.1f | %.1f | %.3fx | %.3f..%.3f | %+.1f | %.1f | %.2f | %.1f → %.1f | %+.0f |",
                        database, benchmark.equals("singleRowTransaction") ? "1 UPDATE" : "10 UPDATEs", memory,
                        durable, Slices.median(ratio), Slices.quantile(ratio, 0.25), Slices.quantile(ratio, 0.75),
                        durable - memory, roundTrip, (durable - memory) / roundTrip, callsPerTx[0], callsPerTx[1],
                        bytes[1] - bytes[0]));
            }
        }

        private static DurableOverhead state(String mode, Postgres postgres) throws SQLException {
            DurableOverhead s = new DurableOverhead();
            s.mode = mode;
            s.postgres = postgres;
            s.setUp();
            return s;
        }
    }
}
