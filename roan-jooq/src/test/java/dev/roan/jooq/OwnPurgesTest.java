package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.jooq.DispatcherTest.FakeTarget;
import dev.roan.jooq.DispatcherTest.FakeTicker;
import dev.roan.jooq.DispatcherTest.ManualExecutor;
import dev.roan.jooq.DispatcherTest.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@link OwnPurges} on a dispatcher driven by hand (fake clock, timers and delivery executor): how a wait learns of a
 * purge given up, and the bound on what is tracked.
 */
class OwnPurgesTest {

    private static final Duration WINDOW = Duration.ofMillis(50);

    private final FakeTicker ticker = new FakeTicker(7_000_000_123L);
    private final ManualScheduler scheduler = new ManualScheduler(ticker);
    private final ManualExecutor executor = new ManualExecutor();
    private final FakeTarget node = new FakeTarget("node-a");

    private Dispatcher dispatcher(Duration giveUpAfter, int maxOwedPaths, String... overflow) {
        return new Dispatcher(List.of(node), executor, scheduler, ticker, new Dispatcher.Policy(null, WINDOW,
                Duration.ofSeconds(30), giveUpAfter, maxOwedPaths, List.of(overflow)), () -> 1.0);
    }

    private void advance(Duration duration) {
        scheduler.advance(duration);
        executor.runAll();
    }

    /** Fails whatever is on the wire at the node. */
    private void failTheWire() {
        for (String path : node.onTheWire()) {
            node.fail(path);
        }
        executor.runAll();
    }

    @Test
    void aPurgeGivenUpEndsTheWaitWhileAnotherIsStillOwed() throws Exception {
        Dispatcher d = dispatcher(Duration.ofSeconds(10), Integer.MAX_VALUE);
        OwnPurges own = new OwnPurges(d, null);
        own.await(Duration.ZERO); // tracking on
        own.send(List.of("/a"));
        executor.runAll();
        failTheWire();
        // Probes at 1, 3 and 7 s fail; then a second purge, owed for less than giveUpAfter at the next probe (15 s).
        advance(Duration.ofSeconds(1));
        failTheWire();
        advance(Duration.ofSeconds(2));
        failTheWire();
        advance(Duration.ofSeconds(4));
        failTheWire();
        own.send(List.of("/b"));
        executor.runAll();

        Thread waiter = Thread.currentThread();
        CompletableFuture<Long> droppedAt = CompletableFuture.supplyAsync(() -> {
            while (waiter.getState() != Thread.State.TIMED_WAITING) {
                Thread.onSpinWait();
            }
            advance(Duration.ofSeconds(8)); // 15 s: /a is given up, /b is not
            return d.droppedPurges();
        });
        long start = System.nanoTime();
        boolean delivered = own.await(Duration.ofSeconds(20));
        Duration waited = Duration.ofNanos(System.nanoTime() - start);

        assertThat(droppedAt.get(10, TimeUnit.SECONDS)).as("dropped at 15 s: /a only").isOne();
        assertThat(delivered).as("awaitPurges after /a was given up").isFalse();
        assertThat(waited).as("woken by the give-up, not by its timeout of 20 s").isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void pastItsLimitNothingMoreIsTrackedAndTheWaitSaysItCannotTell() {
        Dispatcher d = dispatcher(null, Integer.MAX_VALUE);
        OwnPurges own = new OwnPurges(d, null, 3);
        own.await(Duration.ZERO);
        own.send(List.of("/a", "/b"));
        own.send(List.of("/c"));
        own.send(List.of("/d")); // past the limit of 3 paths: untracked
        executor.runAll();

        assertThat(own.trackedPaths()).as("tracked paths").isEqualTo(3);
        assertThat(own.await(Duration.ZERO)).as("a wait for an untracked purge").isFalse();
        assertThat(own.trackedPaths()).as("tracked paths after the wait: still owed, still counted").isEqualTo(3);

        node.complete("/a");
        node.complete("/b");
        node.complete("/c");
        executor.runAll();
        assertThat(own.trackedPaths()).as("tracked paths once delivered").isZero();
        own.send(List.of("/e"));
        executor.runAll();
        node.complete("/d");
        node.complete("/e");
        executor.runAll();
        assertThat(own.await(Duration.ZERO)).as("tracked again, and delivered").isTrue();
    }

    @Test
    void aPurgeBeyondMaxOwedPathsIsTrackedThroughTheOverflowPurge() {
        Dispatcher d = dispatcher(null, 1, "/");
        OwnPurges own = new OwnPurges(d, null);
        d.submit(List.of("/theirs"));
        executor.runAll();
        own.await(Duration.ZERO);

        own.send(List.of("/mine")); // no room: the node owes "/" instead
        executor.runAll();
        assertThat(node.onTheWire()).as("on the wire").containsExactly("/theirs", "/");
        own.send(List.of("/mine")); // again, while "/" is on the wire: the next purge of "/" settles it
        node.complete("/theirs");
        node.complete("/");
        executor.runAll();
        assertThat(own.await(Duration.ZERO)).as("before the second purge of / is delivered").isFalse();
        own.send(List.of("/mine"));
        advance(WINDOW); // the follow-up of a purge is held for the coalescing window
        assertThat(node.onTheWire()).as("on the wire").containsExactly("/");
        node.complete("/");
        executor.runAll();

        assertThat(own.await(Duration.ZERO)).as("once / is delivered").isTrue();
    }

    @Test
    void aPurgeDroppedAtMaxOwedPathsMakesTheWaitFalse() {
        Dispatcher d = dispatcher(null, 1);
        OwnPurges own = new OwnPurges(d, null);
        d.submit(List.of("/theirs"));
        executor.runAll();
        own.await(Duration.ZERO);

        own.send(List.of("/mine")); // no room, no overflow purge: dropped
        node.complete("/theirs");
        executor.runAll();

        assertThat(d.droppedPurges()).as("dropped").isOne();
        assertThat(own.await(Duration.ofSeconds(5))).as("a wait for a dropped purge").isFalse();
        assertThat(own.trackedPaths()).as("tracked paths").isZero();
    }

    /** Waits on {@code owed} on a thread of its own, once that thread is waiting; what its await answered. */
    private static CompletableFuture<Boolean> waiting(OwnPurges.Owed owed) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        Thread waiter = new Thread(() -> answer.complete(owed.await(System.nanoTime() + TimeUnit.MINUTES.toNanos(10))),
                "waiter");
        waiter.setDaemon(true);
        waiter.start();
        while (waiter.getState() != Thread.State.TIMED_WAITING && !answer.isDone()) {
            Thread.onSpinWait();
        }
        return answer;
    }

    @Test
    void aWaiterWakesAsTheLastOfItsPurgesIsDelivered() throws Exception {
        OwnPurges.Owed owed = new OwnPurges.Owed();
        CompletableFuture<Settled> first = new CompletableFuture<>();
        CompletableFuture<Settled> last = new CompletableFuture<>();
        owed.track(first, null);
        owed.track(last, null);
        first.complete(Settled.DELIVERED);
        CompletableFuture<Boolean> answer = waiting(owed);

        last.complete(Settled.DELIVERED);

        assertThat(answer.get(Waits.DELIVERY.toMillis(), TimeUnit.MILLISECONDS))
                .as("woken by the last delivery, long before its timeout").isTrue();
    }

    @Test
    void aWaiterWakesAsOneOfItsPurgesIsGivenUpThoughAnotherIsStillOwed() throws Exception {
        OwnPurges.Owed owed = new OwnPurges.Owed();
        CompletableFuture<Settled> givenUp = new CompletableFuture<>();
        owed.track(givenUp, null);
        owed.track(new CompletableFuture<>(), null);
        CompletableFuture<Boolean> answer = waiting(owed);

        givenUp.complete(Settled.GIVEN_UP);

        assertThat(answer.get(Waits.DELIVERY.toMillis(), TimeUnit.MILLISECONDS)).as("what await answered").isFalse();
    }
}
