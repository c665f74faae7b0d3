package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.ThreadLocalTransactionProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hold until commit: purges follow the commit, never a rollback, once per path per transaction. */
class TransactionTest extends TransactionContract {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private TestDb db;
    private PurgeServer cache;
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        db = fixture.db();
        cache = fixture.cache();
        roan = fixture.roan();
        roan.purge("/posts").onWrite(POST);
        roan.purge("/authors").onWrite(AUTHOR);
        dsl = fixture.dsl();
        db.execute(TestRows.ANN);
    }

    @Override
    RoanFixture fixture() {
        return fixture;
    }

    @Override
    int postsWithSlug(String slug) {
        return db.onSeparateConnection(d -> d.fetchCount(POST, POST.SLUG.eq(slug)));
    }

    @Test
    void rolledBackTransactionPurgesNothing() {
        assertThatThrownBy(() -> dsl.transaction(c -> {
            insertPost(DSL.using(c), "rollback");
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(postsWithSlug("rollback")).isZero();
        fixture.assertNothingPurged();
    }

    @Test
    void rolledBackSavepointDropsOnlyItsOwnWrites() {
        dsl.transaction(outer -> {
            DSL.using(outer).update(AUTHOR).set(AUTHOR.NAME, "outer").where(AUTHOR.ID.eq(100L)).execute();
            try {
                DSL.using(outer).transaction(inner -> {
                    insertPost(DSL.using(inner), "inner");
                    throw new IllegalStateException("inner fails");
                });
            } catch (IllegalStateException expected) {
                // the outer transaction goes on
            }
        });
        assertThat(postsWithSlug("inner")).isZero();
        assertThat(fixture.purged()).containsExactly("/authors");
    }

    @Test
    void failedCommitPurgesNothing() {
        ConnectionProvider failingCommits = new ConnectionProvider() {
            @Override
            public Connection acquire() {
                try {
                    return failingCommit(db.dataSource.getConnection());
                } catch (SQLException e) {
                    throw new DataAccessException("acquire", e);
                }
            }

            @Override
            public void release(Connection connection) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    throw new DataAccessException("release", e);
                }
            }
        };
        DSLContext failing = DSL.using(roan.attach(DSL.using(failingCommits, SQLDialect.H2).configuration()));
        assertThatThrownBy(() -> failing.transaction(c -> insertPost(DSL.using(c), "lost")))
                .hasRootCauseMessage("commit refused by the test");
        assertThat(postsWithSlug("lost")).isZero();
        fixture.assertNothingPurged();
    }

    /** A real H2 connection whose commit fails, as a commit may on a serialization failure or a lost link. */
    private static Connection failingCommit(Connection real) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        throw new SQLException("commit refused by the test");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void writeOnConnectionWithAutoCommitOffOutsideATransactionIsReleasedAtOnceWithOneWarning() throws Exception {
        try (LogCapture log = new LogCapture(); Connection connection = db.dataSource.getConnection()) {
            connection.setAutoCommit(false);
            DSLContext manual = DSL.using(roan.attach(DSL.using(connection, SQLDialect.H2).configuration()));
            insertPost(manual, "manual-1");
            insertPost(manual, "manual-2");
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.paths()).as("released without waiting for a commit Roan cannot see")
                    .isNotEmpty().containsOnly("/posts");
            connection.commit();
            assertThat(log.messages(Level.WARNING)).as("one warning, however many writes")
                    .singleElement().asString().contains("auto-commit off", "dsl.transaction");
        }
    }

    @Test
    void threadLocalTransactionProviderKeepsWorking() {
        DataSourceConnectionProvider connections = new DataSourceConnectionProvider(db.dataSource);
        DSLContext threadLocal = DSL.using(roan.attach(DSL.using(connections, SQLDialect.H2).configuration()
                .derive(new ThreadLocalTransactionProvider(connections))));
        threadLocal.transaction(() -> insertPost(threadLocal, "tl"));
        assertThatThrownBy(() -> threadLocal.transaction(() -> {
            threadLocal.update(AUTHOR).set(AUTHOR.NAME, "never").where(AUTHOR.ID.eq(100L)).execute();
            throw new IllegalStateException("rolled back");
        })).hasMessage("rolled back");
        assertThat(postsWithSlug("tl")).isOne();
        assertThat(fixture.purged()).containsExactly("/posts");
    }

    @Test
    void transactionsOnOtherThreadsDoNotHoldEachOthersWrites() throws Exception {
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch otherDone = new CountDownLatch(1);
        CompletableFuture<Void> slowTransaction = CompletableFuture.runAsync(() -> {
            try {
                dsl.transaction(c -> {
                    insertPost(DSL.using(c), "slow");
                    written.countDown();
                    assertThat(otherDone.await(10, TimeUnit.SECONDS)).isTrue();
                    throw new IllegalStateException("rolled back");
                });
            } catch (IllegalStateException expected) {
                // rolled back
            }
        });
        assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
        dsl.update(AUTHOR).set(AUTHOR.NAME, "meanwhile").where(AUTHOR.ID.eq(100L)).execute();
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).as("an auto-commit write while another thread's transaction is open")
                .containsExactly("/authors");
        otherDone.countDown();
        slowTransaction.get(10, TimeUnit.SECONDS);
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).as("the rolled-back transaction on the other thread").containsExactly("/authors");
    }
}
