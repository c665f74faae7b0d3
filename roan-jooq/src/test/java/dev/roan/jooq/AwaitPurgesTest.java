package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Read-your-writes: {@link Roan#awaitPurges} waits for the purges of the calling thread's own commits, and only those.
 * The purge endpoint holds its answer to paths starting with {@code /held} (and {@code /late}) until the test
 * releases them.
 */
class AwaitPurgesTest {

    private static final Duration SHORT = Duration.ofMillis(100);

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch releaseLate = new CountDownLatch(1);
    /** Paths whose held purge was answered, once answered. */
    private final Set<String> answered = ConcurrentHashMap.newKeySet();
    private PurgeServer cache;
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        cache = fixture.cache().respond(path -> {
            try {
                if (path.startsWith("/held")) {
                    release.await(30, TimeUnit.SECONDS);
                } else if (path.startsWith("/late")) {
                    releaseLate.await(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answered.add(path);
            return PurgeServer.Answer.status(200);
        });
        roan = fixture.roan();
        roan.purge("/held/posts").onWrite(POST);
        dsl = fixture.dsl();
        // Tracking starts with the first call: see untilTheFirstCallItWaitsForEveryonesPurges.
        assertThat(roan.awaitPurges(Duration.ZERO)).isTrue();
        fixture.db().onSeparateConnection(d -> d.insertInto(AUTHOR).set(AUTHOR.ID, 100L).set(AUTHOR.NAME, "ann")
                .execute());
    }

    @AfterEach
    void releaseHeldAnswers() {
        release.countDown();
        releaseLate.countDown();
    }

    private static void insertPost(DSLContext ctx, String slug) {
        ctx.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, slug).set(POST.TITLE, slug).execute();
    }

    @Test
    void waitsUntilTheCommitsPurgesAreDelivered() throws Exception {
        dsl.transaction(tx -> insertPost(tx.dsl(), "a"));

        assertThat(roan.awaitPurges(SHORT)).as("the purge is held by the endpoint").isFalse();

        dsl.transaction(tx -> insertPost(tx.dsl(), "b"));
        Thread releaser = new Thread(() -> {
            sleep(200);
            release.countDown();
        });
        releaser.start();
        assertThat(roan.awaitPurges(Waits.DELIVERY)).isTrue();
        assertThat(answered).as("answered before awaitPurges returned").contains("/held/posts");
        releaser.join();
    }

    @Test
    void anAutoCommitWriteIsWaitedFor() {
        insertPost(dsl, "a");

        assertThat(roan.awaitPurges(SHORT)).isFalse();
    }

    @Test
    void aPurgeByHandSentAtOnceIsWaitedFor() {
        roan.purgeAfterCommit("/held/owners/6");

        assertThat(roan.awaitPurges(SHORT)).isFalse();
    }

    @Test
    void anotherThreadsOwedPurgeDoesNotDelayIt() throws Exception {
        Thread other = new Thread(() -> dsl.transaction(tx -> insertPost(tx.dsl(), "theirs")));
        other.start();
        other.join();

        roan.purgeAfterCommit("/mine");

        assertThat(roan.awaitPurges(Waits.DELIVERY)).as("only this thread's purge of /mine is waited for").isTrue();
        assertThat(answered).containsExactly("/mine");
    }

    @Test
    void untilTheFirstCallItWaitsForEveryonesPurges() throws Exception {
        try (Roan fresh = Roan.builder().purgeUrl(cache.purgeUrl()).closeTimeout(Duration.ZERO).shutdownHook(false)
                .build()) {
            Thread other = new Thread(() -> fresh.purgeAfterCommit("/held/theirs"));
            other.start();
            other.join();
            fresh.purgeAfterCommit("/mine");

            assertThat(fresh.awaitPurges(SHORT)).as("not tracked yet: waits as flush does").isFalse();

            fresh.purgeAfterCommit("/mine");
            assertThat(fresh.awaitPurges(Waits.DELIVERY)).as("tracked from the first call on").isTrue();
        }
    }

    @Test
    void aRolledBackTransactionOwesNothing() {
        assertThatThrownBy(() -> dsl.transaction(tx -> {
            insertPost(tx.dsl(), "a");
            throw new IllegalStateException("rollback");
        })).hasMessageContaining("rollback");

        assertThat(roan.awaitPurges(Duration.ZERO)).isTrue();
    }

    @Test
    void theRecordIsClearedByEachCall() {
        insertPost(dsl, "a");
        assertThat(roan.awaitPurges(SHORT)).isFalse();

        assertThat(roan.awaitPurges(Duration.ZERO)).as("the earlier write is forgotten, though still held").isTrue();
    }

    @Test
    void aCacheThatIsDownGivesFalseWithinTheTimeout() {
        cache.respond(path -> PurgeServer.Answer.status(503));
        roan.purgeAfterCommit("/down");

        long start = System.nanoTime();
        assertThat(roan.awaitPurges(Duration.ofMillis(300))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("within the bound, give or take a loaded machine")
                .isLessThan(Duration.ofSeconds(5));
        // Up again, so that closing does not wait its timeout for the purge.
        cache.respond(path -> PurgeServer.Answer.status(200));
    }

    @Test
    void anInterruptedWaitGivesFalseAndKeepsTheInterrupt() {
        insertPost(dsl, "a");
        Thread.currentThread().interrupt();
        try {
            assertThat(roan.awaitPurges(Waits.DELIVERY)).isFalse();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aClosedRoanGivesFalse() {
        roan.close();

        assertThat(roan.awaitPurges(Duration.ZERO)).isFalse();
    }

    @Test
    void aBadTimeoutIsRefused() {
        assertThatThrownBy(() -> roan.awaitPurges(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> roan.awaitPurges(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
    }

    @Test
    void whileANodeIsDownTrackingStaysBoundedAcrossRequests() throws Exception {
        cache.respond(path -> PurgeServer.Answer.status(503));
        // As the starter does: a commit per request, then the record cleared after it.
        int requests = OwnPurges.MAX_TRACKED_PATHS + 2_000;
        for (int request = 0; request < requests; request++) {
            roan.purgeAfterCommit("/owners/6");
            roan.awaitPurges(Duration.ZERO);
        }

        assertThat(waiters(roan)).as("waiters the dispatcher holds for tracked submits after %s requests", requests)
                .isEqualTo(OwnPurges.MAX_TRACKED_PATHS);
        roan.purgeAfterCommit("/owners/6");
        long start = System.nanoTime();
        assertThat(roan.awaitPurges(Waits.DELIVERY)).as("past the limit: not tracked, so it cannot tell").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("without waiting").isLessThan(Duration.ofSeconds(5));

        // Up again, so that closing does not wait its timeout (OwnPurgesTest shows the count going down).
        cache.respond(path -> PurgeServer.Answer.status(200));
    }

    /** Waiters attached to the dispatcher's entries for tracked submits, over all nodes, read under its lock. */
    private static int waiters(Roan roan) throws Exception {
        Object dispatcher = roan.delivery().dispatcher();
        Lock lock = (Lock) field(dispatcher, "lock");
        int total = 0;
        lock.lock();
        try {
            for (Object node : (List<?>) field(dispatcher, "nodes")) {
                for (Object entry : ((Map<?, ?>) field(node, "entries")).values()) {
                    List<?> waiting = (List<?>) field(entry, "waiters");
                    total += waiting == null ? 0 : waiting.size();
                }
            }
        } finally {
            lock.unlock();
        }
        return total;
    }

    private static Object field(Object owner, String name) throws Exception {
        for (Class<?> c = owner.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field field = c.getDeclaredField(name);
                field.setAccessible(true);
                return field.get(owner);
            } catch (NoSuchFieldException e) {
                // a superclass's
            }
        }
        throw new NoSuchFieldException(name);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
