package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.roan.testkit.PurgeServer.Answer;
import dev.roan.testkit.PurgeServer.Request;
import io.github.resilience4j.retry.RetryConfig;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The coalescing window, against H2 and a real local HTTP endpoint: a path written while its purge is on the wire is
 * purged once more no sooner than the window after that purge was sent, a path written after a pause is purged at
 * once, and closing sends what the window holds.
 */
class CoalesceWindowTest {

    private static final RetryConfig FAST_RETRY = RetryConfig.custom()
            .maxAttempts(3)
            .waitDuration(Duration.ofMillis(20))
            .build();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestDb db;
    private PurgeServer cache;
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private final AtomicInteger posts = new AtomicInteger();
    /** Released by the test: the endpoint answers the first purge only then. */
    private final CountDownLatch releaseFirst = new CountDownLatch(1);
    /** Counted down when Roan reports the first purge delivered. */
    private final CountDownLatch firstDelivered = new CountDownLatch(1);

    @BeforeEach
    void setUp() {
        db = new TestDb();
        cache = new PurgeServer();
    }

    @AfterEach
    void tearDown() throws Exception {
        releaseFirst.countDown();
        for (AutoCloseable c : closeLast) {
            c.close();
        }
        cache.close();
        db.close();
    }

    /** A builder for the endpoint whose listener counts down {@link #firstDelivered}. */
    private Roan.Builder builder() {
        return Roan.builder().purgeUrl(cache.purgeUrl()).retryConfig(FAST_RETRY)
                .listener(event -> {
                    if (event.outcome() == PurgeEvent.Outcome.DELIVERED) {
                        firstDelivered.countDown();
                    }
                });
    }

    /** A Roan with the rule "/posts" on POST, closed after the test without waiting long. */
    private Roan roan(Roan.Builder builder) {
        Roan roan = builder.closeTimeout(Duration.ofMillis(200)).build();
        closeLast.add(0, roan);
        roan.purge("/posts").onWrite(POST);
        return roan;
    }

    private DSLContext dsl(Roan roan) {
        return DSL.using(roan.attach(db.configuration()));
    }

    private void insertPost(DSLContext dsl) {
        int n = posts.incrementAndGet();
        dsl.insertInto(POST).set(POST.SLUG, "post-" + n).set(POST.TITLE, "Post " + n).execute();
    }

    private int postsInDb() {
        return db.onSeparateConnection(c -> c.fetchCount(POST));
    }

    /** The endpoint answers the first purge once {@link #releaseFirst} is released, the others at once. */
    private void holdFirstPurge() {
        AtomicInteger requests = new AtomicInteger();
        cache.respond(path -> {
            if (requests.incrementAndGet() == 1) {
                await(releaseFirst);
            }
            return Answer.status(200);
        });
    }

    /**
     * Lets the first purge be answered and waits until Roan has taken its completion in: the listener hears of the
     * delivery just before the dispatcher does, on a delivery thread, so a margin follows.
     */
    private void releaseFirstAndLetItComplete() throws InterruptedException {
        releaseFirst.countDown();
        assertThat(firstDelivered.await(10, TimeUnit.SECONDS)).as("first purge delivered").isTrue();
        Thread.sleep(200);
    }

    @Test
    void writesDuringAPurgeWaitForTheWindowAndCoalesceIntoOnePurge() throws Exception {
        Duration window = Duration.ofSeconds(3);
        holdFirstPurge();
        cache.onArrival(path -> postsInDb());
        Roan roan = roan(builder().coalesceWindow(window));
        DSLContext dsl = dsl(roan);

        insertPost(dsl);
        Request first = cache.take();
        insertPost(dsl);
        insertPost(dsl);
        long lastCommit = System.nanoTime();
        releaseFirstAndLetItComplete();

        // Without the window the follow-up would have gone out as the first purge completed.
        assertThat(cache.count()).as("requests 200 ms after the first purge completed, inside the window").isOne();
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        List<Request> received = cache.received();
        assertThat(received).as("requests: the purge, then one for both writes made while it was on the wire")
                .extracting(Request::path).containsExactly("/posts", "/posts");
        Request second = received.get(1);
        // The first purge was sent before it arrived, the second no sooner than the window after that send.
        assertThat(Duration.ofNanos(second.arrivedNanos() - first.arrivedNanos())).as("between the two arrivals")
                .isGreaterThan(window.minusSeconds(1));
        assertThat(second.arrivedNanos()).as("second purge arrived after the last commit").isGreaterThan(lastCommit);
        assertThat(second.observed()).as("rows visible when the second purge arrived").isEqualTo(3);
    }

    @Test
    void aWriteAfterThePurgeCompletedIsPurgedAtOnce() {
        Roan roan = roan(builder().coalesceWindow(Duration.ofSeconds(10)));
        DSLContext dsl = dsl(roan);

        insertPost(dsl);
        assertThat(roan.flush(WAIT)).as("flush after the first write").isTrue();
        insertPost(dsl);

        // Holding this purge for the window would take 10 s from the first send.
        assertThat(roan.flush(Duration.ofSeconds(5))).as("flush after the second write, well within the window")
                .isTrue();
        assertThat(cache.paths()).as("requests").containsExactly("/posts", "/posts");
    }

    @Test
    void aWriteWhileARepurgeIsDueIsPurgedAtOnce() throws Exception {
        Roan roan = roan(builder().coalesceWindow(Duration.ofSeconds(10)).repurgeAfter(Duration.ofSeconds(3)));
        DSLContext dsl = dsl(roan);

        insertPost(dsl);
        cache.take();
        releaseFirstAndLetItComplete();
        // The first purge is delivered and its re-purge due in 3 s: nothing is on the wire.
        insertPost(dsl);
        long secondCommit = System.nanoTime();
        Request purge = cache.take();

        // Holding this purge for the window would take 10 s from the first send.
        assertThat(Duration.ofNanos(purge.arrivedNanos() - secondCommit)).as("from the second commit to its purge")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        assertThat(cache.count()).as("requests: purge, purge for the second commit (replacing the first re-purge),"
                + " its re-purge").isEqualTo(3);
    }

    @Test
    void zeroWindowSendsTheFollowUpAsThePurgeCompletes() throws Exception {
        holdFirstPurge();
        Roan roan = roan(builder().coalesceWindow(Duration.ZERO));
        DSLContext dsl = dsl(roan);

        insertPost(dsl);
        cache.take();
        insertPost(dsl);
        releaseFirst.countDown();

        // A window would hold the follow-up: with one of an hour, this flush would time out.
        assertThat(roan.flush(Duration.ofSeconds(5))).as("flush").isTrue();
        assertThat(cache.paths()).as("requests").containsExactly("/posts", "/posts");
    }

    @Test
    void closeSendsAHeldFollowUpAtOnce() throws Exception {
        holdFirstPurge();
        Roan roan = builder().coalesceWindow(Duration.ofHours(1)).closeTimeout(WAIT).build();
        closeLast.add(0, roan);
        roan.purge("/posts").onWrite(POST);
        DSLContext dsl = dsl(roan);

        insertPost(dsl);
        cache.take();
        insertPost(dsl);
        releaseFirstAndLetItComplete();
        assertThat(cache.count()).as("requests while the follow-up is held").isOne();

        long start = System.nanoTime();
        roan.close();
        Duration closing = Duration.ofNanos(System.nanoTime() - start);

        assertThat(cache.paths()).as("requests received by close()").containsExactly("/posts", "/posts");
        assertThat(closing).as("close(), which would wait its 10 s timeout for a held follow-up")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void closeSendsAtOnceAFollowUpOwedByAPurgeStillOnTheWire() throws Exception {
        holdFirstPurge();
        Roan roan = builder().coalesceWindow(Duration.ofHours(1)).closeTimeout(WAIT).build();
        closeLast.add(0, roan);
        roan.purge("/posts").onWrite(POST);
        DSLContext dsl = dsl(roan);

        insertPost(dsl);
        cache.take();
        insertPost(dsl);
        long start = System.nanoTime();
        Thread closing = new Thread(roan::close, "closing");
        closing.start();
        while (!roan.toString().contains("closed")) {
            Thread.sleep(10);
        }
        // close() now waits for the first purge, which completes only after Roan stopped accepting purges.
        Thread.sleep(100);
        releaseFirst.countDown();
        closing.join(TimeUnit.SECONDS.toMillis(20));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(closing.isAlive()).as("close() still running").isFalse();
        assertThat(cache.paths()).as("requests received by close()").containsExactly("/posts", "/posts");
        assertThat(elapsed).as("close(), which would wait its 10 s timeout for a held follow-up")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aTightLoopOfCommitsIsPurgedAboutOncePerWindowAndLastAfterTheLastCommit() throws Exception {
        int commits = 2000;
        long windowNanos = Roan.DEFAULT_COALESCE_WINDOW.toNanos();
        db.onSeparateConnection(c -> c.insertInto(POST).set(POST.ID, 1L).set(POST.SLUG, "one").set(POST.TITLE, "start")
                .execute());
        // Commits done (counted before Roan hears of the statement's end) and statements returned (after).
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger returned = new AtomicInteger();
        // Purges during whose stay at the endpoint no write was certainly taken in by Roan: only such a purge can
        // leave the path idle, so that the next write is purged at once instead of after the window.
        AtomicInteger maybeIdle = new AtomicInteger();
        cache.onArrival(path -> committed.get()).respond(path -> {
            int before = committed.get();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // A statement that committed after the purge arrived and returned before it is answered was taken in
            // while the purge was on the wire.
            if (returned.get() <= before) {
                maybeIdle.incrementAndGet();
            }
            return Answer.status(200);
        });
        Roan roan = roan(builder());
        // One connection in auto-commit mode, as a pool would lend: H2's DataSource opens a new one per statement.
        Connection connection = DriverManager.getConnection(db.url);
        closeLast.add(connection);
        DSLContext dsl = DSL.using(roan.attach(DSL.using(connection, SQLDialect.H2).configuration()
                .derive(new DefaultExecuteListenerProvider(new ExecuteListener() {
                    @Override
                    public void executeEnd(ExecuteContext ctx) {
                        committed.incrementAndGet();
                    }
                }))));
        for (int i = 0; i < 500; i++) {
            dsl.update(POST).set(POST.TITLE, "warm-up").where(POST.ID.eq(1L)).execute();
        }
        assertThat(roan.flush(WAIT)).as("flush after the warm-up").isTrue();
        cache.clear();
        committed.set(0);
        returned.set(0);
        maybeIdle.set(0);

        long start = System.nanoTime();
        for (int i = 0; i < commits; i++) {
            dsl.update(POST).set(POST.TITLE, "t" + i).where(POST.ID.eq(1L)).execute();
            returned.incrementAndGet();
        }
        long loopNanos = System.nanoTime() - start;

        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        List<Request> received = cache.received();
        // A follow-up starts at least a window after the purge before it: at most one per window of the loop, after
        // the first purge, and one after the loop; one more of margin. A purge that left the path idle lets the next
        // write be purged at once: at most one more each.
        long bound = loopNanos / windowNanos + 3 + maybeIdle.get();
        assertThat(received).as("purges for %d commits in %d ms, %d of them maybe leaving the path idle", commits,
                TimeUnit.NANOSECONDS.toMillis(loopNanos), maybeIdle.get())
                .isNotEmpty()
                .hasSizeLessThanOrEqualTo((int) bound);
        assertThat(received.get(received.size() - 1).observed()).as("commits done when the last purge arrived")
                .isEqualTo(commits);
    }

    @Test
    void aHeldFollowUpAskedForByACommitIsRepurged() throws Exception {
        Duration window = Duration.ofSeconds(2);
        Duration repurgeAfter = Duration.ofMillis(300);
        holdFirstPurge();
        Roan roan = roan(builder().coalesceWindow(window).repurgeAfter(repurgeAfter));
        DSLContext dsl = dsl(roan);

        insertPost(dsl);
        cache.take();
        insertPost(dsl);
        releaseFirstAndLetItComplete();

        // The follow-up is held now; flush waits for it and for its re-purge.
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        List<Request> received = cache.received();
        assertThat(received).as("requests: purge, held follow-up, its re-purge").extracting(Request::path)
                .containsExactly("/posts", "/posts", "/posts");
        assertThat(Duration.ofNanos(received.get(1).arrivedNanos() - received.get(0).arrivedNanos()))
                .as("from the purge to the held follow-up").isGreaterThan(window.minusSeconds(1));
        assertThat(Duration.ofNanos(received.get(2).arrivedNanos() - received.get(1).arrivedNanos()))
                .as("from the follow-up to its re-purge").isGreaterThanOrEqualTo(repurgeAfter);
        assertThat(roan.flush(Duration.ofSeconds(1))).isTrue();
        assertThat(cache.count()).as("a re-purge is not re-purged").isEqualTo(3);
    }

    @Test
    void aFollowUpTheTimerRefusesIsSentAtOnce() throws Exception {
        holdFirstPurge();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
        ScheduledExecutorService stopped = Executors.newSingleThreadScheduledExecutor();
        stopped.shutdownNow();
        try {
            CacheNode node = new CacheNode(cache.purgeUrl(), HttpClient.newBuilder().executor(executor).build(), "GET",
                    List.of(), Duration.ofSeconds(5), CacheNode.withRoanPredicates(FAST_RETRY), retries,
                    new Listeners(List.of()));
            Dispatcher dispatcher = new Dispatcher(List.of(node), executor, stopped, null, Duration.ofHours(1));

            dispatcher.submit(Set.of("/posts"));
            cache.take();
            dispatcher.submit(Set.of("/posts"));
            releaseFirst.countDown();

            assertThat(dispatcher.flush(Duration.ofSeconds(5))).as("flush").isTrue();
            assertThat(cache.paths()).as("requests: the purge, then the follow-up the timer could not hold")
                    .containsExactly("/posts", "/posts");
        } finally {
            retries.shutdownNow();
            executor.shutdownNow();
        }
    }

    @Test
    void coalesceWindowMustBeZeroOrPositive() {
        for (Duration bad : new Duration[] {Duration.ofMillis(-1), null}) {
            assertThatThrownBy(() -> Roan.builder().coalesceWindow(bad))
                    .as("coalesceWindow %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("coalesceWindow must be zero or positive")
                    .hasMessageContaining("Duration.ofMillis(10)");
        }
        assertThat(Roan.builder().coalesceWindow(Duration.ZERO).toString()).as("builder with window zero")
                .contains("coalesceWindow=PT0S");
        assertThat(Roan.builder().toString()).as("default builder").contains("coalesceWindow=PT0.01S");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
