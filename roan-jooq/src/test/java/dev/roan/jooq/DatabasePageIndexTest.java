package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;

import javax.sql.DataSource;

import dev.roan.testkit.PurgeServer;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shared page index's decisions that need no second instance and no real time: re-purges of pages rendered with a
 * new pin (on a {@link FakeClock}), what a render learns while the database refuses its keys, and the cap on pages
 * kept in memory meanwhile; its retries and their waits, a replace's one transaction, the batches of its statements,
 * and its own thread. {@link PageIndexContract} proves the rest on each database.
 */
class DatabasePageIndexTest {

    private static final Duration WAIT = Waits.DELIVERY;
    /** The index's wait before it tries a refusing database again: maxRetryInterval, as it is under FIRST_PROBE. */
    private static final Duration RETRY = Duration.ofMillis(100);
    private static final String PAGE = "/owners/4";
    private static final Dependency OWNER_4 = Dependency.row("owners", "id", "4");
    private static final Dependency VISITS = Dependency.table("visits");

    private final FakeClock clock = new FakeClock();
    private final PurgeServer cache = new PurgeServer();
    private final String url = "jdbc:h2:mem:page-index-unit-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private final FaultyDataSource db;
    private final Roan roan;

    DatabasePageIndexTest() {
        JdbcDataSource raw = new JdbcDataSource();
        raw.setURL(url);
        db = new FaultyDataSource(raw);
        roan = clock.build(Roan.builder().purgeUrl(cache.purgeUrl()).pageIndex(db.dataSource)
                .maxRetryInterval(RETRY).closeTimeout(Duration.ofMillis(200)));
    }

    @AfterEach
    void close() {
        roan.close();
        cache.close();
    }

    private DatabasePageIndex index() {
        return roan.sharedIndex();
    }

    private java.util.List<String> purged() {
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        return cache.paths();
    }

    @Test
    void aPageRenderedWithAKeyOfANewPinIsPurgedAgainOnceEveryInstanceKnowsThePin() {
        index().pinned("OWNERS", "ID");
        index().replace(PAGE, Set.of(OWNER_4, VISITS));
        assertThat(purged()).as("not yet").isEmpty();

        clock.advance(DatabasePageIndex.PIN_NEW);

        assertThat(purged()).containsExactly(PAGE);
    }

    @Test
    void aPageRenderedWithAKeyOfATablePinIsPurgedAgainToo() {
        index().pinned("visits", null);
        index().replace(PAGE, Set.of(OWNER_4, VISITS));

        clock.advance(DatabasePageIndex.PIN_NEW);

        assertThat(purged()).containsExactly(PAGE);
    }

    @Test
    void aPageWhoseKeysHaveNoNewPinIsNotPurgedAgain() {
        index().pinned("owners", "name");
        index().replace(PAGE, Set.of(OWNER_4, VISITS));

        clock.advance(DatabasePageIndex.PIN_NEW.multipliedBy(2));

        assertThat(purged()).isEmpty();
        assertThat(index().knownPins()).isEqualTo(1);
    }

    @Test
    void aRenderWhoseKeysTheDatabaseRefusesCountsAsOverlappedAndIsWrittenOnceItAnswers() throws Exception {
        long started = clock.read();
        try (LogCapture log = new LogCapture()) {
            db.down(true);

            assertThat(index().replace(PAGE, Set.of(OWNER_4), started)).as("the log cannot answer: overlapped")
                    .isTrue();
            assertThat(index().replace("/other", Set.of(OWNER_4), started)).as("while pages are owed").isTrue();
            assertThat(index().replace("/empty", Set.of(), started)).as("no key, nothing to overlap").isFalse();
            assertThat(index().replace("/unasked", Set.of(OWNER_4), Long.MIN_VALUE)).as("not asked").isFalse();
            assertThat(log.messages(Level.WARNING)).as("one warning").singleElement().asString()
                    .contains("could not write the keys of a rendered page to its page index table roan_page_index")
                    .doesNotContain("owners");

            db.down(false);
            clock.advance(RETRY);
            assertThat(index().flush(WAIT)).as("the pages written").isTrue();
        }
        assertThat(index().urls(Set.of(OWNER_4))).containsExactlyInAnyOrder(PAGE, "/other", "/unasked");
    }

    @Test
    void aRenderThatStartedLongerAgoThanTheLogKeepsCountsAsOverlapped() {
        long started = clock.read();
        clock.advance(DatabasePageIndex.LOG_KEEP);

        assertThat(index().replace(PAGE, Set.of(OWNER_4), started)).isTrue();
        assertThat(index().replace("/now", Set.of(OWNER_4), clock.read())).as("nothing committed").isFalse();
        assertThat(index().replace("/none", Set.of(), started)).as("no key").isFalse();
    }

    @Test
    void theLogIsAskedUntilTheRenderIsAsOldAsTheLogKeepsLessItsMargin() {
        long started = clock.read();
        clock.advance(DatabasePageIndex.LOG_KEEP.minus(DatabasePageIndex.LOG_MARGIN).minusNanos(1_000));

        assertThat(index().replace(PAGE, Set.of(OWNER_4), started)).as("a microsecond younger: the log says nothing")
                .isFalse();

        clock.advance(Duration.ofNanos(1_000));

        assertThat(index().replace("/other", Set.of(OWNER_4), started)).as("the log may have forgotten").isTrue();
    }

    @Test
    void aRenderOverlapsTheCommitsOfItsKeysLoggedSinceItStartedLessTheMargin() {
        long started = clock.read();
        logAt(VISITS, Duration.ofSeconds(10));
        assertThat(index().replace("/visits", Set.of(VISITS), started)).as("logged before the margin").isFalse();

        roan.delivery().dispatcher().submit(List.of(OWNER_4.target()));
        assertThat(roan.flush(WAIT)).isTrue();

        assertThat(index().replace(PAGE, Set.of(OWNER_4), started)).as("logged since").isTrue();
        assertThat(index().replace("/both", Set.of(VISITS, OWNER_4), started)).as("one of its keys").isTrue();
        assertThat(index().replace("/all", Set.of(Dependency.EVERYTHING), started)).as("any key").isTrue();
        assertThat(index().replace("/visits", Set.of(VISITS), started)).as("another key").isFalse();
    }

    @Test
    void aPinKnownForPinNewNoLongerPurgesItsPagesAgain() {
        index().pinned("owners", "id");
        clock.advance(DatabasePageIndex.PIN_NEW);

        index().replace(PAGE, Set.of(OWNER_4, VISITS));
        clock.advance(DatabasePageIndex.PIN_NEW);

        assertThat(purged()).isEmpty();
    }

    @Test
    void theLogForgetsTheKeysItNoLongerKeepsOncePerPruneInterval() {
        logAt(VISITS, DatabasePageIndex.LOG_KEEP.plusMinutes(1));
        logAt(OWNER_4, Duration.ofSeconds(10));

        commit(OWNER_4);
        assertThat(rows("roan_page_index_log")).as("too soon to prune").isEqualTo(3);

        clock.advance(DatabasePageIndex.LOG_PRUNE_EVERY.minusNanos(1));
        commit(OWNER_4);
        assertThat(rows("roan_page_index_log")).as("still too soon").isEqualTo(4);

        clock.advance(Duration.ofNanos(1));
        commit(OWNER_4);
        assertThat(rows("roan_page_index_log")).as("the old row forgotten, the recent ones kept").isEqualTo(4);

        logAt(VISITS, DatabasePageIndex.LOG_KEEP.plusMinutes(1));
        commit(OWNER_4);
        assertThat(rows("roan_page_index_log")).as("pruned a minute ago").isEqualTo(6);
    }

    @Test
    void aCommitOfExactlyOneBatchOfKeysIsLoggedWhole() {
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < DatabasePageIndex.BATCH; i++) {
            keys.add(Dependency.row("owners", "id", String.valueOf(i)).target());
        }
        db.clear();
        roan.delivery().dispatcher().submit(keys);
        assertThat(roan.flush(WAIT)).isTrue();

        assertThat(rows("roan_page_index_log")).isEqualTo(DatabasePageIndex.BATCH);
        // And read in one statement: PostgreSQL and MariaDB refuse an empty IN list.
        assertThat(db.prepared("SELECT dependency, url FROM roan_page_index WHERE dependency IN")).as("read")
                .singleElement().satisfies(p -> assertThat(p.sql()).doesNotContain("IN ()"));
    }

    /** A write of {@code key} commits here: its key is logged (and the log pruned when due) before it is read. */
    private void commit(Dependency key) {
        roan.delivery().dispatcher().submit(List.of(key.target()));
        assertThat(roan.flush(WAIT)).isTrue();
    }

    /** Logs {@code key} as committed {@code ago} by the database's clock. */
    private void logAt(Dependency key, Duration ago) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                java.sql.PreparedStatement insert = c.prepareStatement("INSERT INTO roan_page_index_log"
                        + " (dependency, committed_at) VALUES (?, DATEADD(MILLISECOND, -CAST(? AS BIGINT),"
                        + " CURRENT_TIMESTAMP(6)))")) {
            insert.setLong(1, PageIndexSql.hash(key.target()));
            insert.setLong(2, ago.toMillis());
            insert.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void beyondTheCapOfPagesKeptInMemoryTheOldestIsPurgedAndCounted() throws InterruptedException {
        db.down(true);
        for (int page = 0; page < DatabasePageIndex.MAX_OWED_PAGES; page++) {
            index().replace("/p/" + page, Set.of(OWNER_4));
        }
        assertThat(index().droppedPages()).as("at the cap").isZero();

        index().replace("/p/last", Set.of(OWNER_4));

        assertThat(index().droppedPages()).isEqualTo(1);
        assertThat(cache.take().path()).as("purged, so that it is rendered again").isEqualTo("/p/0");
    }

    @Test
    void aPageRenderedAgainWhileItsFormerKeysAreOwedIsWrittenWithItsLatestKeys() {
        db.down(true);
        index().replace(PAGE, Set.of(OWNER_4));
        index().replace(PAGE, Set.of(VISITS));
        db.down(false);
        clock.advance(RETRY);

        assertThat(index().flush(WAIT)).isTrue();
        assertThat(index().urls(Set.of(OWNER_4))).isEmpty();
        assertThat(index().urls(Set.of(VISITS))).containsExactly(PAGE);
    }

    @Test
    void aPageRenderedAgainWithOtherKeysIsWrittenAndCounted() {
        index().replace(PAGE, Set.of(OWNER_4));
        long writes = index().writes();
        index().replace(PAGE, Set.of(OWNER_4));
        assertThat(index().writes()).as("the same keys: no write").isEqualTo(writes);

        index().replace(PAGE, Set.of(VISITS));

        assertThat(index().writes()).isEqualTo(writes + 1);
        assertThat(index().urls(Set.of(OWNER_4, VISITS))).containsExactly(PAGE);
    }

    @Test
    void keptTargetsArePurgedPathsAtOnceAndKeysAsTheirPages() {
        index().replace(PAGE, Set.of(OWNER_4));

        index().submitKept(List.of("/owners", OWNER_4.target()));

        assertThat(purged()).containsExactlyInAnyOrder("/owners", PAGE);
    }

    @Test
    void aTrackedSubmitCompletesOnceTheKeysPagesAreDelivered() throws Exception {
        index().replace(PAGE, Set.of(OWNER_4));

        Settled settled = index().submitTracked(List.of("/owners", OWNER_4.target())).toCompletableFuture()
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(settled).isEqualTo(Settled.DELIVERED);
        assertThat(cache.paths()).containsExactlyInAnyOrder("/owners", PAGE);
        assertThat(index().submitTracked(List.of("/pets")).toCompletableFuture()
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("paths only").isEqualTo(Settled.DELIVERED);
    }

    @Test
    void aTrackedSubmitWaitsWhileTheDatabaseIsDownAndIsNotTakenIfTheIndexClosesFirst() throws Exception {
        index().replace(PAGE, Set.of(OWNER_4));
        db.down(true);
        CompletableFuture<Settled> stage = index().submitTracked(List.of(OWNER_4.target())).toCompletableFuture();
        assertThat(index().flush(Duration.ofMillis(300))).as("the key still owed").isFalse();
        assertThat(stage).isNotDone();

        try (LogCapture log = new LogCapture()) {
            index().close();

            assertThat(stage.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(Settled.NOT_TAKEN);
            assertThat(index().owedKeys()).as("nothing kept once closed").isZero();
            assertThat(log.messages(Level.WARNING)).anySatisfy(m -> assertThat(m)
                    .contains("closed before it could read its page index table roan_page_index for the keys of 1"
                            + " commits"));
        }
        assertThat(index().submitTracked(List.of(OWNER_4.target())).toCompletableFuture()
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("once closed").isEqualTo(Settled.NOT_TAKEN);
    }

    @Test
    void aDatabaseWhoseConnectionsDoNotAutoCommitStillGetsThePinsAndTheLogOfCommittedKeys() {
        JdbcDataSource noAutoCommit = new JdbcDataSource();
        noAutoCommit.setURL(url + ";AUTOCOMMIT=OFF");
        FakeClock otherClock = new FakeClock();
        try (Roan other = otherClock.build(Roan.builder().purgeUrl(cache.purgeUrl()).pageIndex(noAutoCommit)
                .closeTimeout(Duration.ofMillis(200)))) {
            int before = rows("roan_page_index");
            other.sharedIndex().pinned("owners", "id");
            other.sharedIndex().replace(PAGE, Set.of(OWNER_4));
            other.delivery().dispatcher().submit(List.of(OWNER_4.target()));
            assertThat(other.flush(WAIT)).isTrue();

            assertThat(rows("roan_page_index")).as("the pin's row and the page's").isEqualTo(before + 2);
            assertThat(rows("roan_page_index_log")).as("the committed key").isEqualTo(1);
            assertThat(index().urls(Set.of(OWNER_4))).containsExactly(PAGE);
        }
    }

    @Test
    void itSaysWhichTableItShares() {
        assertThat(index()).hasToString("DatabasePageIndex[roan_page_index, H2]");
    }

    @Test
    void theColumnAnotherInstancePinnedMakesAWriteHereProduceItsRowKey() throws Exception {
        index().pinned("POST", "ID");
        index().replace(PAGE, Set.of(Dependency.row("post", "id", "1")));
        assertThat(roan.flush(WAIT)).isTrue();

        assertThat(writeThroughAnotherInstance()).containsExactly(PAGE);
    }

    @Test
    void aPinOfEverythingAnotherInstanceLearntMakesEveryWriteHereReachEveryPage() throws Exception {
        index().pinned("*", null);
        index().replace(PAGE, Set.of(Dependency.EVERYTHING));
        assertThat(roan.flush(WAIT)).isTrue();

        assertThat(writeThroughAnotherInstance()).containsExactly(PAGE);
    }

    @Test
    void withoutAPinAWriteHereProducesNoKeyOfThePage() throws Exception {
        index().replace(PAGE, Set.of(Dependency.row("post", "id", "1")));
        assertThat(roan.flush(WAIT)).isTrue();

        assertThat(writeThroughAnotherInstance()).isEmpty();
    }

    /** Another instance, started now, updates post 1: the paths purged then. */
    private List<String> writeThroughAnotherInstance() throws Exception {
        try (TestDb app = new TestDb();
                Roan other = Roan.builder().purgeUrl(cache.purgeUrl()).pageIndex(db.dataSource)
                        .closeTimeout(Duration.ofMillis(200)).build()) {
            app.execute(TestRows.ANN_AND_POSTS_1_AND_2);
            org.jooq.impl.DSL.using(other.attach(app.configuration())).update(dev.roan.jooq.test.db.Tables.POST)
                    .set(dev.roan.jooq.test.db.Tables.POST.TITLE, "New")
                    .where(dev.roan.jooq.test.db.Tables.POST.ID.eq(1L)).execute();
            assertThat(other.flush(WAIT)).isTrue();
            return cache.paths();
        }
    }

    @Test
    void whereEveryCachePurgesByTagAKeyOfANewPinIsPurgedAgainOnceEveryInstanceKnowsIt() throws Exception {
        FakeClock tagClock = new FakeClock();
        try (Roan tags = tagClock.build(Roan.builder().xkeyPurgeUrls(cache.purgeUrl().replace("/purge", ""))
                .pageIndex(db.dataSource).closeTimeout(Duration.ofMillis(200)))) {
            DatabasePageIndex pinsOnly = tags.sharedIndex();
            assertThat(pinsOnly.toString()).endsWith(", pins only]");
            // A pin's age counts from when it was learnt, however long after the start.
            tagClock.advance(Duration.ofHours(1));
            pinsOnly.pinned("owners", "id");

            assertThat(pinsOnly.replace(PAGE, Set.of(OWNER_4, VISITS), tagClock.read())).as("no log to ask")
                    .isFalse();
            assertThat(tags.flush(WAIT)).isTrue();
            assertThat(cache.count()).as("not yet").isZero();

            tagClock.advance(DatabasePageIndex.PIN_NEW);

            assertThat(tags.flush(WAIT)).isTrue();
            assertThat(cache.received()).singleElement()
                    .satisfies(r -> assertThat(r.header("xkey-purge")).isEqualTo(OWNER_4.tag()));
        }
    }

    @Test
    void aRenderTheDatabaseRefusesIsTriedThreeTimesOnTheRenderingThread() {
        try (LogCapture log = new LogCapture()) {
            db.down(true);
            int before = db.connections();

            assertThat(index().replace(PAGE, Set.of(OWNER_4), Long.MIN_VALUE)).as("not asked").isFalse();

            assertThat(db.connections() - before).as("attempts on the rendering thread").isEqualTo(3);
        }
    }

    @Test
    void aRenderWithoutKeysRefusedByTheDatabaseIsNotOverlapped() {
        try (LogCapture log = new LogCapture()) {
            db.down(true);

            assertThat(index().replace(PAGE, Set.of(), clock.read())).isFalse();
        }
    }

    @Test
    void aRenderAfterTheIndexClosedIsNeitherWrittenNorOverlapped() {
        index().close();

        assertThat(index().replace(PAGE, Set.of(OWNER_4), clock.read())).isFalse();
        assertThat(index().urls(Set.of(OWNER_4))).isEmpty();
    }

    @Test
    void aPageThatDropsSeveralKeysAtOnceLosesEachOfThem() {
        Dependency owner5 = Dependency.row("owners", "id", "5");
        index().replace(PAGE, Set.of(OWNER_4, owner5, VISITS));

        index().replace(PAGE, Set.of(VISITS));

        assertThat(index().urls(Set.of(OWNER_4))).isEmpty();
        assertThat(index().urls(Set.of(owner5))).isEmpty();
        assertThat(index().urls(Set.of(VISITS))).containsExactly(PAGE);
    }

    @Test
    void aReplaceThatFailsMidwayLeavesThePageItsFormerKeysUntilItIsWrittenWhole() {
        Dependency owner5 = Dependency.row("owners", "id", "5");
        index().replace(PAGE, Set.of(OWNER_4, VISITS));
        try (LogCapture log = new LogCapture()) {
            // The former keys are deleted, then the insert of the new one fails.
            db.beforePrepare(sql -> {
                if (sql.startsWith("MERGE INTO roan_page_index ")) {
                    throw new IllegalStateException("refused (test)");
                }
            });
            index().replace(PAGE, Set.of(owner5));
            db.beforePrepare(sql -> { });

            assertThat(index().urls(Set.of(OWNER_4, VISITS))).as("rolled back").containsExactly(PAGE);
            assertThat(index().urls(Set.of(owner5))).isEmpty();

            clock.advance(RETRY);
            assertThat(index().flush(WAIT)).isTrue();
        }
        assertThat(index().urls(Set.of(OWNER_4, VISITS))).isEmpty();
        assertThat(index().urls(Set.of(owner5))).containsExactly(PAGE);
    }

    @Test
    void aConnectionIsHandedBackWithTheAutoCommitItCameWithAndNoHalfDoneReplace() throws Exception {
        Dependency owner5 = Dependency.row("owners", "id", "5");
        // A DataSource that hands out one connection and ignores its close, as a pool that resets nothing does.
        try (Connection shared = db.dataSource.getConnection()) {
            Connection unclosable = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> method.getName().equals("close")
                            ? null : method.invoke(shared, args));
            DataSource single = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                    new Class<?>[] {DataSource.class}, (proxy, method, args) -> method.getName().equals("getConnection")
                            ? unclosable : method.invoke(db.dataSource, args));
            FakeClock otherClock = new FakeClock();
            try (Roan other = otherClock.build(Roan.builder().purgeUrl(cache.purgeUrl()).pageIndex(single)
                    .closeTimeout(Duration.ofMillis(200)))) {
                other.sharedIndex().replace(PAGE, Set.of(OWNER_4, VISITS));
                assertThat(shared.getAutoCommit()).isTrue();

                try (LogCapture log = new LogCapture()) {
                    db.beforePrepare(sql -> {
                        if (sql.startsWith("MERGE INTO roan_page_index ")) {
                            throw new IllegalStateException("refused (test)");
                        }
                    });
                    other.sharedIndex().replace(PAGE, Set.of(owner5));
                    db.beforePrepare(sql -> { });
                }

                assertThat(shared.getAutoCommit()).as("after a failure too").isTrue();
                try (java.sql.Statement s = shared.createStatement();
                        java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM roan_page_index WHERE url = '"
                                + PAGE + "'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the deletes of the failed replace rolled back").isEqualTo(2);
                }
            }
        }
    }

    @Test
    void twoPagesSharingAHashAreWarnedOfOnceAndNeitherLosesItsKeys() throws Exception {
        try (LogCapture log = new LogCapture()) {
            index().replace("/clean", Set.of(OWNER_4));
            assertThat(log.messages(Level.WARNING)).as("no collision").isEmpty();

            // Another page whose URL hashes like PAGE's, as one in 10^7 among ten million pages may.
            try (Connection c = java.sql.DriverManager.getConnection(url);
                    java.sql.PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO roan_page_index (dependency, page, url) VALUES (?, ?, '/twin')")) {
                insert.setLong(1, PageIndexSql.hash(VISITS.target()));
                insert.setLong(2, PageIndexSql.hash(PAGE));
                insert.executeUpdate();
            }
            index().replace(PAGE, Set.of(OWNER_4));
            index().replace(PAGE, Set.of(Dependency.row("owners", "id", "5")));

            assertThat(log.messages(Level.WARNING)).singleElement().asString()
                    .contains("two pages share a 64-bit hash");
        }
        assertThat(index().urls(Set.of(VISITS))).containsExactly("/twin");
    }

    @Test
    void theLogForgetsOldKeysWhenDueEvenWithNothingNewCommitted() {
        logAt(VISITS, DatabasePageIndex.LOG_KEEP.plusMinutes(1));
        clock.advance(DatabasePageIndex.LOG_PRUNE_EVERY);

        index().pinned("owners", "id");
        assertThat(index().flush(WAIT)).isTrue();

        assertThat(rows("roan_page_index_log")).isZero();
    }

    @Test
    void aRenderAsksTheLogForEachBatchOfItsKeysAndOnlyForThem() {
        long started = clock.read();
        Set<Dependency> batch = new LinkedHashSet<>();
        for (int i = 0; i < DatabasePageIndex.BATCH; i++) {
            batch.add(Dependency.row("owners", "id", String.valueOf(i)));
        }
        logAt(VISITS, Duration.ZERO);
        assertThat(index().replace("/batch", batch, started)).as("another key logged").isFalse();

        Dependency last = Dependency.row("owners", "id", String.valueOf(DatabasePageIndex.BATCH));
        Set<Dependency> more = new LinkedHashSet<>(batch);
        more.add(last);
        logAt(last, Duration.ZERO);
        assertThat(index().replace("/more", more, started)).as("its key past the first batch logged").isTrue();
    }

    @Test
    void aPinLearntLongAfterTheStartIsNewForPinNewToo() {
        clock.advance(Duration.ofHours(1));
        index().pinned("owners", "id");
        index().replace(PAGE, Set.of(OWNER_4));
        assertThat(purged()).as("not yet").isEmpty();

        clock.advance(DatabasePageIndex.PIN_NEW);

        assertThat(purged()).containsExactly(PAGE);
    }

    @Test
    void theIndexThreadWritesAPageRenderedAgainWhileItWroteItsFormerKeysThenIdles() {
        AtomicReference<Thread> indexThread = new AtomicReference<>();
        try (LogCapture log = new LogCapture()) {
            db.down(true);
            index().replace(PAGE, Set.of(OWNER_4));
            db.down(false);
            AtomicBoolean once = new AtomicBoolean();
            db.beforePrepare(sql -> {
                if (sql.contains("FOR UPDATE") && once.compareAndSet(false, true)) {
                    // On the index's thread, writing the owed page: the page renders again meanwhile.
                    indexThread.set(Thread.currentThread());
                    index().replace(PAGE, Set.of(VISITS));
                }
            });

            clock.advance(RETRY);

            assertThat(index().flush(WAIT)).as("the later render written too").isTrue();
        }
        assertThat(index().urls(Set.of(OWNER_4))).isEmpty();
        assertThat(index().urls(Set.of(VISITS))).containsExactly(PAGE);
        Thread thread = indexThread.get();
        assertThat(thread.getName()).isEqualTo("roan-page-index");
        assertThat(thread.isDaemon()).as("never keeps the JVM alive").isTrue();
        until("the index's thread idles, never spins", () -> thread.getState() == Thread.State.WAITING);
    }

    @Test
    void aFailedReadIsTriedAgainAfterAWaitThatDoublesUpToMaxRetryInterval() {
        try (Bare bare = new Bare(b -> b); LogCapture log = new LogCapture()) {
            FakeClock bareClock = bare.clock;
            db.down(true);
            int attempts = db.connections();
            bare.index.expand(Set.of(), List.of(OWNER_4));
            until("the first read", () -> db.connections() == attempts + 1 && bareClock.timers() == 1);

            int seen = attempts + 1;
            for (long wait : new long[] {1, 2, 4, 5, 5}) {
                // The timer is set after the failure, while the clock stands still: its due time tells the wait.
                assertThat(bareClock.nextDue() - bareClock.read()).as("the wait after read " + (seen - attempts))
                        .isEqualTo(Duration.ofSeconds(wait).toNanos());
                bareClock.advance(Duration.ofSeconds(wait));
                int next = ++seen;
                until("a read after " + wait + " s", () -> db.connections() == next && bareClock.timers() == 1);
            }

            assertThat(log.messages(Level.WARNING)).as("one warning, with its cause").singleElement().asString()
                    .contains("could not read its page index table roan_page_index (the database is down");
            assertThat(log.messages(Level.FINE)).as("the later failures").hasSize(5)
                    .allSatisfy(m -> assertThat(m).contains("could not read its page index table"));
        }
    }

    @Test
    void closingWhileAReadWaitsOutItsRetryTriesTheDatabaseOnceMoreAtOnce() throws Exception {
        index().replace(PAGE, Set.of(OWNER_4));
        try (Bare bare = new Bare(b -> b)) {
            db.down(true);
            int attempts = db.connections();
            bare.index.submitKept(List.of(OWNER_4.target()));
            until("the failed read, its retry due in 1 s", () -> db.connections() == attempts + 1
                    && bare.clock.timers() == 1);
            db.down(false);

            // The clock stands still, so the retry never comes: only close's own try reads the keys.
            bare.index.close(WAIT);
            assertThat(cache.take().path()).as("the page of the key owed when the index closed").isEqualTo(PAGE);
        }
    }

    @Test
    void withoutTheTrackingHookKeysAreReadHereAndTheirPagesDelivered() throws Exception {
        index().replace(PAGE, Set.of(OWNER_4));
        try (Bare bare = new Bare(b -> b)) {
            assertThat(bare.index.submitTracked(List.of(OWNER_4.target())).toCompletableFuture()
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(Settled.DELIVERED);
            assertThat(cache.take().path()).isEqualTo(PAGE);

            bare.index.submitKept(List.of(OWNER_4.target()));
            assertThat(cache.take().path()).as("kept").isEqualTo(PAGE);

            bare.index.close();
            CompletableFuture<Settled> closed = bare.index.submitTracked(List.of("/owners", OWNER_4.target()))
                    .toCompletableFuture();
            assertThat(closed).as("at once, without waiting for its paths").isCompletedWithValue(Settled.NOT_TAKEN);
        }
    }

    @Test
    void keptKeysWhosePagesFindNoRoomLeaveThemToTheOutboxSweepUncounted() throws Exception {
        index().replace(PAGE, Set.of(OWNER_4));
        try (Bare bare = new Bare(b -> b.maxOwedPaths(1).closeTimeout(Duration.ofMillis(200)));
                LogCapture log = new LogCapture()) {
            // The node fails and owes /full until the clock moves: it has no room for another path.
            cache.respond(path -> PurgeServer.Answer.status(503));
            bare.delivery.dispatcher().submit(List.of("/full"));

            bare.index.submitKept(List.of(OWNER_4.target()));
            assertThat(bare.index.flush(WAIT)).isTrue();

            assertThat(bare.delivery.dispatcher().droppedPurges()).as("not dropped: the outbox still holds the key")
                    .isZero();
            assertThat(log.messages(Level.WARNING)).anySatisfy(m -> assertThat(m)
                    .contains("purges of further paths wait in the outbox table"));
        }
    }

    /**
     * A page index on a delivery of its own, without Roan's tracking: nothing else runs on its clock, and no hook
     * takes the keys submitted to it. Retries wait 1 s, doubling up to 5 s.
     */
    private final class Bare implements AutoCloseable {
        final FakeClock clock = new FakeClock();
        final Delivery delivery;
        final DatabasePageIndex index;

        Bare(UnaryOperator<Roan.Builder> settings) {
            delivery = new Delivery(settings.apply(Roan.builder().purgeUrl(cache.purgeUrl())).settings(), clock,
                    clock);
            index = new DatabasePageIndex(db.dataSource, "roan_page_index", true, delivery.dispatcher(),
                    Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(5));
        }

        @Override
        public void close() {
            index.close();
            delivery.close();
        }
    }

    @Test
    void keysTheOutboxKeepsWhosePagesFindNoRoomAreNeitherDroppedNorCountedThroughTrackingToo() throws Exception {
        index().replace(PAGE, Set.of(OWNER_4));
        FakeClock otherClock = new FakeClock();
        try (LogCapture log = new LogCapture();
                Roan other = otherClock.build(Roan.builder().purgeUrl(cache.purgeUrl()).pageIndex(db.dataSource)
                        .maxOwedPaths(1).closeTimeout(Duration.ofMillis(200)))) {
            cache.respond(path -> PurgeServer.Answer.status(503));
            other.delivery().dispatcher().submit(List.of("/full"));

            // Tracking's hook takes the keys: owed once, as the outbox's, never a second time as a write's.
            other.sharedIndex().submitKept(List.of(OWNER_4.target()));
            assertThat(other.sharedIndex().flush(WAIT)).isTrue();

            assertThat(other.droppedPurges()).isZero();
        }
    }

    @Test
    void theIndexReadsThePinsAgainAfterARefusedReading() throws Exception {
        try (LogCapture log = new LogCapture()) {
            db.down(true);
            clock.advance(DatabasePageIndex.PIN_REFRESH);
            until("the refused reading's warning and the next reading's timer", () -> clock.timers() == 1
                    && log.messages(Level.WARNING).stream().anyMatch(m -> m.contains(
                            "could not read the pins of tracked reads from its page index table roan_page_index")));
            db.down(false);
            // Another instance learns a pin meanwhile.
            try (Connection c = java.sql.DriverManager.getConnection(url);
                    java.sql.PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO roan_page_index (dependency, page, url) VALUES (?, ?, 'owners.id')")) {
                insert.setLong(1, PageIndexSql.pinHash("owners.id"));
                insert.setLong(2, PageIndexSql.hash(PageIndexSql.PINS));
                insert.executeUpdate();
            }

            clock.advance(DatabasePageIndex.PIN_REFRESH);

            until("the pin learnt", () -> index().knownPins() == 1);
        }
    }

    /** Waits, parked rather than spinning, until {@code done}: for the index's own thread. */
    private static void until(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
            LockSupport.parkNanos(1_000_000);
        }
    }

    private int rows(String table) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
