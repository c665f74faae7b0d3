package dev.roan.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.roan.jooq.Roan;
import dev.roan.testkit.Postgres;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.TableField;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;
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
 * The read of related rows after a write, {@link PreRead}'s counterpart for {@code via}: petclinic's new visit,
 * {@code insert into visit (pet_id, description) values (?, ?)}, with the rule
 * {@code /owners/{owner_id}} {@code .onInsert(VISIT).via(VISIT.PET_ID, PET.ID)} ({@code via}: Roan then runs
 * {@code select distinct owner_id from pet where id in (?)} on the same connection, in a savepoint when auto-commit
 * is off), against the rule {@code /pets/{pet_id}/visits}, which the INSERT fills ({@code direct}), and no Roan at all
 * ({@code off}). With auto-commit or in a jOOQ transaction per INSERT, on H2 in memory and on a local PostgreSQL;
 * purges go to a closed loopback port, so the figure is the writer thread's own cost.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main ViaRead -f 1 -wi 3 -i 5 -w 1s -r 1s
 * java -cp benchmarks/target/benchmarks.jar dev.roan.benchmarks.ViaReadPaired [h2|postgres] [rounds] [transaction]
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ViaRead {

    static final String[] MODES = {"off", "direct", "via"};
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final int PETS = 100;

    static final Pet PET = new Pet();
    static final Visit VISIT = new Visit();

    @Param({"off", "direct", "via"})
    public String mode;

    @Param({"h2", "postgres"})
    public String database;

    /** Whether each INSERT runs in a jOOQ transaction of its own (then the read runs inside a savepoint). */
    @Param({"false", "true"})
    public boolean transaction;

    /** Set by {@link ViaReadPaired} to share one server among the modes; otherwise each trial starts its own. */
    Postgres sharedPostgres;
    private Postgres postgres;
    private Connection connection;
    private DSLContext dsl;
    private Roan roan;
    private long pet;

    /** A pet, as petclinic's: its owner's page shows its visits. */
    static final class Pet extends TableImpl<Record> {
        private static final long serialVersionUID = 1L;
        final TableField<Record, Long> ID = createField(DSL.name("ID"), SQLDataType.BIGINT.nullable(false), this);
        final TableField<Record, Long> OWNER_ID = createField(DSL.name("OWNER_ID"), SQLDataType.BIGINT, this);

        Pet() {
            super(DSL.name("PET"));
        }
    }

    /** A visit of a pet: its row names the pet only. */
    static final class Visit extends TableImpl<Record> {
        private static final long serialVersionUID = 1L;
        final TableField<Record, Long> ID = createField(DSL.name("ID"), SQLDataType.BIGINT.nullable(false).identity(true),
                this);
        final TableField<Record, Long> PET_ID = createField(DSL.name("PET_ID"), SQLDataType.BIGINT, this);
        final TableField<Record, String> DESCRIPTION = createField(DSL.name("DESCRIPTION"), SQLDataType.VARCHAR(200),
                this);

        Visit() {
            super(DSL.name("VISIT"));
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        Configuration configuration;
        String series;
        if (database.equals("h2")) {
            connection = DriverManager.getConnection("jdbc:h2:mem:via" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
            configuration = new DefaultConfiguration().set(connection).set(SQLDialect.H2);
            series = "system_range(1, " + PETS + ")";
        } else {
            if (sharedPostgres == null) {
                postgres = Postgres.start();
            }
            Postgres server = sharedPostgres != null ? sharedPostgres : postgres;
            String name = "via" + DATABASES.incrementAndGet();
            server.createDatabase(name);
            connection = server.connect(name);
            configuration = new DefaultConfiguration().set(connection).set(SQLDialect.POSTGRES)
                    .set(new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER));
            series = "generate_series(1, " + PETS + ") x";
        }
        try (Statement s = connection.createStatement()) {
            s.execute("create table pet (id bigint primary key, owner_id bigint)");
            s.execute("create table visit (id bigint generated by default as identity primary key,"
                    + " pet_id bigint references pet (id), description varchar(200))");
            s.execute("insert into pet (id, owner_id) select x, x / 2 from " + series);
        }
        if (mode.equals("off")) {
            dsl = DSL.using(configuration);
            return;
        }
        roan = Roan.builder().purgeUrl(Endpoint.closedPortPurgeUrl()).closeTimeout(java.time.Duration.ofMillis(100))
                .build();
        switch (mode) {
            case "direct":
                roan.purge("/pets/{pet_id}/visits").onInsert(VISIT);
                break;
            case "via":
                roan.purge("/owners/{owner_id}").onInsert(VISIT).via(VISIT.PET_ID, PET.ID);
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
        dsl = DSL.using(roan.attach(configuration));
    }

    /** Keeps the visit table small: each iteration starts from none. */
    @TearDown(Level.Iteration)
    public void trim() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("delete from visit");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        if (roan != null) {
            roan.close();
        }
        connection.close();
        if (postgres != null) {
            postgres.close();
        }
    }

    /** A new visit of one of the pets, in turn. */
    @Benchmark
    public int insertVisit() {
        long id = pet = pet % PETS + 1;
        if (transaction) {
            return dsl.transactionResult(c -> DSL.using(c).insertInto(VISIT, VISIT.PET_ID, VISIT.DESCRIPTION)
                    .values(id, "checkup").execute());
        }
        return dsl.insertInto(VISIT, VISIT.PET_ID, VISIT.DESCRIPTION).values(id, "checkup").execute();
    }
}
