package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;

import javax.sql.DataSource;

import dev.roan.testkit.PurgeServer;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Durable mode inside a transaction boundary (Spring's {@code @Transactional}, say): the boundary's commit is the real
 * one, so Roan's outbox rows are written just before it, on the connection of the configuration the writes ran on, and
 * delivered after it. The boundary here is the test's: it keeps what it is handed, and the test plays its commit.
 */
class DurableBoundaryTest {

    /** What the boundary was handed for one transaction. */
    private record Held(Set<String> paths, Consumer<Set<String>> release,
            Function<Set<String>, Runnable> beforeCommit) {}

    private final List<Held> held = new CopyOnWriteArrayList<>();
    private final TransactionBoundary boundary = new TransactionBoundary() {
        @Override
        public boolean hold(Set<String> paths, Consumer<Set<String>> release) {
            // What the jOOQ commit owes besides (the keys of what renders pin until the boundary's commit).
            return true;
        }

        @Override
        public boolean hold(Set<String> paths, Consumer<Set<String>> release,
                Function<Set<String>, Runnable> beforeCommit) {
            held.add(new Held(Set.copyOf(paths), release, beforeCommit));
            return true;
        }
    };
    private final TestDb db = new TestDb();
    private final PurgeServer cache = new PurgeServer();
    private final Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).outbox(db.dataSource)
            .transactionBoundary(boundary).closeTimeout(Duration.ofMillis(200)).build();
    /** The boundary's transaction: its connection, which the application's DataSource hands out meanwhile. */
    private final Connection boundaryConnection;
    private final DSLContext dsl;

    DurableBoundaryTest() throws SQLException {
        db.execute(TestRows.ANN_AND_POSTS_1_AND_2);
        roan.purge("/posts").onWrite(POST);
        boundaryConnection = db.dataSource.getConnection();
        boundaryConnection.setAutoCommit(false);
        DataSource transactionAware = TransactionAwareDataSource.of(db.dataSource, boundaryConnection);
        dsl = DSL.using(roan.attach(DSL.using(transactionAware, SQLDialect.H2).configuration()));
    }

    @AfterEach
    void close() throws Exception {
        boundaryConnection.close();
        roan.close();
        cache.close();
        db.close();
    }

    private int outboxRows() {
        return db.onSeparateConnection(d -> d.fetchCount(DSL.table(DSL.name("ROAN_OUTBOX"))));
    }

    /** The boundary's commit: Roan's rows written just before it, its purges delivered after. */
    private void commit(Held transaction) throws SQLException {
        Runnable afterCommit = transaction.beforeCommit().apply(transaction.paths());
        assertThat(outboxRows()).as("the rows written in the boundary's transaction").isZero();
        boundaryConnection.commit();
        assertThat(outboxRows()).as("and committed with it").isEqualTo(1);
        assertThat(cache.paths()).as("nothing sent before the commit").isEmpty();
        afterCommit.run();
    }

    @Test
    void aJooqTransactionInsideTheBoundaryHasItsRowsWrittenJustBeforeTheBoundaryCommits() throws Exception {
        dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "T").where(POST.ID.eq(1L)).execute());

        assertThat(held).singleElement().satisfies(h -> assertThat(h.paths()).contains("/posts"));
        assertThat(outboxRows()).as("nothing written while the boundary's transaction is open").isZero();

        try (LogCapture log = new LogCapture()) {
            commit(held.get(0));
            assertThat(log.messages(Level.WARNING)).as("the transaction's own connection").isEmpty();
        }

        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).containsExactly("/posts");
        PageIndexContract.await("the row deleted once delivered", () -> outboxRows() == 0);
    }

    @Test
    void rowsWrittenOnAConnectionThatAutoCommitsAreWarnedOfOnce() throws SQLException {
        boundaryConnection.setAutoCommit(true);
        try (LogCapture log = new LogCapture()) {
            dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "T").where(POST.ID.eq(1L)).execute());
            dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "U").where(POST.ID.eq(2L)).execute());
            held.get(0).beforeCommit().apply(held.get(0).paths());
            held.get(1).beforeCommit().apply(held.get(1).paths());

            assertThat(log.messages(Level.WARNING)).as("not the transaction's connection")
                    .singleElement().asString().contains("auto-commit mode", "TransactionAwareDataSourceProxy");
        }
    }

    @Test
    void aBoundaryCommitWithNothingOwedWritesNoRow() throws SQLException {
        dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "T").where(POST.ID.eq(1L)).execute());

        held.get(0).beforeCommit().apply(Set.of()).run();
        boundaryConnection.commit();

        assertThat(outboxRows()).isZero();
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).isEmpty();
    }

    @Test
    void aBoundaryThatCannotWriteTheRowsBeforeItsCommitIsWarnedOfInDurableMode() {
        TransactionBoundary pathsOnly = (paths, release) -> true;
        try (LogCapture log = new LogCapture()) {
            Roan.builder().purgeUrl(cache.purgeUrl()).outbox(db.dataSource).transactionBoundary(boundary).build()
                    .close();
            assertThat(log.messages(Level.WARNING)).as("a boundary that writes them").isEmpty();

            Roan.builder().purgeUrl(cache.purgeUrl()).outbox(db.dataSource).transactionBoundary(pathsOnly).build()
                    .close();
            assertThat(log.messages(Level.WARNING)).singleElement().asString()
                    .contains("does not implement hold(paths, release, beforeCommit)", "lost in a crash");

            Roan.builder().purgeUrl(cache.purgeUrl()).transactionBoundary(pathsOnly).build().close();
            assertThat(log.messages(Level.WARNING)).as("in memory mode, nothing to write").hasSize(1);
        }
    }

    @Test
    void aBoundaryThatOnlyHoldsPathsIsGivenThemInDurableModeToo() {
        List<Set<String>> heldPaths = new CopyOnWriteArrayList<>();
        TransactionBoundary pathsOnly = (paths, release) -> heldPaths.add(Set.copyOf(paths));
        try (Roan other = Roan.builder().purgeUrl(cache.purgeUrl()).outbox(db.dataSource)
                .transactionBoundary(pathsOnly).closeTimeout(Duration.ofMillis(200)).build()) {
            other.purge("/posts").onWrite(POST);
            DSLContext inBoundary = DSL.using(other.attach(DSL.using(
                    TransactionAwareDataSource.of(db.dataSource, boundaryConnection), SQLDialect.H2).configuration()));

            inBoundary.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "T").where(POST.ID.eq(1L)).execute());

            assertThat(heldPaths).anySatisfy(paths -> assertThat(paths).contains("/posts"));
            assertThat(other.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.paths()).as("held by the boundary until its commit").isEmpty();
        }
    }
}
