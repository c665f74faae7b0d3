package dev.roan.benchmarks;

import static dev.roan.benchmarks.Tables.POST;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import dev.roan.jooq.Roan;
import dev.roan.testkit.Postgres;
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

/**
 * The read before an UPDATE whose text cannot fill a rule: {@code update post set title = ? where id = ?} with the
 * rule {@code /posts/{slug}} ({@code read}: Roan first runs {@code select slug from post where id = ? for update} on
 * the same connection), against the same statement with the rule {@code /posts/{id}}, which its WHERE fills
 * ({@code no-read}), the rule opted out ({@code without-reading}: {@code withoutReadingRows().whenRowsUnknown("/posts")})
 * and no Roan at all ({@code off}). With auto-commit or in a jOOQ transaction per UPDATE, on H2 in memory and on a
 * local PostgreSQL; purges go to a closed loopback port, so the figure is the writer thread's own cost.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main PreRead -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PreRead {

    @Param({"off", "no-read", "read", "without-reading"})
    public String mode;

    @Param({"h2", "postgres"})
    public String database;

    /** Whether each UPDATE runs in a jOOQ transaction of its own (then the read and the write share it). */
    @Param({"false", "true"})
    public boolean transaction;

    /** Set by {@link PreReadPaired} to share one server among the modes; otherwise each trial starts its own. */
    Postgres sharedPostgres;
    private Postgres postgres;
    private Connection connection;
    private DSLContext dsl;
    private Roan roan;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        Configuration configuration;
        if (database.equals("h2")) {
            connection = Tables.open(StatementOverhead.ROWS);
            configuration = new DefaultConfiguration().set(connection).set(SQLDialect.H2);
        } else {
            if (sharedPostgres == null) {
                postgres = Postgres.start();
            }
            connection = Tables.openPostgres(sharedPostgres != null ? sharedPostgres : postgres, StatementOverhead.ROWS);
            configuration = new DefaultConfiguration().set(connection).set(SQLDialect.POSTGRES)
                    .set(new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER));
        }
        if (mode.equals("off")) {
            dsl = DSL.using(configuration);
            return;
        }
        roan = Roan.builder().purgeUrl(Endpoint.closedPortPurgeUrl()).closeTimeout(java.time.Duration.ofMillis(100))
                .build();
        switch (mode) {
            case "no-read":
                roan.purge("/posts/{id}").onUpdate(POST, STORED);
                break;
            case "read":
                roan.purge("/posts/{slug}").onUpdate(POST, STORED);
                break;
            case "without-reading":
                roan.purge("/posts/{slug}").onUpdate(POST, STORED).withoutReadingRows().whenRowsUnknown("/posts");
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
        dsl = DSL.using(roan.attach(configuration));
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

    /** A single-row UPDATE by key that does not name the slug. */
    @Benchmark
    public int updateById() {
        if (transaction) {
            return dsl.transactionResult(c -> DSL.using(c).update(POST).set(POST.TITLE, "t").where(POST.ID.eq(1L))
                    .execute());
        }
        return dsl.update(POST).set(POST.TITLE, "t").where(POST.ID.eq(1L)).execute();
    }

    /**
     * The same UPDATE as an {@code UpdatableRecord}'s {@code store()} (a loaded post whose title changes), with
     * auto-commit: its statement names the id and the title, not the slug.
     */
    @Benchmark
    public int storeById() {
        if (record == null) {
            record = dsl.fetchSingle(STORED, STORED.ID.eq(1L));
        }
        record.set(STORED.TITLE, (stored++ & 1) == 0 ? "t" : "u");
        return record.store();
    }

    private StoredPost record;
    private long stored;

    /**
     * {@code batchStore()} of the 100 loaded posts, each with a changed title, with auto-commit: one JDBC batch of
     * 100 bind sets of {@code update post set title = ? where id = ?}. With the rule {@code /posts/{slug}} Roan reads
     * the 100 slugs once for the batch, by its keys, before it runs.
     */
    @Benchmark
    public int[] batchStoreById() {
        if (records == null) {
            records = dsl.fetch(STORED, STORED.ID.le(100L));
        }
        String title = (stored++ & 1) == 0 ? "t" : "u";
        for (StoredPost post : records) {
            post.set(STORED.TITLE, title);
        }
        return dsl.batchStore(records).execute();
    }

    private org.jooq.Result<StoredPost> records;

    /** POST with its primary key and record type, as generated code has them: its records are UpdatableRecords. */
    static final StoredPostTable STORED = new StoredPostTable();

    static final class StoredPostTable extends org.jooq.impl.TableImpl<StoredPost> {
        private static final long serialVersionUID = 1L;
        final org.jooq.TableField<StoredPost, Long> ID = createField(DSL.name("ID"),
                org.jooq.impl.SQLDataType.BIGINT.nullable(false).identity(true), this);
        final org.jooq.TableField<StoredPost, String> SLUG = createField(DSL.name("SLUG"),
                org.jooq.impl.SQLDataType.VARCHAR(200), this);
        final org.jooq.TableField<StoredPost, String> TITLE = createField(DSL.name("TITLE"),
                org.jooq.impl.SQLDataType.VARCHAR(200), this);

        StoredPostTable() {
            super(DSL.name("POST"));
        }

        @Override
        public Class<StoredPost> getRecordType() {
            return StoredPost.class;
        }

        @Override
        public org.jooq.UniqueKey<StoredPost> getPrimaryKey() {
            return org.jooq.impl.Internal.createUniqueKey(this, DSL.name("PK_POST"), ID);
        }
    }

    public static final class StoredPost extends org.jooq.impl.UpdatableRecordImpl<StoredPost> {
        private static final long serialVersionUID = 1L;

        public StoredPost() {
            super(STORED);
        }
    }
}
