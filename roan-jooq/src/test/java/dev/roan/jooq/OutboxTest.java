package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.roan.testkit.PurgeServer;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox's sweep and leases on H2, without waiting for a lease to run out: a row a dead process left is written
 * with a lease long expired, and each sweep is run at once ({@code sweepNow}), after the one every Roan runs when built.
 * {@link OutboxContract} proves the same through real time on each database.
 */
class OutboxTest {

    private static final Duration WAIT = Waits.DELIVERY;
    /** No sweep of its own during a test: each test sweeps when it means to. */
    private static final Duration NEVER = Duration.ofHours(1);

    private final String url = "jdbc:h2:mem:outbox-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private final List<AutoCloseable> closing = new ArrayList<>();
    private PurgeServer cache;

    @BeforeEach
    void start() {
        cache = closing(new PurgeServer());
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        closing.add(resource);
        return resource;
    }

    private JdbcDataSource dataSource(String settings) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(url + settings);
        return dataSource;
    }

    /** An instance whose outbox's connections have auto-commit off, as a pool configured so hands them out. */
    private Roan instance(PurgeServer node, int maxOwedPaths) throws Exception {
        Roan roan = closing(Roan.builder().purgeUrl(node.purgeUrl()).outbox(dataSource(";AUTOCOMMIT=OFF"))
                .outboxSweepInterval(NEVER).outboxLease(NEVER.multipliedBy(2)).maxOwedPaths(maxOwedPaths)
                .maxRetryInterval(Duration.ofMillis(100)).closeTimeout(Duration.ZERO).build());
        assertThat(roan.outbox().sweepNow(WAIT)).as("the sweep on start: nothing left").isZero();
        return roan;
    }

    private Roan instance(PurgeServer node) throws Exception {
        return instance(node, Roan.DEFAULT_MAX_OWED_PATHS);
    }

    private PurgeServer down() {
        return closing(new PurgeServer().respond(path -> PurgeServer.Answer.status(503)));
    }

    @Test
    void aSweepDeliversTheRowsOfADeadInstanceOncePerPathAndDeletesThem() throws Exception {
        Roan roan = instance(cache);
        insertExpired(1, 4, "/a");
        insertExpired(5, 1, "/b");

        assertThat(roan.outbox().sweepNow(WAIT)).as("rows claimed").isEqualTo(5);

        assertThat(roan.flush(WAIT)).isTrue();
        assertThat(cache.paths()).containsExactlyInAnyOrder("/a", "/b");
        await("the rows deleted", () -> rows() == 0);
        assertThat(roan.outbox().rowsDeleted()).isEqualTo(5);
    }

    @Test
    void aClaimedRowIsLeasedSoThatNoOtherSweepClaimsIt() throws Exception {
        PurgeServer down = down();
        Roan first = instance(down);
        Roan second = instance(cache);
        insertExpired(1, 1, "/a");

        assertThat(first.outbox().sweepNow(WAIT)).isEqualTo(1);
        assertThat(second.outbox().sweepNow(WAIT)).as("leased by the first, which still owes it").isZero();
        assertThat(rows()).isEqualTo(1);
        assertThat(cache.paths()).isEmpty();
    }

    @Test
    void aSweepRenewsTheLeasesOfTheRowsItsInstanceStillOwes() throws Exception {
        PurgeServer down = down();
        Roan owner = instance(down);
        Roan other = instance(cache);
        long[] ids = owner.outbox().writeNow(List.of("/a", "/b"));
        owner.outbox().committed(List.of("/a", "/b"), ids);
        assertThat(owner.outbox().owedRows()).isEqualTo(2);
        expireEveryLease();

        assertThat(owner.outbox().sweepNow(WAIT)).as("its own rows are not claimed again").isZero();

        assertThat(other.outbox().sweepNow(WAIT)).as("renewed: nobody else takes them").isZero();
        assertThat(cache.paths()).isEmpty();
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void aRowLeftWithoutAnOwnerIsClaimedByTheNextSweep() throws Exception {
        PurgeServer down = down();
        Roan owner = instance(down);
        Roan other = instance(cache);
        long[] ids = owner.outbox().writeNow(List.of("/a"));
        owner.outbox().committed(List.of("/a"), ids);
        owner.close();
        expireEveryLease();

        assertThat(other.outbox().sweepNow(WAIT)).isEqualTo(1);

        assertThat(other.flush(WAIT)).isTrue();
        assertThat(cache.paths()).containsExactly("/a");
        await("the row deleted", () -> rows() == 0);
    }

    @Test
    void oneSweepClaimsRowsInChunksUntilNoneAreLeft() throws Exception {
        Roan roan = instance(cache);
        int rows = Outbox.CLAIM_CHUNK * 2 + 1;
        insertExpired(1, rows, "/a");

        assertThat(roan.outbox().sweepNow(WAIT)).isEqualTo(rows);

        assertThat(roan.flush(WAIT)).isTrue();
        assertThat(cache.paths()).as("one purge per chunk at most").containsOnly("/a").hasSizeLessThanOrEqualTo(3);
        await("the rows deleted", () -> rows() == 0);
    }

    @Test
    void aSweepClaimsNoMoreRowsThanItsInstanceMayOwe() throws Exception {
        PurgeServer down = down();
        Roan roan = instance(down, 3);
        insertExpired(1, 5, "/a");

        assertThat(roan.outbox().sweepNow(WAIT)).as("three owed at most").isEqualTo(3);
        assertThat(roan.outbox().sweepNow(WAIT)).as("none while it owes three").isZero();
        assertThat(roan.outbox().owedRows()).isEqualTo(3);
    }

    @Test
    void rowsOfATransactionAreTrackedUpToTheCapAndLeftToTheSweepBeyond() throws Exception {
        PurgeServer down = down();
        Roan roan = instance(down, 3);
        Outbox outbox = roan.outbox();

        assertThat(outbox.committed(List.of("/a", "/b"), outbox.writeNow(List.of("/a", "/b")))).isNotNull();
        assertThat(outbox.committed(List.of("/c"), outbox.writeNow(List.of("/c")))).as("three: at the cap").isNotNull();
        assertThat(outbox.owedRows()).isEqualTo(3);
        assertThat(outbox.committed(List.of("/d"), outbox.writeNow(List.of("/d")))).as("beyond the cap").isNull();
        assertThat(outbox.owedRows()).isEqualTo(3);
        assertThat(rows()).as("every row kept for a sweep").isEqualTo(4);
    }

    @Test
    void rowsWrittenAtOnceAreCommittedEvenOnAConnectionThatDoesNotAutoCommit() throws Exception {
        Roan roan = instance(down());

        long[] ids = roan.outbox().writeNow(List.of("/a", "/b", "/c"));

        assertThat(ids).hasSize(3).doesNotHaveDuplicates();
        assertThat(ids[1]).isEqualTo(ids[0] + 1);
        assertThat(ids[0]).as("a positive id").isPositive();
        assertThat(rows()).as("seen by another connection").isEqualTo(3);
    }

    @Test
    void aClosedInstanceSweepsNothing() throws Exception {
        Roan roan = instance(cache);
        Outbox outbox = roan.outbox();
        insertExpired(1, 1, "/a");
        roan.close();

        assertThat(outbox.sweep()).isZero();
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void eachDeliveryDeletesItsRowsWithoutWaitingForASweep() throws Exception {
        Roan roan = instance(cache);
        Outbox outbox = roan.outbox();

        outbox.committed(List.of("/a"), outbox.writeNow(List.of("/a")));
        await("the first row deleted", () -> rows() == 0);
        outbox.committed(List.of("/b"), outbox.writeNow(List.of("/b")));
        await("the second row deleted", () -> rows() == 0);

        assertThat(cache.paths()).containsExactlyInAnyOrder("/a", "/b");
        assertThat(outbox.owedRows()).as("nothing owed once delivered").isZero();
    }

    @Test
    void pathsBeyondTheCapAreDeliveredFromMemoryAsFarAsThereIsRoom() throws Exception {
        Roan roan = instance(cache, 1);
        Outbox outbox = roan.outbox();

        assertThat(outbox.committed(List.of("/a", "/b"), outbox.writeNow(List.of("/a", "/b")))).isNull();

        assertThat(roan.flush(WAIT)).isTrue();
        assertThat(cache.paths()).as("room for one").hasSize(1).isSubsetOf("/a", "/b");
        assertThat(rows()).as("both left to a sweep, which purges them after their lease").isEqualTo(2);
    }

    @Test
    void aTransactionOwingManyPathsWritesThemInChunks() throws Exception {
        Roan roan = instance(down());
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < Outbox.INSERT_CHUNK; i++) {
            paths.add("/p/" + i);
        }

        assertThat(roan.outbox().writeNow(paths)).as("one chunk, exactly").hasSize(Outbox.INSERT_CHUNK);
        paths.add("/p/last");
        assertThat(roan.outbox().writeNow(paths)).as("one chunk and one row").hasSize(Outbox.INSERT_CHUNK + 1);

        assertThat(rows()).isEqualTo(2 * Outbox.INSERT_CHUNK + 1);
    }

    @Test
    void aSweepRenewsTheLeasesOfAsManyRowsAsAChunkHolds() throws Exception {
        Roan roan = instance(down(), Outbox.ID_CHUNK);
        // One path in as many rows as a chunk holds: one purge to fail, a thousand leases to renew.
        List<String> rows = java.util.Collections.nCopies(Outbox.ID_CHUNK, "/p");
        roan.outbox().committed(List.of("/p"), roan.outbox().writeNow(rows));
        assertThat(roan.outbox().owedRows()).isEqualTo(Outbox.ID_CHUNK);
        expireEveryLease();

        assertThat(roan.outbox().sweepNow(WAIT)).isZero();

        assertThat(instance(cache).outbox().sweepNow(WAIT)).as("every lease renewed").isZero();
    }

    @Test
    void closingWithRowsUndeliveredSaysSoAndClosingWithNoneSaysNothing() throws Exception {
        Roan owing = instance(down());
        Roan done = instance(cache);
        owing.outbox().committed(List.of("/a"), owing.outbox().writeNow(List.of("/a")));
        try (LogCapture log = new LogCapture()) {
            done.close();
            assertThat(log.messages(java.util.logging.Level.INFO)).isEmpty();

            owing.close();
            assertThat(log.messages(java.util.logging.Level.INFO)).singleElement().asString()
                    .contains("closed with 1 rows of its outbox table roan_outbox undelivered");
        }
    }

    @Test
    void aThreadLocalTransactionWritesItsRowsJustBeforeItsCommitAndARolledBackOneNone() throws Exception {
        Roan roan = instance(down());
        JdbcDataSource app = dataSource("");
        try (Connection c = app.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE item (id BIGINT PRIMARY KEY)");
        }
        org.jooq.Table<?> item = org.jooq.impl.DSL.table(org.jooq.impl.DSL.name("ITEM"));
        roan.purge("/items").onWrite(item);
        org.jooq.DSLContext dsl = org.jooq.impl.DSL.using(roan.attach(new org.jooq.impl.DefaultConfiguration()
                .set(org.jooq.SQLDialect.H2).set(new org.jooq.impl.ThreadLocalTransactionProvider(
                        new org.jooq.impl.DataSourceConnectionProvider(app)))));

        dsl.transaction(() -> dsl.insertInto(item).values(1L).execute());
        assertThat(rows()).as("written in the transaction, kept while the node is down").isEqualTo(1);

        try {
            dsl.transaction(() -> {
                dsl.insertInto(item).values(2L).execute();
                throw new IllegalStateException("roll back");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }
        assertThat(rows()).as("none for a rolled back transaction").isEqualTo(1);
    }

    // ---- helpers

    /** Rows as a Roan that died would have left them, their lease long expired: ids from {@code first} on. */
    private void insertExpired(long first, int count, String path) throws SQLException {
        try (Connection c = dataSource("").getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO roan_outbox (id, aggregateid, claimed_at) VALUES (?, ?, ?)")) {
            for (int i = 0; i < count; i++) {
                ps.setLong(1, first + i);
                ps.setString(2, path);
                ps.setTimestamp(3, Timestamp.valueOf("2001-01-01 00:00:00"));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void expireEveryLease() throws SQLException {
        try (Connection c = dataSource("").getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE roan_outbox SET claimed_at = TIMESTAMP '2001-01-01 00:00:00'");
        }
    }

    private int rows() throws SQLException {
        try (Connection c = dataSource("").getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM roan_outbox")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void await(String what, SqlCheck done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.test()) {
            assertThat(System.nanoTime() < deadline).as(what).isTrue();
            Thread.sleep(10);
        }
    }

    private interface SqlCheck {
        boolean test() throws SQLException;
    }
}
