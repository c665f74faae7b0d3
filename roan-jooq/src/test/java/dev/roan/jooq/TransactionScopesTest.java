package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import org.h2.jdbcx.JdbcDataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.TransactionProvider;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.DefaultTransactionListenerProvider;
import org.jooq.impl.DefaultTransactionProvider;
import org.jooq.impl.ThreadLocalTransactionProvider;
import org.junit.jupiter.api.Test;

/**
 * Hold until commit, without HTTP: paths held inside jOOQ transactions reach the dispatcher (whose delivery executor
 * never runs here, so what it was given stays pending) only when the outermost transaction commits.
 */
class TransactionScopesTest {

    private final DispatcherTest.FakeTicker ticker = new DispatcherTest.FakeTicker(1_000L);
    private final DispatcherTest.FakeTarget node = new DispatcherTest.FakeTarget("node");
    private final DispatcherTest.ManualExecutor executor = new DispatcherTest.ManualExecutor();
    private final Dispatcher dispatcher = new Dispatcher(List.of(node), executor, new DispatcherTest.ManualScheduler(ticker), ticker, null,
            Duration.ZERO);
    private final JdbcDataSource dataSource = new JdbcDataSource();

    TransactionScopesTest() {
        dataSource.setURL("jdbc:h2:mem:scopes-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    private DSLContext dsl(TransactionScopes scopes, TransactionProvider explicit) {
        DSLContext plain = DSL.using(dataSource, SQLDialect.H2);
        return DSL.using(plain.configuration().derive(new TransactionScopes.Provider(explicit, scopes)));
    }

    private DSLContext dsl(TransactionScopes scopes) {
        return dsl(scopes, null);
    }

    private List<String> pending() {
        Map<String, List<String>> pending = dispatcher.pending();
        return pending.isEmpty() ? List.of() : pending.get("node");
    }

    @Test
    void pathsHeldInATransactionArePurgedAfterItsCommit() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        dsl(scopes).transaction(c -> {
            assertThat(scopes.hold(List.of("/a"))).as("a transaction is open").isTrue();
            assertThat(pending()).as("before the commit").isEmpty();
        });
        assertThat(pending()).containsExactly("/a");
    }

    @Test
    void outsideATransactionNothingIsHeld() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        assertThat(scopes.hold(List.of("/a"))).isFalse();
        dsl(scopes).transaction(c -> {});
        assertThat(scopes.hold(List.of("/a"))).as("after the transaction ended").isFalse();
        assertThat(pending()).isEmpty();
    }

    @Test
    void aRolledBackTransactionPurgesNothing() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        assertThatThrownBy(() -> dsl(scopes).transaction(c -> {
            scopes.hold(List.of("/a"));
            throw new IllegalStateException("roll back");
        })).hasMessageContaining("roll back");
        assertThat(pending()).isEmpty();
        assertThat(scopes.hold(List.of("/b"))).as("no frame left behind").isFalse();
    }

    @Test
    void droppedPathsAreLoggedAtDebugLevel() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        try (LogCapture log = new LogCapture()) {
            try {
                dsl(scopes).transaction(outer -> {
                    try {
                        DSL.using(outer).transaction(inner -> {
                            scopes.hold(List.of("/inner"));
                            throw new IllegalStateException("roll back the savepoint");
                        });
                    } catch (IllegalStateException expected) {
                        // the outer transaction goes on, and fails too
                    }
                    scopes.hold(List.of("/outer"));
                    throw new IllegalStateException("roll back");
                });
            } catch (IllegalStateException expected) {
                // rolled back
            }
            assertThat(log.messages(java.util.logging.Level.FINE)).containsExactly(
                    "Savepoint rolled back, dropped purges of [/inner]",
                    "Transaction rolled back, dropped purges of [/outer]");
        }
    }

    @Test
    void aCommittedSavepointHandsItsPathsToTheOuterTransaction() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        dsl(scopes).transaction(outer -> {
            DSL.using(outer).transaction(inner -> scopes.hold(List.of("/inner")));
            assertThat(pending()).as("the outer transaction has not committed").isEmpty();
            scopes.hold(List.of("/outer"));
        });
        assertThat(pending()).containsExactlyInAnyOrder("/inner", "/outer");
    }

    @Test
    void aRolledBackSavepointDropsItsOwnPathsOnly() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        dsl(scopes).transaction(outer -> {
            scopes.hold(List.of("/outer"));
            try {
                DSL.using(outer).transaction(inner -> {
                    scopes.hold(List.of("/inner"));
                    throw new IllegalStateException("roll back the savepoint");
                });
            } catch (IllegalStateException expected) {
                // the outer transaction goes on
            }
            assertThat(scopes.hold(List.of("/after"))).as("the outer frame is current again").isTrue();
        });
        assertThat(pending()).containsExactlyInAnyOrder("/outer", "/after");
    }

    @Test
    void withoutSavepointsAnInnerRollbackKeepsItsPathsForTheOuterCommit() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        DSLContext dsl = dsl(scopes, new DefaultTransactionProvider(new DataSourceConnectionProvider(dataSource),
                false));
        dsl.transaction(outer -> {
            try {
                DSL.using(outer).transaction(inner -> {
                    scopes.hold(List.of("/inner"));
                    throw new IllegalStateException("no savepoint to roll back to");
                });
            } catch (IllegalStateException expected) {
                // the inner writes stay in the outer transaction
            }
        });
        assertThat(pending()).as("an extra purge, never a stale page").containsExactly("/inner");
    }

    @Test
    void anImplicitCommitReleasesWhatEveryOpenFrameHolds() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        dsl(scopes).transaction(outer -> {
            scopes.hold(List.of("/outer"));
            DSL.using(outer).transaction(inner -> {
                scopes.hold(List.of("/inner"));
                scopes.implicitCommit();
                assertThat(pending()).containsExactlyInAnyOrder("/outer", "/inner");
                executor.runAll();
                node.complete("/outer");
                node.complete("/inner");
                executor.runAll();
            });
        });
        executor.runAll();
        assertThat(node.sent()).as("released once, not again at the commit")
                .containsExactlyInAnyOrder("/outer", "/inner");
    }

    @Test
    void anImplicitCommitWithoutATransactionDoesNothing() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        scopes.implicitCommit();
        assertThat(pending()).isEmpty();
    }

    @Test
    void committedWorkIsDeliveredAndUncommittedWorkIsNot() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        assertThat(scopes.release(Set.of("/unknown"), false)).isFalse();
        assertThat(pending()).isEmpty();
        assertThat(scopes.release(Set.of("/committed"), true)).isTrue();
        assertThat(pending()).containsExactly("/committed");
    }

    @Test
    void aBoundaryThatTakesThePathsDeliversThemThroughTheReleaseItIsGiven() {
        List<Consumer<Set<String>>> releases = new ArrayList<>();
        TransactionScopes scopes = new TransactionScopes(dispatcher, (paths, release) -> {
            releases.add(release);
            return true;
        });
        assertThat(scopes.release(Set.of("/a"), false)).as("taken by the boundary").isTrue();
        assertThat(pending()).isEmpty();
        releases.get(0).accept(new LinkedHashSet<>(List.of("/a")));
        assertThat(pending()).containsExactly("/a");
    }

    @Test
    void aBoundaryWithoutATransactionLeavesThePathsToRoan() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, (paths, release) -> false);
        assertThat(scopes.release(Set.of("/a"), false)).isFalse();
        assertThat(scopes.release(Set.of("/b"), true)).isTrue();
        assertThat(pending()).containsExactly("/b");
    }

    @Test
    void aFailingBoundaryIsLoggedAndRoanDeliversItself() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, (paths, release) -> {
            throw new IllegalStateException("boundary broke");
        });
        try (LogCapture log = new LogCapture()) {
            assertThat(scopes.release(Set.of("/a"), true)).isTrue();
            assertThat(log.messages(java.util.logging.Level.WARNING)).singleElement().asString()
                    .contains("transaction boundary").contains("failed");
        }
        assertThat(pending()).containsExactly("/a");
    }

    @Test
    void aCommitOfTheOutermostTransactionGoesThroughTheBoundary() {
        List<Set<String>> held = new ArrayList<>();
        TransactionScopes scopes = new TransactionScopes(dispatcher, (paths, release) -> held.add(Set.copyOf(paths)));
        dsl(scopes).transaction(c -> scopes.hold(List.of("/a")));
        assertThat(held).containsExactly(Set.of("/a"));
        assertThat(pending()).isEmpty();
        dsl(scopes).transaction(c -> {});
        assertThat(held).as("an empty transaction holds nothing").hasSize(1);
    }

    @Test
    void theProviderSaysWhatItWraps() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        assertThat(new TransactionScopes.Provider(null, scopes))
                .hasToString("Roan(jOOQ's default transaction provider)");
        TransactionProvider explicit = new DefaultTransactionProvider(new DataSourceConnectionProvider(dataSource));
        assertThat(new TransactionScopes.Provider(explicit, scopes)).hasToString("Roan(" + explicit + ")");
    }

    @Test
    void theWrappedProviderStillCommitsAndRollsBackTheDatabaseTransaction() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        DSLContext dsl = dsl(scopes);
        dsl.execute("create table t (id int)");
        dsl.transaction(c -> DSL.using(c).execute("insert into t values (1)"));
        assertThatThrownBy(() -> dsl.transaction(c -> {
            DSL.using(c).execute("insert into t values (2)");
            throw new IllegalStateException("roll back");
        })).hasMessageContaining("roll back");
        assertThat(DSL.using(dataSource, SQLDialect.H2).fetchValue("select listagg(id, ',') from t"))
                .as("seen from another connection").isEqualTo("1");
    }

    /** A configuration on jOOQ's ThreadLocalTransactionProvider, which Roan follows through transaction events. */
    private DSLContext threadLocal(TransactionScopes scopes) {
        DSLContext plain = DSL.using(dataSource, SQLDialect.H2);
        return DSL.using(plain.configuration().derive(new ThreadLocalTransactionProvider(
                new DataSourceConnectionProvider(dataSource))).derive(new DefaultTransactionListenerProvider(
                new TransactionScopes.Listener(scopes))));
    }

    @Test
    void withThreadLocalTransactionsPathsArePurgedAfterTheCommit() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        threadLocal(scopes).transaction(() -> {
            assertThat(scopes.hold(List.of("/a"))).isTrue();
            assertThat(pending()).isEmpty();
        });
        assertThat(pending()).containsExactly("/a");
        assertThat(scopes.hold(List.of("/b"))).as("no frame left behind").isFalse();
    }

    @Test
    void withThreadLocalTransactionsARollbackDropsThePathsAndLeavesNoFrame() {
        TransactionScopes scopes = new TransactionScopes(dispatcher, null);
        assertThatThrownBy(() -> threadLocal(scopes).transaction(() -> {
            scopes.hold(List.of("/a"));
            throw new IllegalStateException("roll back");
        })).hasMessageContaining("roll back");
        assertThat(pending()).isEmpty();
        assertThat(scopes.hold(List.of("/b"))).as("no frame left behind").isFalse();
    }

    @Test
    void purgeAfterCommitOutsideAJooqTransactionGoesToTheBoundaryThatTakesIt() {
        List<Set<String>> held = new ArrayList<>();
        TransactionScopes scopes = new TransactionScopes(dispatcher, (paths, release) -> held.add(Set.copyOf(paths)));
        try (LogCapture log = new LogCapture()) {
            scopes.byHand(Set.of("/a"));

            assertThat(held).containsExactly(Set.of("/a"));
            assertThat(pending()).isEmpty();
            assertThat(log.messages(java.util.logging.Level.WARNING)).isEmpty();
        }
    }

    @Test
    void purgeAfterCommitOutsideAnyTransactionIsSentAtOnceAndWarnedOfOnlyWithoutABoundary() {
        TransactionScopes declining = new TransactionScopes(dispatcher, (paths, release) -> false);
        TransactionScopes none = new TransactionScopes(dispatcher, null);
        try (LogCapture log = new LogCapture()) {
            declining.byHand(Set.of("/a"));
            assertThat(pending()).containsExactly("/a");
            assertThat(log.messages(java.util.logging.Level.WARNING)).as("a boundary saw no transaction").isEmpty();

            none.byHand(Set.of("/b"));
            none.byHand(Set.of("/c"));
            assertThat(pending()).containsExactly("/a", "/b", "/c");
            assertThat(log.messages(java.util.logging.Level.WARNING)).singleElement().asString()
                    .contains("purgeAfterCommit() outside dsl.transaction(...)");
        }
    }
}
