package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUDIT_LOG;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.testkit.PurgeServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Level;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.TransactionContext;
import org.jooq.TransactionProvider;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConnectionProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transactions jOOQ does not manage: a {@link TransactionBoundary} for a transaction the application commits on
 * its own JDBC connection, the way Spring's transaction manager does.
 */
class TransactionBoundaryTest {

    /** The application's own transactions, one per thread, as a transaction manager keeps them. */
    private static final class ManualTransactions implements TransactionBoundary {
        private final ThreadLocal<Held> current = new ThreadLocal<>();

        private static final class Held {
            final Set<String> paths = new LinkedHashSet<>();
            Consumer<Set<String>> release;
        }

        void begin() {
            current.set(new Held());
        }

        void committed() {
            Held held = current.get();
            current.remove();
            if (held.release != null) {
                held.release.accept(held.paths);
            }
        }

        void rolledBack() {
            current.remove();
        }

        @Override
        public boolean hold(Set<String> paths, Consumer<Set<String>> release) {
            Held held = current.get();
            if (held == null) {
                return false;
            }
            held.paths.addAll(paths);
            held.release = release;
            return true;
        }
    }

    /** jOOQ transactions as savepoints of the enclosing transaction, as Spring's SpringTransactionProvider does. */
    private static final class SavepointsOnly implements TransactionProvider {
        private final Connection connection;
        private final Deque<Savepoint> savepoints = new ArrayDeque<>();

        SavepointsOnly(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void begin(TransactionContext ctx) {
            try {
                savepoints.push(connection.setSavepoint());
            } catch (SQLException e) {
                throw new DataAccessException("savepoint", e);
            }
        }

        @Override
        public void commit(TransactionContext ctx) {
            try {
                connection.releaseSavepoint(savepoints.pop());
            } catch (SQLException e) {
                throw new DataAccessException("release", e);
            }
        }

        @Override
        public void rollback(TransactionContext ctx) {
            try {
                connection.rollback(savepoints.pop());
            } catch (SQLException e) {
                throw new DataAccessException("rollback", e);
            }
        }
    }

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private TestDb db;
    private PurgeServer cache;
    private final ManualTransactions transactions = new ManualTransactions();
    private Roan roan;
    private Connection connection;
    private DSLContext dsl;

    @BeforeEach
    void setUp() throws Exception {
        db = fixture.db();
        cache = fixture.cache();
        roan = fixture.builder(b -> b.transactionBoundary(transactions)).roan();
        roan.purge("/posts").onWrite(POST);
        connection = db.dataSource.getConnection();
        connection.setAutoCommit(false);
        dsl = fixture.database(() -> DSL.using(new DefaultConnectionProvider(connection), SQLDialect.H2).configuration()
                .derive(new SavepointsOnly(connection))).dsl();
        db.execute(TestRows.ANN);
    }

    @AfterEach
    void tearDown() throws Exception {
        roan.close();
        connection.close();
    }

    private void insertPost(DSLContext ctx, String slug) {
        ctx.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, slug).set(POST.TITLE, slug).execute();
    }

    private int postsWithSlug(String slug) {
        return db.onSeparateConnection(d -> d.fetchCount(POST, POST.SLUG.eq(slug)));
    }

    @Test
    void writeInsideTheBoundarysTransactionIsPurgedAfterItsCommit() throws Exception {
        cache.onArrival(path -> postsWithSlug("managed"));
        transactions.begin();
        insertPost(dsl, "managed");
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.count()).as("purges before the commit").isZero();
        connection.commit();
        transactions.committed();
        PurgeServer.Request request = cache.take();
        assertThat(request.path()).isEqualTo("/posts");
        assertThat(request.observed()).as("rows a separate connection sees when the purge arrives").isEqualTo(1);
    }

    @Test
    void rolledBackTransactionOfTheBoundaryPurgesNothing() throws Exception {
        transactions.begin();
        insertPost(dsl, "rolled back");
        connection.rollback();
        transactions.rolledBack();
        DSL.using(db.dataSource, SQLDialect.H2).insertInto(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "x").execute();
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.count()).isZero();
    }

    @Test
    void jooqTransactionInsideTheBoundarysWaitsForTheOuterCommit() throws Exception {
        transactions.begin();
        dsl.transaction(c -> insertPost(DSL.using(c), "nested"));
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.count()).as("purges at jOOQ's commit, a mere savepoint release").isZero();
        connection.commit();
        transactions.committed();
        assertThat(cache.take().path()).isEqualTo("/posts");
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.count()).as("one purge per path").isOne();
    }

    @Test
    void withoutAnActiveTransactionOfTheBoundaryTheWriteIsPurgedAtOnceWithOneWarning() throws Exception {
        try (LogCapture log = new LogCapture()) {
            insertPost(dsl, "unmanaged");
            assertThat(cache.take().path()).isEqualTo("/posts");
            assertThat(log.messages(Level.WARNING)).singleElement().asString().contains("TransactionBoundary");
            connection.commit();
        }
    }

    @Test
    void aFailingBoundaryDoesNotLoseThePurge() throws Exception {
        try (PurgeServer other = new PurgeServer();
                Roan failing = Roan.builder().purgeUrl(other.purgeUrl()).transactionBoundary((paths, release) -> {
                    throw new IllegalStateException("boundary broken");
                }).build();
                Connection c = db.dataSource.getConnection()) {
            failing.purge("/posts").onWrite(POST);
            c.setAutoCommit(false);
            insertPost(DSL.using(failing.attach(DSL.using(c, SQLDialect.H2).configuration())), "broken");
            assertThat(other.take().path()).isEqualTo("/posts");
            c.commit();
        }
    }
}
