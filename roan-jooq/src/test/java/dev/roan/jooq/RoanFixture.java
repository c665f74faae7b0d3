package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUDIT_LOG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.testkit.PurgeServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What most tests of Roan stand on: a database, a real purge endpoint, a Roan built against it and a DSLContext
 * attached to it; "write, then take what was purged" in the spirit of OkHttp's MockWebServer. Registered as a
 * {@code @RegisterExtension} field, it closes whatever a test used after that test.
 *
 * <p>Every part is made on first use, in this order of dependence: {@link #cache()}, then {@link #roan()} (the
 * builder customised by {@link #builder}), then {@link #dsl()} (attached to the configuration of {@link #database},
 * H2's {@link TestDb} unless told otherwise, then the marker rule registered). So a test decides whether its rules
 * are registered before or after the attach, and a database that must first be started (PostgreSQL, MariaDB) is
 * only asked for its configuration once it runs.
 *
 * <p>{@link #purged()} proves that a write purged nothing else: it ends with a marker write (by default an insert
 * into AUDIT_LOG, rule "/marker") and a flush, and purges are delivered in order of need, so anything else owed has
 * arrived by then.
 */
final class RoanFixture implements AfterEachCallback {

    private static final Duration FLUSH = Waits.DELIVERY;

    private UnaryOperator<Roan.Builder> builder = UnaryOperator.identity();
    private @Nullable FakeClock clock;
    private Supplier<Configuration> database = () -> db().configuration();
    private String markerPath = "/marker";
    private Table<?> markerTable = AUDIT_LOG;
    private Consumer<DSLContext> markerWrite = d -> d.insertInto(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "marker").execute();

    private ExecutedSql executed;
    private TestDb db;
    private PurgeServer cache;
    private Roan roan;
    private DSLContext dsl;
    /** How many requests the endpoint had received at the last check. */
    private int seen;

    /** Customises the builder, which already points at {@link #cache()}. */
    RoanFixture builder(UnaryOperator<Roan.Builder> customise) {
        if (roan != null) {
            throw new IllegalStateException("Roan is built already: customise the builder before calling roan()");
        }
        this.builder = customise;
        return this;
    }

    /** Builds Roan on {@code clock}: its timers (coalescing, probes, re-purges) wait until the test moves it. */
    RoanFixture clock(FakeClock clock) {
        if (roan != null) {
            throw new IllegalStateException("Roan is built already: set the clock before calling roan()");
        }
        this.clock = clock;
        return this;
    }

    /** The application's configuration before Roan, for a database other than the fixture's H2. */
    RoanFixture database(Supplier<Configuration> configuration) {
        if (dsl != null) {
            throw new IllegalStateException("Roan is attached already: choose the database before calling dsl()");
        }
        this.database = configuration;
        return this;
    }

    /** The write that proves the queue drained, and the rule on {@code table} that makes it purge {@code path}. */
    RoanFixture marker(String path, Table<?> table, Consumer<DSLContext> write) {
        if (dsl != null) {
            throw new IllegalStateException("the marker rule is registered already: choose the marker before dsl()");
        }
        this.markerPath = path;
        this.markerTable = table;
        this.markerWrite = write;
        return this;
    }

    /** Records the SQL the application's configuration executes, Roan's reads included; ask for it before dsl(). */
    ExecutedSql executed() {
        if (executed == null) {
            if (dsl != null) {
                throw new IllegalStateException("Roan is attached already: ask for executed() before calling dsl()");
            }
            executed = new ExecutedSql();
        }
        return executed;
    }

    /** The H2 database with the test schema. */
    TestDb db() {
        if (db == null) {
            db = new TestDb();
        }
        return db;
    }

    /** The purge endpoint every purge of {@link #roan()} goes to. */
    PurgeServer cache() {
        if (cache == null) {
            cache = new PurgeServer();
        }
        return cache;
    }

    /** Roan, built against {@link #cache()}. */
    Roan roan() {
        if (roan == null) {
            Roan.Builder built = builder.apply(Roan.builder().purgeUrl(cache().purgeUrl()));
            roan = clock == null ? built.build() : clock.build(built);
        }
        return roan;
    }

    /**
     * The application's DSLContext: the database's configuration (with {@link #executed()} if asked for) with Roan
     * attached, then the marker rule.
     */
    DSLContext dsl() {
        if (dsl == null) {
            Configuration configuration = database.get();
            dsl = DSL.using(roan().attach(executed == null ? configuration : executed.on(configuration)));
            // After the attach: which rules exist when attaching decides what Roan listens to (records or not),
            // and that stays each test's choice.
            roan.purge(markerPath).onWrite(markerTable);
        }
        return dsl;
    }

    /**
     * The paths purged since the last check, in order of arrival and with repeats, without the marker's purge
     * (which must have arrived).
     */
    List<String> purged() {
        List<String> since = purgedWithMarker();
        assertThat(since.remove(markerPath)).as("the marker write arrived").isTrue();
        return since;
    }

    /** Asserts that no write since the last check purged anything (the marker aside). */
    void assertNothingPurged() {
        assertNothingPurged("purged since the last check");
    }

    /** As {@link #assertNothingPurged()}, saying what the check is about. */
    void assertNothingPurged(String description) {
        assertThat(purged()).as(description).isEmpty();
    }

    /** As {@link #purged()}, each path once: statements apart may purge a path twice. */
    List<String> purgedOnce() {
        return List.copyOf(new LinkedHashSet<>(purged()));
    }

    /** As {@link #purged()}, the marker's purge left among the paths. */
    List<String> purgedWithMarker() {
        markerWrite.accept(dsl());
        assertThat(roan().flush(FLUSH)).as("flush").isTrue();
        List<String> paths = cache().paths();
        List<String> since = new ArrayList<>(paths.subList(seen, paths.size()));
        seen = paths.size();
        return since;
    }

    /** Waits for what is owed, then forgets what was purged so far: the next check starts here. */
    void settle() {
        assertThat(roan().flush(FLUSH)).isTrue();
        seen = cache().count();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        // In the reverse order of their making; parts a test never used, or a set-up that was skipped, are null.
        try {
            if (roan != null) {
                roan.close();
            }
        } finally {
            try {
                if (cache != null) {
                    cache.close();
                }
            } finally {
                if (db != null) {
                    db.close();
                }
            }
        }
    }
}
