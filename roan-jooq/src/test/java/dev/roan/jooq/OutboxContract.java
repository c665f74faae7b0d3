package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import dev.roan.testkit.PurgeServer;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.ThreadLocalTransactionProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Durable mode against a real database: the same behaviours on H2, PostgreSQL and MariaDB (one subclass each). Purges
 * go to real local HTTP endpoints ({@link PurgeServer}); the outbox's statements are seen through
 * {@link RecordingDataSource}.
 */
abstract class OutboxContract {

    static final Settings NAMES = new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER).withRenderSchema(false);
    static final Table<Record> ITEM = DSL.table(DSL.name("item"));
    static final Table<Record> TAG = DSL.table(DSL.name("tag"));
    static final Duration WAIT = Duration.ofSeconds(20);

    /** The database under test: a fresh one, or an emptied one, per test. */
    abstract DataSource dataSource() throws Exception;

    abstract SQLDialect dialect();

    private final List<Roan> roans = new ArrayList<>();
    private final List<PurgeServer> caches = new ArrayList<>();
    DataSource raw;
    RecordingDataSource recording;
    PurgeServer cache;

    @BeforeEach
    void createTables() throws Exception {
        raw = dataSource();
        recording = new RecordingDataSource(raw);
        for (String sql : List.of("DROP TABLE IF EXISTS item", "DROP TABLE IF EXISTS tag",
                "DROP TABLE IF EXISTS roan_outbox", "DROP TABLE IF EXISTS purge_box",
                "CREATE TABLE item (id BIGINT PRIMARY KEY, name VARCHAR(100))",
                "CREATE TABLE tag (id BIGINT PRIMARY KEY, name VARCHAR(100))")) {
            execute(sql);
        }
        cache = cache();
    }

    @AfterEach
    void close() {
        roans.forEach(Roan::close);
        caches.forEach(PurgeServer::close);
    }

    PurgeServer cache() {
        PurgeServer server = new PurgeServer();
        caches.add(server);
        return server;
    }

    Roan.Builder builder(PurgeServer... servers) {
        return Roan.builder().purgeUrls(java.util.Arrays.stream(servers).map(PurgeServer::purgeUrl)
                .toArray(String[]::new)).outbox(recording.dataSource).closeTimeout(Duration.ofMillis(200));
    }

    Roan roan(Roan.Builder builder) {
        Roan roan = builder.build();
        roans.add(roan);
        roan.purge("/items").onWrite(ITEM);
        roan.purge("/tags").onWrite(TAG);
        return roan;
    }

    DSLContext dsl(Roan roan) {
        return DSL.using(roan.attach(DSL.using(recording.dataSource, dialect(), NAMES).configuration()));
    }

    static void insertItem(DSLContext dsl, long id) {
        dsl.insertInto(ITEM).columns(DSL.field(DSL.name("id")), DSL.field(DSL.name("name"))).values(id, "n" + id)
                .execute();
    }

    void execute(String sql) throws SQLException {
        try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The paths in the outbox table, as another connection sees them. */
    List<String> rows(String table) throws SQLException {
        List<String> paths = new ArrayList<>();
        try (Connection c = raw.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT aggregateid FROM " + table + " ORDER BY id")) {
            while (rs.next()) {
                paths.add(rs.getString(1));
            }
        }
        return paths;
    }

    List<String> rows() throws SQLException {
        return rows("roan_outbox");
    }

    /** Rows as a Roan that died would have left them: its lease long expired. */
    void insertExpired(long id, String path) throws SQLException {
        try (Connection c = raw.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO roan_outbox (id, aggregateid, claimed_at) VALUES (?, ?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, path);
            ps.setTimestamp(3, java.sql.Timestamp.valueOf("2001-01-01 00:00:00"));
            ps.executeUpdate();
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    boolean outboxEmpty() {
        try {
            return rows().isEmpty();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void outboxRowsAreWrittenOnTheWritersConnectionInOneInsertPerTransaction() throws Exception {
        PurgeServer down = cache().respond(path -> PurgeServer.Answer.status(503));
        Roan roan = roan(builder(down));
        DSLContext dsl = dsl(roan);
        recording.clear();

        dsl.transaction(tx -> {
            for (int i = 0; i < 5; i++) {
                insertItem(tx.dsl(), i);
                tx.dsl().insertInto(TAG).columns(DSL.field(DSL.name("id"))).values((long) i).execute();
            }
        });

        List<RecordingDataSource.Prepared> inserts = recording.prepared("INSERT INTO roan_outbox");
        assertThat(inserts).as("one multi-row INSERT for a transaction of ten writes to two paths").hasSize(1);
        int writer = recording.prepared("INSERT INTO item").get(0).connection();
        assertThat(inserts.get(0).connection()).as("written on the transaction's own connection").isEqualTo(writer);
        assertThat(rows()).as("committed with the transaction, kept while the cache is down")
                .containsExactlyInAnyOrder("/items", "/tags");
    }

    @Test
    void threadLocalTransactionProviderWritesTheRowsJustBeforeItsCommit() throws Exception {
        PurgeServer down = cache().respond(path -> PurgeServer.Answer.status(503));
        Roan roan = roan(builder(down));
        DataSourceConnectionProvider connections = new DataSourceConnectionProvider(recording.dataSource);
        DSLContext dsl = DSL.using(roan.attach(DSL.using(connections, dialect(), NAMES).configuration()
                .derive(new ThreadLocalTransactionProvider(connections))));
        recording.clear();

        dsl.transaction(() -> {
            insertItem(dsl, 1);
            insertItem(dsl, 2);
        });
        assertThatThrownBy(() -> dsl.transaction(() -> {
            insertItem(dsl, 3);
            throw new IllegalStateException("roll back");
        })).hasMessage("roll back");

        List<RecordingDataSource.Prepared> inserts = recording.prepared("INSERT INTO roan_outbox");
        assertThat(inserts).hasSize(1);
        assertThat(inserts.get(0).connection()).isEqualTo(recording.prepared("INSERT INTO item").get(0).connection());
        assertThat(rows()).containsExactly("/items");
    }

    @Test
    void outboxStatementsAreNeverSeenAsWritesByRoan() throws Exception {
        Roan roan = roan(builder(cache));
        roan.purge("/outbox").onWrite(DSL.table(DSL.name("roan_outbox")));
        DSLContext dsl = dsl(roan);

        dsl.transaction(tx -> insertItem(tx.dsl(), 1));
        insertItem(dsl, 2);
        assertThat(roan.flush(WAIT)).isTrue();
        await("the rows are deleted", this::outboxEmpty);
        assertThat(roan.flush(WAIT)).isTrue();

        assertThat(cache.paths()).as("the outbox's INSERTs and DELETEs purge nothing").doesNotContain("/outbox");
    }

    @Test
    void rolledBackTransactionLeavesNoRowAndNoPurge() throws Exception {
        Roan roan = roan(builder(cache));
        DSLContext dsl = dsl(roan);

        assertThatThrownBy(() -> dsl.transaction(tx -> {
            insertItem(tx.dsl(), 1);
            throw new IllegalStateException("roll back");
        })).isInstanceOf(IllegalStateException.class);
        dsl.transaction(tx -> insertItem(tx.dsl(), 2));
        assertThat(roan.flush(WAIT)).isTrue();

        assertThat(cache.paths()).containsExactly("/items");
        assertThat(recording.prepared("INSERT INTO roan_outbox")).hasSize(1);
        await("the delivered row is deleted", this::outboxEmpty);
    }

    @Test
    void nestedTransactionsWriteOnceAtTheOutermostCommit() throws Exception {
        PurgeServer down = cache().respond(path -> PurgeServer.Answer.status(503));
        Roan roan = roan(builder(down));
        DSLContext dsl = dsl(roan);
        recording.clear();

        dsl.transaction(outer -> {
            insertItem(outer.dsl(), 1);
            outer.dsl().transaction(inner -> inner.dsl().insertInto(TAG).columns(DSL.field(DSL.name("id")))
                    .values(1L).execute());
            try {
                outer.dsl().transaction(inner -> {
                    inner.dsl().insertInto(TAG).columns(DSL.field(DSL.name("id"))).values(2L).execute();
                    throw new IllegalStateException("roll back the savepoint");
                });
            } catch (IllegalStateException expected) {
                // the savepoint's write is undone
            }
        });

        assertThat(recording.prepared("INSERT INTO roan_outbox")).hasSize(1);
        assertThat(rows()).containsExactlyInAnyOrder("/items", "/tags");
    }

    @Test
    void rowsAreDeletedOnceEveryNodeConfirmedAndKeptWhileOneIsDown() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        PurgeServer second = cache().respond(path -> PurgeServer.Answer.status(down.get() ? 503 : 200));
        Roan roan = roan(builder(cache, second));
        DSLContext dsl = dsl(roan);

        dsl.transaction(tx -> insertItem(tx.dsl(), 1));
        await("the first node has the purge and the second failed it twice",
                () -> cache.count() == 1 && second.count() >= 2);
        assertThat(rows()).as("kept while a node owes the purge").containsExactly("/items");

        down.set(false);
        assertThat(roan.flush(WAIT)).isTrue();
        await("the row is deleted once both nodes confirmed", this::outboxEmpty);
    }

    @Test
    void sweepOnStartDeliversRowsADeadInstanceLeftOncePerPath() throws Exception {
        roan(builder(cache)).close();   // creates the table
        insertExpired(1, "/a");
        insertExpired(2, "/a");
        insertExpired(3, "/a");
        insertExpired(4, "/b%C3%A9");
        PurgeServer second = cache();

        Roan roan = roan(builder(cache, second));

        await("both nodes purged both paths", () -> cache.count() == 2 && second.count() == 2);
        assertThat(cache.paths()).as("three rows for /a are one purge").containsExactlyInAnyOrder("/a", "/b%C3%A9");
        assertThat(second.paths()).containsExactlyInAnyOrder("/a", "/b%C3%A9");
        await("the swept rows are deleted", this::outboxEmpty);
        assertThat(roan.flush(WAIT)).isTrue();
    }

    @Test
    void twoInstancesSweepingOneTableNeverBothClaimARow() throws Exception {
        roan(builder(cache)).close();
        int rows = 3_000;
        try (Connection c = raw.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO roan_outbox (id, aggregateid, claimed_at) VALUES (?, ?, ?)")) {
            for (int i = 0; i < rows; i++) {
                ps.setLong(1, i + 1);
                ps.setString(2, "/p/" + i);
                ps.setTimestamp(3, java.sql.Timestamp.valueOf("2001-01-01 00:00:00"));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        PurgeServer other = cache();

        Roan first = roan(builder(cache).outboxSweepInterval(Duration.ofMillis(50)));
        Roan second = roan(builder(other).outboxSweepInterval(Duration.ofMillis(50)));

        await("every row purged", () -> cache.count() + other.count() >= rows);
        assertThat(first.flush(WAIT) && second.flush(WAIT)).isTrue();
        await("every row deleted", this::outboxEmpty);
        Map<String, Integer> times = new HashMap<>();
        cache.paths().forEach(p -> times.merge(p, 1, Integer::sum));
        other.paths().forEach(p -> times.merge(p, 1, Integer::sum));
        assertThat(times).as("each path purged by one instance, once").hasSize(rows);
        assertThat(times.values()).containsOnly(1);
    }

    @Test
    void aLiveInstanceRenewsTheLeaseOfRowsItOwesAndAnotherTakesThemOverWhenItStops() throws Exception {
        PurgeServer down = cache().respond(path -> PurgeServer.Answer.status(503));
        Roan owner = roan(builder(down).outboxLease(Duration.ofSeconds(1)).outboxSweepInterval(Duration.ofMillis(200))
                .closeTimeout(Duration.ZERO));
        dsl(owner).transaction(tx -> insertItem(tx.dsl(), 1));
        Roan other = roan(builder(cache).outboxLease(Duration.ofSeconds(1))
                .outboxSweepInterval(Duration.ofMillis(200)));

        Thread.sleep(3_000);
        assertThat(cache.count()).as("three leases long, the owner keeps renewing: nobody else sends it").isZero();
        assertThat(rows()).containsExactly("/items");

        owner.close();
        await("another instance delivers the row once the lease of the stopped one ran out", () -> cache.count() == 1);
        assertThat(cache.paths()).containsExactly("/items");
        await("and deletes it", this::outboxEmpty);
        assertThat(other.flush(WAIT)).isTrue();
    }

    @Test
    void autoCommittedWriteIsWrittenRightAfterTheStatementAndDeletedOnceDelivered() throws Exception {
        PurgeServer down = cache().respond(path -> PurgeServer.Answer.status(503));
        Roan durable = roan(builder(down));
        insertItem(dsl(durable), 1);
        assertThat(rows()).as("committed when execute() returns").containsExactly("/items");
        durable.close();
        execute("DELETE FROM roan_outbox");

        Roan roan = roan(builder(cache));
        insertItem(dsl(roan), 2);
        assertThat(roan.flush(WAIT)).isTrue();
        assertThat(cache.paths()).containsExactly("/items");
        await("deleted once delivered", this::outboxEmpty);
    }

    @Test
    void writeOnAConnectionOutsideAnyKnownTransactionCommitsOrRollsBackItsRowsWithIt() throws Exception {
        Roan roan = roan(builder(cache).outboxLease(Duration.ofSeconds(1)).outboxSweepInterval(Duration.ofMillis(200)));
        try (Connection c = recording.dataSource.getConnection()) {
            c.setAutoCommit(false);
            DSLContext dsl = DSL.using(roan.attach(DSL.using(c, dialect(), NAMES).configuration()));

            insertItem(dsl, 1);
            assertThat(DSL.using(c, dialect(), NAMES).fetchCount(DSL.table(DSL.name("roan_outbox"))))
                    .as("visible to the writer's transaction").isEqualTo(1);
            assertThat(rows()).as("not to others before the commit").isEmpty();
            c.rollback();
            assertThat(rows()).as("gone with the rollback").isEmpty();

            insertItem(dsl, 2);
            c.commit();
        }
        assertThat(rows()).containsExactly("/items");
        await("a sweep delivers the committed row after its lease, and deletes it", this::outboxEmpty);
        assertThat(roan.flush(WAIT)).isTrue();
        assertThat(cache.paths()).as("at once, then again by the sweep after the commit").contains("/items");
    }

    @Test
    void aFailingOutboxWriteOutsideAnyKnownTransactionStillPurges() throws Exception {
        Roan roan = roan(builder(cache));
        execute("DROP TABLE roan_outbox");
        try (Connection c = recording.dataSource.getConnection()) {
            c.setAutoCommit(false);
            DSLContext dsl = DSL.using(roan.attach(DSL.using(c, dialect(), NAMES).configuration()));

            assertThatThrownBy(() -> insertItem(dsl, 1)).as("the failing outbox write is reported")
                    .hasMessageContaining("roan_outbox");
            c.rollback();
        }
        assertThat(roan.flush(WAIT)).isTrue();
        assertThat(cache.paths()).as("purged from memory all the same").containsExactly("/items");
    }

    @Test
    void tableIsCreatedWhenMissingUnderTheNameConfigured() throws Exception {
        PurgeServer down = cache().respond(path -> PurgeServer.Answer.status(503));
        Roan roan = roan(builder(down).outboxTable("purge_box"));
        dsl(roan).transaction(tx -> insertItem(tx.dsl(), 1));

        assertThat(rows("purge_box")).containsExactly("/items");
        assertThat(builder(down).outboxTable("purge_box").toString()).contains("outbox=purge_box");
    }

    @Test
    void documentedDdlCreatesATableRoanUsesWithoutCreatingItself() throws Exception {
        assertThatThrownBy(() -> roan(builder(cache).createOutboxTable(false)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Roan.outboxDdl");
        for (String ddl : Roan.outboxDdl(dialect()).split(";\n")) {
            execute(ddl.replaceAll(";$", ""));
        }
        Roan roan = roan(builder(cache).createOutboxTable(false));
        dsl(roan).transaction(tx -> insertItem(tx.dsl(), 1));
        assertThat(roan.flush(WAIT)).isTrue();
        assertThat(cache.paths()).containsExactly("/items");
        await("deleted once delivered", this::outboxEmpty);
    }

    @Test
    void longNonAsciiPathIsStoredAndDeliveredAsTheDispatcherHasIt() throws Exception {
        String longName = "é".repeat(1_300);   // 7,800 characters once percent-encoded
        PurgeServer down = cache().respond(path -> PurgeServer.Answer.status(503));
        Roan held = roan(builder(down));
        held.purge("/x/" + longName).onWrite(ITEM);
        dsl(held).transaction(tx -> insertItem(tx.dsl(), 1));
        String encoded = "/x/" + "%C3%A9".repeat(1_300);
        assertThat(rows()).containsExactlyInAnyOrder("/items", encoded);
        held.close();

        execute("UPDATE roan_outbox SET claimed_at = " + expired());
        roan(builder(cache)).purge("/x/" + longName).onWrite(ITEM);
        await("swept and delivered", () -> cache.paths().contains(encoded));
    }

    /** A timestamp literal older than any lease, in this database's syntax. */
    String expired() {
        return "TIMESTAMP '2001-01-01 00:00:00'";
    }

    @Test
    void failingOutboxInsertFailsTheCommitAndTheTransactionRollsBack() throws Exception {
        Roan roan = roan(builder(cache));
        DSLContext dsl = dsl(roan);
        execute("DROP TABLE roan_outbox");

        assertThatThrownBy(() -> dsl.transaction(tx -> insertItem(tx.dsl(), 1)))
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("roan_outbox");
        try (Connection c = raw.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM item")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the write did not commit without its purge").isZero();
        }
    }
}
