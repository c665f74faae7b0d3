package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.testkit.PurgeServer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Roan#awaitPurges} when a cache node owes {@code maxOwedPaths} (one here) and the thread's own purge does not
 * fit and there is no overflow purge: it is dropped, and the wait says so (OwnPurgesTest has the overflow purge).
 */
class AwaitPurgesAtTheCapTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture().builder(b -> b.maxOwedPaths(1));
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final Set<String> answered = ConcurrentHashMap.newKeySet();

    @AfterEach
    void releaseHeldAnswers() {
        release.countDown();
    }

    /** Another thread's purge of /held/theirs, held on the wire: the one path the node may owe. */
    private Roan roanOwingAnotherThreadsPurge() throws Exception {
        fixture.cache().respond(path -> {
            try {
                if (path.startsWith("/held")) {
                    arrived.countDown();
                    release.await(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answered.add(path);
            return PurgeServer.Answer.status(200);
        });
        Roan roan = fixture.roan();
        assertThat(roan.awaitPurges(Duration.ZERO)).as("tracking on").isTrue();
        Thread other = new Thread(() -> roan.purgeAfterCommit("/held/theirs"));
        other.start();
        other.join();
        assertThat(arrived.await(10, TimeUnit.SECONDS)).as("/held/theirs on the wire").isTrue();
        return roan;
    }

    @Test
    void aPurgeDroppedAtTheCapMakesItFalse() throws Exception {
        Roan roan = roanOwingAnotherThreadsPurge();

        roan.purgeAfterCommit("/mine"); // no room, no onOverflowPurge: dropped
        release.countDown();

        assertThat(roan.awaitPurges(Waits.DELIVERY)).as("after this thread's own purge was dropped").isFalse();
        assertThat(roan.droppedPurges()).as("dropped").isOne();
        assertThat(answered).as("what the cache received").doesNotContain("/mine");
    }
}
