package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;

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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The coalescing window end to end, against H2 and a real local HTTP endpoint: the builder's window reaches the
 * dispatcher (on a fake clock, exactly), closing sends what the window holds, a tight loop of commits is coalesced and
 * purged last after its last commit (in real time), and durations too long to count mean forever. The rules
 * themselves (holds, follow-ups, re-purges, flush, the in-flight limit) are checked on a fake clock in
 * {@link DispatcherTest}.
 */
class CoalesceWindowTest {

    private static final RetryConfig FAST_RETRY = RetryConfig.custom()
            .maxAttempts(3)
            .waitDuration(Duration.ofMillis(20))
            .build();
    private static final Duration WAIT = Waits.DELIVERY;

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private TestDb db;
    private PurgeServer cache;
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private final AtomicInteger posts = new AtomicInteger();
    /** Released by the test: the endpoint answers the first purge only then. */
    private final CountDownLatch releaseFirst = new CountDownLatch(1);
    private final FakeClock clock = new FakeClock();

    @BeforeEach
    void setUp() {
        db = fixture.db();
        cache = fixture.cache();
    }

    @AfterEach
    void tearDown() throws Exception {
        releaseFirst.countDown();
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    /** A builder for the endpoint. */
    private Roan.Builder builder() {
        return Roan.builder().purgeUrl(cache.purgeUrl()).retryConfig(FAST_RETRY);
    }

    /** A Roan with the rule "/posts" on POST, closed after the test without waiting long. */
    private Roan roan(Roan.Builder builder) {
        return withPostsRule(builder.closeTimeout(Duration.ofMillis(200)).build());
    }

    /** As {@link #roan(Roan.Builder)}, its window measured by {@link #clock}: held follow-ups wait for the test. */
    private Roan roanOnTheClock(Roan.Builder builder) {
        return withPostsRule(clock.build(builder.closeTimeout(Duration.ofMillis(200))));
    }

    private Roan withPostsRule(Roan roan) {
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

    @Test
    void writesDuringAPurgeWaitForTheWindowAndCoalesceIntoOnePurge() throws Exception {
        Duration window = Duration.ofSeconds(1);
        holdFirstPurge();
        cache.onArrival(path -> postsInDb());
        Roan roan = roanOnTheClock(builder().coalesceWindow(window));
        DSLContext dsl = dsl(roan);

        insertPost(dsl);
        cache.take();
        insertPost(dsl);
        insertPost(dsl);
        long lastCommit = System.nanoTime();
        // Answered at once: without the window, the follow-up would go out now. The clock has not moved since the
        // send, so the follow-up is held for the whole window.
        releaseFirst.countDown();
        awaitTrue("the follow-up held", () -> clock.timers() == 1);
        clock.advance(window.minusNanos(1));
        assertThat(roan.flush(Duration.ofMillis(50))).as("flush a nanosecond before the window ends").isFalse();
        assertThat(cache.count()).as("requests a nanosecond before the window ends").isOne();
        clock.advance(Duration.ofNanos(1));

        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        List<Request> received = cache.received();
        assertThat(received).as("requests: the purge, then one for both writes made while it was on the wire")
                .extracting(Request::path).containsExactly("/posts", "/posts");
        Request second = received.get(1);
        assertThat(second.arrivedNanos()).as("follow-up arrived after the last commit").isGreaterThan(lastCommit);
        assertThat(second.observed()).as("rows visible when the follow-up arrived").isEqualTo(3);
    }

    /** Waits (in real time, up to {@link #WAIT}) until {@code condition} holds. */
    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for %s", what).isNegative();
            Thread.sleep(5);
        }
    }

    @Test
    void closeSendsAFollowUpAtOnceInsteadOfWaitingForTheWindow() throws Exception {
        holdFirstPurge();
        Roan roan = builder().coalesceWindow(Duration.ofHours(1)).closeTimeout(WAIT).build();
        closeLast.add(0, roan);
        roan.purge("/posts").onWrite(POST);
        DSLContext dsl = dsl(roan);

        insertPost(dsl);
        cache.take();
        insertPost(dsl);
        releaseFirst.countDown();
        long start = System.nanoTime();
        roan.close();
        Duration closing = Duration.ofNanos(System.nanoTime() - start);

        assertThat(cache.paths()).as("requests received by close()").containsExactly("/posts", "/posts");
        assertThat(closing).as("close(), which would wait its timeout for a held follow-up").isLessThan(WAIT);
    }

    @Test
    // Thousands of statements over real time: under mutation testing it would run for every mutant of the write path.
    @Tag("real-time")
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
    // Interrupts a close() that would wait for ever, so that the test fails instead.
    @Timeout(30)
    void durationsTooLongToCountInNanosecondsMeanForever() throws Exception {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
        holdFirstPurge();
        Roan roan = builder().coalesceWindow(forever).closeTimeout(forever).build();
        closeLast.add(0, roan);
        roan.purge("/posts").onWrite(POST);
        DSLContext dsl = dsl(roan);
        assertThat(roan.flush(forever)).as("flush(forever) with nothing pending").isTrue();

        insertPost(dsl);
        cache.take();
        insertPost(dsl);
        releaseFirst.countDown();
        // The follow-up is held for ever: closing sends it, and waits for it for ever.
        roan.close();

        assertThat(cache.paths()).as("requests received by close()").containsExactly("/posts", "/posts");
        assertThat(roan.flush(forever)).as("flush(forever) after close").isTrue();
    }

    @Test
    void closeInterruptedWhileWaitingForeverWarnsOfWhatIsPending() throws Exception {
        holdFirstPurge();
        Roan roan = builder().closeTimeout(Duration.ofSeconds(Long.MAX_VALUE)).build();
        closeLast.add(0, roan);
        roan.purge("/posts").onWrite(POST);
        insertPost(dsl(roan));
        cache.take();

        try (LogCapture log = new LogCapture()) {
            Thread.currentThread().interrupt();
            roan.close();
            assertThat(Thread.interrupted()).as("interrupted after close").isTrue();
            assertThat(log.messages(Level.WARNING)).as("warnings").singleElement().asString()
                    .contains("still pending").contains("/posts");
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
            if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("latch not released within " + WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
