package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;

import javax.sql.DataSource;

import dev.roan.testkit.PurgeServer;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The page index shared through the database, against a real database: the same behaviours on H2, PostgreSQL and
 * MariaDB (one subclass each). Two Roans on one database stand for two instances of an application; purges go to a
 * real local HTTP endpoint ({@link PurgeServer}); the database can be taken down and threads stopped at a statement
 * ({@link FaultyDataSource}).
 */
abstract class PageIndexContract {

    static final Duration WAIT = Waits.DELIVERY;
    static final String TABLE = Roan.DEFAULT_PAGE_INDEX_TABLE;
    static final String PAGE = "/owners/4";
    static final Dependency OWNER_4 = Dependency.row("owners", "id", "4");
    static final Dependency PETS_OF_4 = Dependency.row("pets", "owner_id", "4");
    static final Dependency VISITS = Dependency.table("visits");
    /** The instances' wait before they try a refusing database again (maxRetryInterval, under FIRST_PROBE). */
    static final Duration RETRY = Duration.ofMillis(100);

    /** The database under test: a fresh one, or an emptied one, per test. */
    abstract DataSource dataSource() throws Exception;

    abstract SQLDialect dialect();

    private final List<Roan> roans = new ArrayList<>();
    /**
     * Every instance's clock: their indexes read a write's keys a second time and try a refusing database again when
     * the test moves it, not after real seconds.
     */
    final FakeClock clock = new FakeClock();
    DataSource raw;
    FaultyDataSource db;
    PurgeServer cache;

    @BeforeEach
    void emptyDatabase() throws Exception {
        raw = dataSource();
        db = new FaultyDataSource(raw);
        execute("DROP TABLE IF EXISTS " + TABLE);
        execute("DROP TABLE IF EXISTS " + TABLE + "_log");
        execute("DROP TABLE IF EXISTS roan_outbox");
        cache = new PurgeServer();
    }

    @AfterEach
    void close() {
        roans.forEach(Roan::close);
        cache.close();
    }

    /** An instance of the application: a Roan purging {@link #cache}, sharing its page index through {@link #db}. */
    Roan instance(UnaryOperator<Roan.Builder> customise) {
        Roan roan = clock.build(customise.apply(Roan.builder().purgeUrl(cache.purgeUrl()).pageIndex(db.dataSource)
                .maxRetryInterval(RETRY).closeTimeout(Duration.ofMillis(200))));
        roans.add(roan);
        return roan;
    }

    Roan instance() {
        return instance(UnaryOperator.identity());
    }

    /** What instance {@code roan} does once a write with these keys committed: hand them to its dispatcher. */
    static void committed(Roan roan, Dependency... keys) {
        List<String> targets = new ArrayList<>();
        for (Dependency key : keys) {
            targets.add(key.target());
        }
        roan.delivery().dispatcher().submit(targets);
    }

    /** The paths purged so far, once everything owed is delivered. */
    List<String> purged(Roan roan) {
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        return cache.paths();
    }

    @Test
    void aPageRenderedThroughOneInstanceIsPurgedByAWriteCommittedThroughAnother() {
        Roan a = instance();
        Roan b = instance();

        a.sharedIndex().replace(PAGE, Set.of(OWNER_4, PETS_OF_4));
        committed(b, PETS_OF_4);

        assertThat(purged(b)).containsExactly(PAGE);
        assertThat(rows()).as("one row per key of the page").isEqualTo(2);
    }

    @Test
    void aWriteOfAKeyNoPageDependsOnPurgesNothing() {
        Roan a = instance();
        Roan b = instance();

        a.sharedIndex().replace(PAGE, Set.of(OWNER_4));
        committed(b, Dependency.row("owners", "id", "5"), Dependency.table("vets"));

        assertThat(purged(b)).isEmpty();
    }

    @Test
    void renderingAPageAgainReplacesItsKeys() {
        Roan a = instance();
        Roan b = instance();

        a.sharedIndex().replace(PAGE, Set.of(OWNER_4, PETS_OF_4));
        b.sharedIndex().replace(PAGE, Set.of(OWNER_4, VISITS));
        committed(a, PETS_OF_4);
        assertThat(purged(a)).as("a key of the earlier render only").isEmpty();

        committed(a, VISITS);
        assertThat(purged(a)).as("a key of the later render").containsExactly(PAGE);
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void aPageRenderedAgainWithTheSameKeysWritesNothing() {
        Roan a = instance();
        a.sharedIndex().replace(PAGE, Set.of(OWNER_4, PETS_OF_4));
        Roan b = instance();
        db.clear();

        b.sharedIndex().replace(PAGE, Set.of(PETS_OF_4, OWNER_4));

        assertThat(db.prepared("DELETE")).as("deletes").isEmpty();
        assertThat(db.prepared("INSERT")).as("inserts").isEmpty();
        assertThat(db.prepared("MERGE")).as("merges").isEmpty();
        String render = Thread.currentThread().getName();
        assertThat(db.prepared("SELECT")).as("on the rendering thread, one read of the page's rows")
                .filteredOn(p -> p.thread().equals(render)).hasSize(1);
    }

    @Test
    void aWritesKeysAreReadOnTheIndexThreadInListsOfAtMostAThousand() {
        Roan a = instance();
        Set<Dependency> keys = new LinkedHashSet<>();
        for (int i = 0; i < 2_500; i++) {
            keys.add(Dependency.row("visits", "id", Integer.toString(i)));
        }
        a.sharedIndex().replace(PAGE, keys);
        db.clear();

        committed(a, keys.toArray(Dependency[]::new));

        assertThat(purged(a)).containsExactly(PAGE);
        List<FaultyDataSource.Prepared> reads = db.prepared("SELECT dependency, url").stream()
                .filter(p -> p.sql().contains("dependency IN")).toList();
        assertThat(reads).as("2,500 keys, three reads").hasSize(3);
        assertThat(reads).allSatisfy(read -> {
            assertThat(read.thread()).as("the reading thread").isEqualTo("roan-page-index");
            assertThat(read.sql().chars().filter(c -> c == '?').count()).isLessThanOrEqualTo(1_000);
        });
    }

    @Test
    void theDatabaseDownWhileAWritesKeysExpandKeepsThemUntilItAnswers() throws Exception {
        Roan a = instance();
        Roan b = instance();
        a.sharedIndex().replace(PAGE, Set.of(OWNER_4));
        try (LogCapture log = new LogCapture()) {
            db.down(true);
            committed(b, OWNER_4);
            assertThat(b.sharedIndex().owedKeys()).isEqualTo(1);
            // Several reads fail meanwhile: it is tried again every RETRY.
            for (int i = 0; i < 3; i++) {
                clock.advance(RETRY);
                assertThat(b.flush(Duration.ofMillis(50))).as("flush while down").isFalse();
            }
            assertThat(cache.paths()).isEmpty();
            assertThat(b.sharedIndex().owedKeys()).as("the key is still owed").isEqualTo(1);
            assertThat(log.messages(Level.WARNING)).as("one warning per outage").singleElement().asString()
                    .contains("could not read its page index table " + TABLE).doesNotContain("owners");

            db.down(false);
            advanceUntil("the key read once the database answers", RETRY, () -> b.sharedIndex().owedKeys() == 0);

            assertThat(purged(b)).containsExactly(PAGE);
            assertThat(log.messages(Level.INFO)).anySatisfy(m -> assertThat(m).contains("again"));
        }
    }

    @Test
    void aPageWhoseKeysTheDatabaseRefusedIsWrittenOnceItAnswers() {
        Roan a = instance();
        Roan b = instance();

        db.down(true);
        a.sharedIndex().replace(PAGE, Set.of(OWNER_4));
        db.down(false);
        clock.advance(RETRY);
        assertThat(a.sharedIndex().flush(WAIT)).as("the page written").isTrue();
        committed(b, OWNER_4);

        assertThat(purged(b)).containsExactly(PAGE);
    }

    /**
     * Two instances render one page at once, with different keys: the later replace reads what the earlier one left
     * (it waits for the earlier one's lock on the page's rows), so it keeps all of its own keys.
     */
    @Test
    void twoRendersOfOnePageAtOnceLeaveTheLaterOnesKeys() throws Exception {
        Roan a = instance();
        Roan b = instance();
        a.sharedIndex().replace(PAGE, Set.of(OWNER_4, PETS_OF_4));
        CountDownLatch aInside = new CountDownLatch(1);
        CountDownLatch aGoOn = new CountDownLatch(1);
        CountDownLatch bRead = new CountDownLatch(1);
        db.beforePrepare(sql -> {
            // A stops before its INSERT: it has read and locked the page's rows and deleted PETS_OF_4.
            if (Thread.currentThread().getName().equals("render-a") && (sql.startsWith("INSERT")
                    || sql.startsWith("MERGE"))) {
                aInside.countDown();
                await(aGoOn);
            }
        });
        db.afterQuery(sql -> {
            if (Thread.currentThread().getName().equals("render-b")) {
                bRead.countDown();
            }
        });

        Thread renderA = new Thread(() -> a.sharedIndex().replace(PAGE, Set.of(OWNER_4, VISITS)), "render-a");
        renderA.start();
        assertThat(aInside.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        Thread renderB = new Thread(() -> b.sharedIndex().replace(PAGE, Set.of(OWNER_4, PETS_OF_4)), "render-b");
        renderB.start();
        // B's read waits for A's lock; without it, B reads at once what A has not committed yet.
        bRead.await(300, TimeUnit.MILLISECONDS);
        aGoOn.countDown();
        renderA.join(WAIT.toMillis());
        renderB.join(WAIT.toMillis());
        db.beforePrepare(sql -> { });
        db.afterQuery(sql -> { });
        assertThat(a.sharedIndex().flush(WAIT) && b.sharedIndex().flush(WAIT)).as("nothing owed").isTrue();

        committed(a, PETS_OF_4);
        assertThat(purged(a)).as("a key of B's render, the later one").containsExactly(PAGE);
    }

    /**
     * A render that read before a write committed but writes its keys after the write's expansion read the table (on
     * another instance, whose log of recent keys does not know the write): the keys are read again
     * {@code repurgeAfter} later, and find the page.
     */
    @Test
    void aPageIndexedJustAfterAWritesExpansionIsPurgedByTheExpansionAfterRepurgeAfter() throws Exception {
        Roan a = instance();
        Roan b = instance(builder -> builder.repurgeAfter(Duration.ofMillis(300)));
        committed(b, OWNER_4);
        assertThat(b.sharedIndex().flush(WAIT)).isTrue();
        assertThat(cache.paths()).as("no page indexed yet").isEmpty();

        a.sharedIndex().replace(PAGE, Set.of(OWNER_4));
        assertThat(cache.paths()).as("not before repurgeAfter").isEmpty();

        advanceUntil("the page purged by the second expansion", Duration.ofMillis(300),
                () -> cache.paths().contains(PAGE));
    }

    /**
     * The log of committed keys, on the database's clock: a render that started before another instance's write of one
     * of its keys expanded learns it after writing its keys, whatever both readings of the write's keys found.
     */
    @Test
    void aRenderLearnsAfterItsWriteThatAnotherInstanceCommittedOneOfItsKeysSinceItStarted() throws Exception {
        Roan a = instance();
        Roan b = instance(builder -> builder.repurgeAfter(Duration.ofMillis(50)));
        long started = clock.read();
        long readings = b.sharedIndex().reads();
        committed(b, OWNER_4);
        advanceUntil("both readings of the write's keys", Duration.ofMillis(50),
                () -> b.sharedIndex().reads() >= readings + 2);

        assertThat(a.sharedIndex().replace(PAGE, Set.of(OWNER_4, VISITS), started)).as("a committed key").isTrue();
        assertThat(a.sharedIndex().replace("/visits", Set.of(VISITS), started)).as("no committed key").isFalse();
        assertThat(a.sharedIndex().replace("/all", Set.of(Dependency.EVERYTHING), started)).as("every key").isTrue();
        assertThat(a.sharedIndex().replace("/none", Set.of(), started)).as("no key").isFalse();
        assertThat(cache.paths()).as("neither reading found the page").isEmpty();
    }

    @Test
    void theSecondReadingOfAWritesKeysPurgesOnlyPagesIndexedSinceTheFirst() throws Exception {
        Roan a = instance();
        Roan b = instance();
        a.sharedIndex().replace(PAGE, Set.of(OWNER_4));
        committed(b, OWNER_4);
        assertThat(purged(b)).containsExactly(PAGE);

        a.sharedIndex().replace("/owners", Set.of(OWNER_4, Dependency.table("owners")));
        assertThat(b.sharedIndex().reads()).as("the first reading only").isEqualTo(1);
        advanceUntil("the second reading, a second later", DatabasePageIndex.REEXPAND_AFTER,
                () -> b.sharedIndex().reads() == 2);

        assertThat(purged(b)).as("the page indexed since, not the page purged already")
                .containsExactly(PAGE, "/owners");
    }

    @Test
    void durableModeKeepsTheRowOfAKeyUntilItsPagesAreReadAndPurged() throws Exception {
        FaultyDataSource indexDb = new FaultyDataSource(raw);
        Roan a = instance();
        Roan b = instance(builder -> builder.pageIndex(indexDb.dataSource).outbox(raw)
                .outboxSweepInterval(Duration.ofMillis(100)).outboxLease(Duration.ofSeconds(1)));
        a.sharedIndex().replace(PAGE, Set.of(OWNER_4));

        indexDb.down(true);
        List<String> targets = List.of(OWNER_4.target());
        long[] ids = b.outbox().writeNow(targets);
        b.outbox().committed(targets, ids);
        assertThat(b.flush(Duration.ofMillis(100))).as("its pages cannot be read").isFalse();
        assertThat(outboxRows()).as("the key's row while its pages cannot be read").isEqualTo(1);

        indexDb.down(false);

        advanceUntil("the page purged and the row deleted", RETRY,
                () -> cache.paths().contains(PAGE) && outboxRows() == 0);
    }

    // ---- helpers

    static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Moves the instances' clock on by {@code step} until {@code done}: a timer an index's thread sets after the last
     * move comes due at the next one (bounded by {@link #WAIT} of real time).
     */
    void advanceUntil(String what, Duration step, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as(what).isTrue();
            clock.advance(step);
            Thread.sleep(5);
        }
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as(what).isTrue();
            Thread.sleep(20);
        }
    }

    void execute(String sql) throws SQLException {
        try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    int count(String sql) {
        try (Connection c = raw.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    int rows() {
        return count("SELECT COUNT(*) FROM " + TABLE);
    }

    /**
     * What a key of the index costs on disk: fills it with 250 pages like {@code /owners/123} of 20 keys each and
     * returns the bytes per key, as {@code analyze} then the single value {@code size} answers (less the empty
     * table's), {@code what} saying what that counts; prints it per page and per key.
     */
    long bytesPerKey(String analyze, String size, String what) throws Exception {
        int pages = 250;
        int keysPerPage = 20;
        Roan roan = instance();
        long empty = size(analyze, size);
        for (int page = 0; page < pages; page++) {
            Set<Dependency> keys = new LinkedHashSet<>();
            keys.add(Dependency.row("owners", "id", Integer.toString(page)));
            keys.add(Dependency.row("pets", "owner_id", Integer.toString(page)));
            keys.add(Dependency.table("types"));
            for (int k = 0; k < keysPerPage - 3; k++) {
                keys.add(Dependency.row("visits", "pet_id", Integer.toString(page * 17 + k)));
            }
            roan.sharedIndex().replace("/owners/" + page, keys);
        }
        long bytes = size(analyze, size) - empty;
        System.out.println(getClass().getSimpleName() + ": " + bytes / pages + " bytes per page of " + keysPerPage
                + " keys (" + bytes / (pages * keysPerPage) + " per key), " + what + ", URLs like /owners/123");
        assertThat(rows()).isEqualTo(pages * keysPerPage);
        return bytes / (pages * keysPerPage);
    }

    private long size(String analyze, String size) throws SQLException {
        execute(analyze);
        try (Connection c = raw.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(size)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    int outboxRows() {
        return count("SELECT COUNT(*) FROM roan_outbox");
    }
}
