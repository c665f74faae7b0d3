package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dispatcher's rules (coalescing, the window, follow-ups, holds, re-purges, flush, closing, the in-flight limit)
 * on a fake clock: time moves only when the test advances it, timers run when their time comes, the delivery executor
 * runs its tasks when the test says so, and the cache nodes are fakes whose purges complete when the test completes
 * them. No sleeping, no HTTP. {@link CoalesceWindowTest} proves the same wiring end to end.
 */
class DispatcherTest {

    private static final Duration WINDOW = Duration.ofMillis(100);
    private static final Duration REPURGE = Duration.ofSeconds(2);
    private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);
    /** The longest wait for another thread (a flush, a lock probe): short under mutation testing, see {@link Waits}. */
    private static final Duration WAIT = Waits.DELIVERY;
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);
    private static final Duration SECOND = Duration.ofSeconds(1);

    /** Starts far from zero: no time of the dispatcher's may be taken for "unset". */
    private final FakeTicker ticker = new FakeTicker(7_000_000_123L);
    private final ManualScheduler scheduler = new ManualScheduler(ticker);
    private final ManualExecutor executor = new ManualExecutor();
    private final FakeTarget node = new FakeTarget("node-a");
    private @Nullable Dispatcher dispatcher;

    private Dispatcher dispatcher(@Nullable Duration repurgeAfter, Duration window, FakeTarget... targets) {
        dispatcher = new Dispatcher(List.of(targets), executor, scheduler, ticker, repurgeAfter, window);
        return dispatcher;
    }

    private Dispatcher dispatcher(Duration window) {
        return dispatcher(null, window, node);
    }

    /** Where each probe's wait falls between half and all of its doubled value; all of it unless a test says. */
    private double jitter = 1.0;

    private Dispatcher dispatcher(Dispatcher.Policy policy, FakeTarget... targets) {
        dispatcher = new Dispatcher(List.of(targets), executor, scheduler, ticker, policy, () -> jitter);
        return dispatcher;
    }

    private static Dispatcher.Policy policy(@Nullable Duration giveUpAfter, int maxOwedPaths, String... overflow) {
        return new Dispatcher.Policy(null, WINDOW, MAX_RETRY, giveUpAfter, maxOwedPaths, List.of(overflow));
    }

    /** Fails the oldest purge of {@code path} on the wire at the target, then runs the delivery executor. */
    private void failAt(FakeTarget target, String path) {
        target.fail(path);
        executor.runAll();
    }

    /** After every test: no method left the lock held, so another thread can take it. */
    @AfterEach
    void lockIsFree() throws Exception {
        if (dispatcher != null) {
            FutureTask<Integer> count = new FutureTask<>(dispatcher::pendingCount);
            Thread thread = new Thread(count, "lock-check");
            thread.setDaemon(true);
            thread.start();
            count.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Submits, then lets the delivery executor run what that started. */
    private void write(Dispatcher d, String... paths) {
        d.submit(Set.of(paths));
        executor.runAll();
    }

    /** Moves the clock on, runs the timers that became due, then the delivery executor. */
    private void advance(Duration duration) {
        scheduler.advance(duration);
        executor.runAll();
    }

    /** Completes the oldest purge of {@code path} on the wire at the target, then runs the delivery executor. */
    private void complete(FakeTarget target, String path) {
        target.complete(path);
        executor.runAll();
    }

    // ---- coalescing and sending

    @Test
    void aPathIsPurgedAtOnceOnEveryNode() {
        FakeTarget other = new FakeTarget("node-b");
        Dispatcher d = dispatcher(null, WINDOW, node, other);
        long submitted = ticker.now;

        d.submit(List.of("/a", "/b"));

        assertThat(node.sent()).as("sent before the delivery executor ran").isEmpty();
        assertThat(executor.queued()).as("tasks handed to the delivery executor").isOne();
        executor.runAll();
        assertThat(node.sent()).as("purges on node a").containsExactlyInAnyOrder("/a", "/b");
        assertThat(other.sent()).as("purges on node b").containsExactlyInAnyOrder("/a", "/b");
        assertThat(node.requestedNanos("/a")).as("requested time handed to the node").isEqualTo(submitted);
        assertThat(d.pendingCount()).as("pending: two paths on two nodes").isEqualTo(4);
        assertThat(scheduler.scheduled()).as("timers").isZero();
    }

    /** The page index's second purge of a page whose pin is new (DatabasePageIndex.PIN_NEW): on the timer. */
    @Test
    void aPurgeAskedForAfterADelayIsSentOnceTheDelayHasPassed() {
        Dispatcher d = dispatcher(WINDOW);

        d.submitAfter(List.of("/a"), Duration.ofSeconds(3));
        executor.runAll();
        assertThat(node.sent()).as("before the delay").isEmpty();
        advance(Duration.ofSeconds(2));
        assertThat(node.sent()).as("a second before the delay").isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(node.sent()).as("once the delay has passed").containsExactly("/a");
    }

    /** A timer that refuses the delayed purge (shutting down): sent at once rather than lost. */
    @Test
    void aPurgeAskedForAfterADelayIsSentAtOnceWhenTheTimerRefusesIt() {
        Dispatcher d = dispatcher(WINDOW);
        scheduler.refuse = true;

        d.submitAfter(List.of("/a"), Duration.ofSeconds(3));
        executor.runAll();

        assertThat(node.sent()).containsExactly("/a");
    }

    @Test
    void aBurstOfSubmitsHandsOffOneDrain() {
        Dispatcher d = dispatcher(WINDOW);

        d.submit(Set.of("/a"));
        d.submit(Set.of("/b"));
        d.submit(Set.of("/c"));

        assertThat(executor.queued()).as("tasks handed to the delivery executor for three submits").isOne();
        executor.runAll();
        assertThat(node.sent()).as("purges").containsExactlyInAnyOrder("/a", "/b", "/c");
    }

    @Test
    void aPathWrittenAgainWhileQueuedIsPurgedOnceForTheEarliestWrite() {
        Dispatcher d = dispatcher(WINDOW);
        long first = ticker.now;

        d.submit(Set.of("/a"));
        ticker.advance(Duration.ofMillis(3));
        d.submit(Set.of("/a"));
        d.submit(Set.of("/a"));
        executor.runAll();

        assertThat(node.sent()).as("purges").containsExactly("/a");
        assertThat(node.requestedNanos("/a")).as("requested time: the earliest write's").isEqualTo(first);
        complete(node, "/a");
        assertThat(node.sent()).as("purges after completion: nothing owed").containsExactly("/a");
        assertThat(d.pendingCount()).as("pending").isZero();
    }

    @Test
    void writesWhileAPurgeIsOnTheWireOweOneFollowUpHeldUntilAWindowAfterTheSend() {
        Dispatcher d = dispatcher(WINDOW);
        write(d, "/a");
        ticker.advance(Duration.ofMillis(30));
        long firstWriteOnTheWire = ticker.now;
        write(d, "/a");
        ticker.advance(Duration.ofMillis(10));
        write(d, "/a");
        ticker.advance(Duration.ofMillis(10));

        complete(node, "/a");
        assertThat(node.sent()).as("purges when the first completed, 50 ms after its send").containsExactly("/a");
        assertThat(d.pendingCount()).as("pending: the held follow-up").isOne();
        advance(Duration.ofMillis(50).minusNanos(1));
        assertThat(node.sent()).as("purges 1 ns before the window has passed since the send").containsExactly("/a");
        write(d, "/a");
        assertThat(executor.queued()).as("hand-offs for a write joining the held follow-up").isZero();
        advance(Duration.ofNanos(1));

        assertThat(node.sent()).as("purges once the window has passed: one follow-up for three writes")
                .containsExactly("/a", "/a");
        assertThat(node.requestedNanos("/a")).as("the follow-up's requested time: the first write it covers")
                .isEqualTo(firstWriteOnTheWire);
        complete(node, "/a");
        advance(Duration.ofSeconds(1));
        assertThat(node.sent()).as("purges after the follow-up completed").containsExactly("/a", "/a");
        assertThat(d.pendingCount()).as("pending").isZero();
    }

    @Test
    void aFollowUpWhoseRoundTripOutlastedTheWindowIsSentAtCompletion() {
        Dispatcher d = dispatcher(WINDOW);
        write(d, "/a");
        ticker.advance(Duration.ofMillis(10));
        write(d, "/a");
        ticker.advance(Duration.ofMillis(140));

        complete(node, "/a");

        assertThat(node.sent()).as("purges as the first completed 150 ms after its send").containsExactly("/a", "/a");
        assertThat(scheduler.scheduled()).as("timers").isZero();
    }

    @Test
    void aFollowUpCompletingExactlyAWindowAfterTheSendIsNotHeld() {
        Dispatcher d = dispatcher(WINDOW);
        write(d, "/a");
        write(d, "/a");
        ticker.advance(WINDOW);

        complete(node, "/a");

        assertThat(node.sent()).as("purges as the first completed, exactly a window after its send")
                .containsExactly("/a", "/a");
        assertThat(scheduler.scheduled()).as("timers").isZero();
    }

    @Test
    void aZeroWindowSendsTheFollowUpAsThePurgeCompletes() {
        Dispatcher d = dispatcher(Duration.ZERO);
        write(d, "/a");
        write(d, "/a");

        complete(node, "/a");

        assertThat(node.sent()).as("purges as the first completed at once").containsExactly("/a", "/a");
        assertThat(scheduler.scheduled()).as("timers").isZero();
    }

    @Test
    void aWriteAfterThePurgeCompletedIsPurgedAtOnce() {
        Dispatcher d = dispatcher(Duration.ofSeconds(10));
        write(d, "/a");
        ticker.advance(Duration.ofMillis(5));
        complete(node, "/a");
        assertThat(d.pendingCount()).as("pending after the purge completed").isZero();
        ticker.advance(Duration.ofMillis(5));

        write(d, "/a");

        assertThat(node.sent()).as("purges: the second write is not held for the window").containsExactly("/a", "/a");
        assertThat(scheduler.scheduled()).as("timers").isZero();
    }

    @Test
    void aFollowUpTheSchedulerRefusesIsSentAtOnce() {
        Dispatcher d = dispatcher(Duration.ofHours(1));
        write(d, "/a");
        write(d, "/a");
        scheduler.refuse = true;

        complete(node, "/a");

        assertThat(node.sent()).as("purges: the follow-up the scheduler could not hold").containsExactly("/a", "/a");
    }

    // ---- the in-flight limit

    @Test
    void aNodeHasAtMostTheLimitOfPurgesInFlight() {
        Dispatcher d = dispatcher(WINDOW);
        List<String> paths = new ArrayList<>();
        for (int i = 0; i <= NodeBacklog.MAX_IN_FLIGHT_PER_NODE; i++) {
            paths.add("/p" + i);
        }

        write(d, paths.toArray(String[]::new));
        assertThat(node.inFlight()).as("in flight").isEqualTo(NodeBacklog.MAX_IN_FLIGHT_PER_NODE);
        d.submit(Set.of("/late"));
        assertThat(executor.queued()).as("hand-offs for a write while the node is at its limit").isZero();
        executor.runAll();
        assertThat(node.inFlight()).as("in flight after a write at the limit").isEqualTo(NodeBacklog.MAX_IN_FLIGHT_PER_NODE);

        complete(node, node.sent().get(0));
        assertThat(node.inFlight()).as("in flight after one completed: the next starts")
                .isEqualTo(NodeBacklog.MAX_IN_FLIGHT_PER_NODE);
        assertThat(node.sent()).as("purges started").hasSize(NodeBacklog.MAX_IN_FLIGHT_PER_NODE + 1);
        complete(node, node.sent().get(1));
        assertThat(node.sent()).as("purges started after two completed").hasSize(NodeBacklog.MAX_IN_FLIGHT_PER_NODE + 2)
                .contains("/late");
        assertThat(d.pendingCount()).as("pending").isEqualTo(NodeBacklog.MAX_IN_FLIGHT_PER_NODE);
    }

    // ---- re-purges

    @Test
    void aCommittedPurgeIsRepurgedTheDelayAfterItCompletedAndTheRepurgeIsNot() {
        Dispatcher d = dispatcher(REPURGE, WINDOW, node);
        write(d, "/a");
        ticker.advance(Duration.ofMillis(50));
        complete(node, "/a");
        assertThat(d.pendingCount()).as("pending: the re-purge").isOne();

        advance(REPURGE.minusNanos(1));
        assertThat(node.sent()).as("purges 1 ns before the re-purge is due").containsExactly("/a");
        advance(Duration.ofNanos(1));
        assertThat(node.sent()).as("purges once the re-purge is due").containsExactly("/a", "/a");
        assertThat(node.requestedNanos("/a")).as("the re-purge's requested time: when it fell due")
                .isEqualTo(ticker.now);
        complete(node, "/a");

        advance(REPURGE.multipliedBy(10));
        assertThat(node.sent()).as("purges: a re-purge is not re-purged").containsExactly("/a", "/a");
        assertThat(d.pendingCount()).as("pending").isZero();
    }

    @Test
    void aWriteWhileARepurgeIsDueIsPurgedAtOnceAndGetsARepurgeOfItsOwn() {
        Dispatcher d = dispatcher(REPURGE, Duration.ofSeconds(10), node);
        write(d, "/a");
        complete(node, "/a");
        advance(Duration.ofSeconds(1));

        write(d, "/a");
        assertThat(node.sent()).as("purges: the write is purged at once, not held for the window")
                .containsExactly("/a", "/a");
        assertThat(node.requestedNanos("/a")).as("its requested time").isEqualTo(ticker.now);
        advance(Duration.ofMillis(500));
        complete(node, "/a");
        advance(Duration.ofMillis(500));
        assertThat(node.sent()).as("purges when the replaced re-purge would have been due").containsExactly("/a", "/a");
        advance(REPURGE.minusMillis(500).minusNanos(1));
        assertThat(node.sent()).as("purges 1 ns before the new re-purge is due").containsExactly("/a", "/a");
        advance(Duration.ofNanos(1));
        assertThat(node.sent()).as("purges: its own re-purge, the delay after it completed")
                .containsExactly("/a", "/a", "/a");
    }

    @Test
    void aHeldFollowUpAskedForByACommitIsRepurged() {
        Dispatcher d = dispatcher(REPURGE, WINDOW, node);
        write(d, "/a");
        write(d, "/a");
        complete(node, "/a");
        assertThat(node.sent()).as("purges while the follow-up is held").containsExactly("/a");
        // The first purge's re-purge is covered by the follow-up: a commit asked for that one too.

        advance(WINDOW);
        assertThat(node.sent()).as("purges: the follow-up").containsExactly("/a", "/a");
        complete(node, "/a");
        advance(REPURGE);
        assertThat(node.sent()).as("purges: the follow-up's re-purge").containsExactly("/a", "/a", "/a");
        complete(node, "/a");
        advance(REPURGE.multipliedBy(10));
        assertThat(node.sent()).as("purges at the end").hasSize(3);
        assertThat(d.pendingCount()).as("pending").isZero();
    }

    @Test
    void aRepurgeTheSchedulerRefusesIsDroppedAndNotWaitedFor() {
        Dispatcher d = dispatcher(REPURGE, WINDOW, node);
        write(d, "/a");
        scheduler.refuse = true;

        complete(node, "/a");

        assertThat(d.pendingCount()).as("pending").isZero();
        assertThat(d.flush(Duration.ZERO)).as("flush with nothing owed").isTrue();
        assertThat(node.sent()).as("purges").containsExactly("/a");
    }

    // ---- flush

    @Test
    void flushWithNothingPendingReturnsAtOnce() {
        Dispatcher d = dispatcher(WINDOW);

        assertThat(d.flush(Duration.ZERO)).as("flush(0) of a new dispatcher").isTrue();
        write(d, "/a");
        complete(node, "/a");
        assertThat(d.flush(Duration.ZERO)).as("flush(0) after the purge completed").isTrue();
    }

    @Test
    void flushTimesOutWhileAPurgeIsOwed() {
        Dispatcher d = dispatcher(WINDOW);
        write(d, "/a");

        assertThat(d.flush(Duration.ZERO)).as("flush(0) with a purge in flight").isFalse();
        assertThat(d.flush(Duration.ofMillis(20))).as("flush(20 ms) with a purge in flight").isFalse();
    }

    @Test
    void flushWaitsForThePurgesAskedForBeforeItAndNoOthers() throws Exception {
        Dispatcher d = dispatcher(WINDOW);
        write(d, "/a");
        CompletableFuture<Boolean> flushed = flushInBackground(d, WAIT);

        write(d, "/b");
        assertThat(flushed).as("flush while /a is in flight").isNotDone();
        complete(node, "/a");

        assertThat(flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("flush, with /b still in flight").isTrue();
        assertThat(d.pending()).as("pending").isEqualTo(Map.of("node-a", List.of("/b")));
    }

    @Test
    void flushWaitsForAHeldFollowUp() throws Exception {
        Dispatcher d = dispatcher(WINDOW);
        write(d, "/a");
        write(d, "/a");
        complete(node, "/a");
        CompletableFuture<Boolean> flushed = flushInBackground(d, WAIT);

        advance(WINDOW);
        assertThat(flushed).as("flush while the follow-up is in flight").isNotDone();
        complete(node, "/a");

        assertThat(flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("flush").isTrue();
        assertThat(node.sent()).as("purges").containsExactly("/a", "/a");
    }

    @Test
    void flushWaitsThroughAFollowUpOwedByAPurgeInFlight() throws Exception {
        Dispatcher d = dispatcher(Duration.ZERO);
        write(d, "/a");
        write(d, "/a");
        CompletableFuture<Boolean> flushed = flushInBackground(d, WAIT);

        complete(node, "/a");
        // The completion woke the flush: give it the time to return, which it must not.
        assertThatThrownBy(() -> flushed.get(100, TimeUnit.MILLISECONDS))
                .as("flush while the follow-up is in flight").isInstanceOf(TimeoutException.class);
        complete(node, "/a");

        assertThat(flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("flush").isTrue();
    }

    @Test
    void flushWaitsForTheRepurgeOfAPurgeInFlight() throws Exception {
        Dispatcher d = dispatcher(REPURGE, WINDOW, node);
        write(d, "/a");
        CompletableFuture<Boolean> flushed = flushInBackground(d, Duration.ofMillis(300));

        complete(node, "/a");

        assertThat(flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("flush, the re-purge never sent").isFalse();
        assertThat(d.pendingCount()).as("pending").isOne();
    }

    @Test
    void flushWaitsForTheRepurgeOfAQueuedPurge() throws Exception {
        Dispatcher d = dispatcher(REPURGE, WINDOW, node);
        d.submit(Set.of("/a"));
        CompletableFuture<Boolean> flushed = flushInBackground(d, Duration.ofMillis(300));

        executor.runAll();
        complete(node, "/a");

        assertThat(flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("flush, the re-purge never sent").isFalse();
    }

    @Test
    void flushDuringARepurgeDelayWaitsForThatRepurgeOnly() throws Exception {
        Dispatcher d = dispatcher(REPURGE, WINDOW, node);
        write(d, "/a");
        complete(node, "/a");
        CompletableFuture<Boolean> delayed = flushInBackground(d, WAIT);

        advance(REPURGE);
        CompletableFuture<Boolean> repurging = flushInBackground(d, WAIT);
        assertThat(delayed).as("flush started while the re-purge was due, with the re-purge in flight").isNotDone();
        assertThat(repurging).as("flush started while the re-purge was in flight").isNotDone();
        complete(node, "/a");

        assertThat(delayed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("flush while the re-purge was due").isTrue();
        assertThat(repurging.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("flush while the re-purge was on the wire").isTrue();
    }

    @Test
    void flushOnAnInterruptedThreadGivesUpAndKeepsTheInterrupt() {
        Dispatcher d = dispatcher(WINDOW);
        write(d, "/a");

        Thread.currentThread().interrupt();
        boolean flushed = d.flush(WAIT);

        assertThat(Thread.interrupted()).as("interrupted after flush").isTrue();
        assertThat(flushed).as("flush").isFalse();
    }

    // ---- durations too long to count: forever (issue 10, item 14)

    @Test
    void aFlushOfForeverWaitsUntilDone() throws Exception {
        Dispatcher d = dispatcher(WINDOW);
        write(d, "/a");
        CompletableFuture<Boolean> flushed = flushInBackground(d, FOREVER);

        assertThat(flushed).as("flush(forever) while a purge is in flight").isNotDone();
        complete(node, "/a");

        assertThat(flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("flush(forever)").isTrue();
    }

    @Test
    void aRepurgeDelayOfForeverIsNeverDue() {
        Dispatcher d = dispatcher(FOREVER, WINDOW, node);
        write(d, "/a");

        complete(node, "/a");
        advance(Duration.ofDays(365 * 200));

        assertThat(scheduler.delays()).as("timer delays").containsExactly(Long.MAX_VALUE);
        assertThat(node.sent()).as("purges").containsExactly("/a");
        assertThat(d.pendingCount()).as("pending: the re-purge").isOne();
    }

    @Test
    void aWindowOfForeverHoldsTheFollowUpUntilClosing() {
        Dispatcher d = dispatcher(FOREVER);
        write(d, "/a");
        write(d, "/a");
        ticker.advance(Duration.ofMillis(7));

        complete(node, "/a");
        advance(Duration.ofDays(365 * 200));
        assertThat(scheduler.delays()).as("timer delays")
                .containsExactly(Long.MAX_VALUE - Duration.ofMillis(7).toNanos());
        assertThat(node.sent()).as("purges while held").containsExactly("/a");
        d.stopAccepting();
        executor.runAll();

        assertThat(node.sent()).as("purges after stopAccepting").containsExactly("/a", "/a");
    }

    // ---- closing

    @Test
    void stopAcceptingSendsAHeldFollowUpAtOnce() {
        Dispatcher d = dispatcher(Duration.ofHours(1));
        write(d, "/a");
        write(d, "/a");
        complete(node, "/a");
        assertThat(node.sent()).as("purges while held").containsExactly("/a");

        d.stopAccepting();
        executor.runAll();
        assertThat(node.sent()).as("purges after stopAccepting").containsExactly("/a", "/a");
        complete(node, "/a");
        advance(Duration.ofHours(2));

        assertThat(node.sent()).as("purges after the hold's timer ran").containsExactly("/a", "/a");
        assertThat(d.flush(Duration.ZERO)).as("flush").isTrue();
    }

    @Test
    void stopAcceptingSendsAtOnceAFollowUpOwedByAPurgeStillOnTheWire() {
        Dispatcher d = dispatcher(Duration.ofHours(1));
        write(d, "/a");
        write(d, "/a");

        d.stopAccepting();
        complete(node, "/a");

        assertThat(node.sent()).as("purges as the first completed").containsExactly("/a", "/a");
        assertThat(scheduler.scheduled()).as("timers").isZero();
    }

    @Test
    void writesAfterStopAcceptingAreDroppedAndLoggedOnce() {
        Dispatcher d = dispatcher(WINDOW);
        d.stopAccepting();
        try (LogCapture log = new LogCapture()) {
            write(d, new String[0]);
            write(d, "/a");
            write(d, "/b");

            assertThat(log.messages(Level.WARNING)).as("warnings").singleElement().asString()
                    .contains("Roan is closed: dropped purges of [/a]")
                    .contains("Close Roan after the DSLContext that uses it");
        }
        assertThat(node.sent()).as("purges").isEmpty();
        assertThat(d.pendingCount()).as("pending").isZero();
    }

    // ---- the delivery executor

    @Test
    void aPurgeThatEndsLaterIsHandledWhereItsStageCompletesWithoutAHandOff() {
        List<Runnable> handled = new ArrayList<>();
        dispatcher = new Dispatcher(List.of(node), executor, handled::add, scheduler, ticker,
                new SettingsBuilder().settings());
        write(dispatcher, "/a");
        node.complete("/a");

        assertThat(executor.queued()).as("hand-offs to the delivery executor for the end of /a").isZero();
        assertThat(handled).as("ends handed to the completions executor").hasSize(1);
        handled.get(0).run();
        assertThat(dispatcher.pendingCount()).as("owed once its end was handled").isZero();
    }

    @Test
    void aPurgeWhoseStageIsCompleteAsItStartsIsHandledByTheDeliveryExecutor() {
        List<Runnable> handled = new ArrayList<>();
        PurgeTarget answered = (path, requestedNanos, probe) ->
                CompletableFuture.completedFuture(PurgeTarget.Outcome.DELIVERED);
        dispatcher = new Dispatcher(List.of(answered), executor, handled::add, scheduler, ticker,
                new SettingsBuilder().settings());
        dispatcher.submit(Set.of("/a"));
        executor.runAll();

        // Handled where it started, the end of each such purge would start the next: a stack as deep as the backlog.
        assertThat(handled).as("ends handed to the completions executor").isEmpty();
        assertThat(dispatcher.pendingCount()).as("owed").isZero();
    }


    @Test
    void aDrainTheExecutorRefusesIsLoggedAndTriedAgainOnTheNextWrite() {
        Dispatcher d = dispatcher(WINDOW);
        executor.refuseNext = true;
        try (LogCapture log = new LogCapture()) {
            write(d, "/a");

            assertThat(log.messages(Level.WARNING)).as("warnings").singleElement().asString()
                    .startsWith("Roan could not schedule purges: ")
                    .contains(RejectedExecutionException.class.getName());
        }
        assertThat(node.sent()).as("purges while the executor refused").isEmpty();

        write(d, "/b");

        assertThat(node.sent()).as("purges after the next write").containsExactlyInAnyOrder("/a", "/b");
    }

    // ---- what is pending

    @Test
    void pendingNamesEachNodeWithThePathsItOwes() {
        FakeTarget other = new FakeTarget("node-b");
        Dispatcher d = dispatcher(null, WINDOW, node, other);
        write(d, "/a");
        assertThat(d.pending()).as("pending while both nodes purge")
                .isEqualTo(Map.of("node-a", List.of("/a"), "node-b", List.of("/a")));

        complete(node, "/a");

        assertThat(d.pending()).as("pending once node a is done").isEqualTo(Map.of("node-b", List.of("/a")));
        assertThat(d.pendingCount()).as("pending count").isOne();
    }

    /**
     * Starts {@code dispatcher.flush(timeout)} on another thread and returns once that flush is waiting, having taken
     * in what is owed (or has returned).
     */
    private static CompletableFuture<Boolean> flushInBackground(Dispatcher dispatcher, Duration timeout) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> result.complete(dispatcher.flush(timeout)), "flush");
        thread.setDaemon(true);
        thread.start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (thread.getState() != Thread.State.TIMED_WAITING && !result.isDone()) {
            if (System.nanoTime() - deadline > 0) {
                fail("flush neither waited nor returned within " + WAIT);
            }
            Thread.yield();
        }
        return result;
    }

    // ---- a node that is down: the purge stays owed, one probe at a time

    @ParameterizedTest
    @ValueSource(ints = {30, 120})
    void aNodeDownForAWhileKeepsEveryPathOwedAndDeliversAllOnceUp(int seconds) {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            paths.add("/p" + i);
        }
        write(d, paths.subList(0, 50).toArray(String[]::new));
        for (String path : node.onTheWire()) {
            failAt(node, path);
        }
        // Writes go on through the outage; every probe fails until the node is back.
        long end = ticker.now + Duration.ofSeconds(seconds).toNanos();
        int written = 50;
        while (ticker.now < end) {
            if (written < 100) {
                write(d, paths.get(written++));
            }
            advance(Duration.ofMillis(500));
            for (String path : node.onTheWire()) {
                failAt(node, path);
            }
        }
        while (written < 100) {
            write(d, paths.get(written++));
        }
        assertThat(d.pendingCount()).as("owed after %s s down", seconds).isEqualTo(100);
        assertThat(d.status()).singleElement().satisfies(status -> {
            assertThat(status.isDown()).as("down").isTrue();
            assertThat(status.lastFailure()).as("last failure").isEqualTo("HTTP 503 (the test)");
            assertThat(status.oldestOwed()).as("oldest owed").isGreaterThanOrEqualTo(Duration.ofSeconds(seconds));
        });

        advance(MAX_RETRY);
        while (node.inFlight() > 0) {
            for (String path : node.onTheWire()) {
                complete(node, path);
            }
        }

        assertThat(d.pendingCount()).as("owed once up").isZero();
        assertThat(d.droppedPurges()).as("dropped").isZero();
        assertThat(d.status()).singleElement().satisfies(status -> assertThat(status.isDown()).isFalse());
        assertThat(node.sent()).as("every path delivered").containsAll(paths);
    }

    @Test
    void whileDownOnlyOneProbeAtATimeIsSentAndAFailedProbeGoesToTheBackOfTheQueue() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a", "/b", "/c");
        List<String> first = node.onTheWire();
        failAt(node, first.get(0));
        failAt(node, first.get(1));
        failAt(node, first.get(2));
        write(d, "/d");
        assertThat(node.sent()).as("sent while down, before the first probe").hasSize(3);

        advance(SECOND);
        assertThat(node.onTheWire()).as("the first probe: the oldest owed path").containsExactly(first.get(0));
        assertThat(node.probes()).as("probes").containsExactly(false, false, false, true);
        advance(MAX_RETRY);
        assertThat(node.inFlight()).as("in flight while the probe is out, however long").isOne();

        failAt(node, first.get(0));
        advance(MAX_RETRY);
        assertThat(node.onTheWire()).as("the next probe: the next path, the failed one went to the back")
                .containsExactly(first.get(1));
        complete(node, first.get(1));

        assertThat(node.onTheWire()).as("up: the backlog at full speed, the failed probe last")
                .containsExactly(first.get(2), "/d", first.get(0));
        assertThat(node.probes().subList(5, 8)).as("no more probes").containsOnly(false);
    }

    @Test
    void probesWaitTwiceAsLongAfterEachFailureWithJitterUpToTheCap() {
        jitter = 0.5;
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a");
        failAt(node, "/a");
        for (int i = 0; i < 7; i++) {
            advance(MAX_RETRY);
            failAt(node, "/a");
        }

        // Three quarters of 1, 2, 4, 8, 16, 30 (the cap), 30, 30 seconds.
        assertThat(scheduler.delays()).as("waits before each probe").containsExactly(
                750_000_000L, 1_500_000_000L, 3_000_000_000L, 6_000_000_000L, 12_000_000_000L, 22_500_000_000L,
                22_500_000_000L, 22_500_000_000L);
    }

    @Test
    void withoutJitterTheWaitsAreTheDoublingItself() {
        jitter = 0.0;
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a");
        failAt(node, "/a");
        advance(MAX_RETRY);
        failAt(node, "/a");

        assertThat(scheduler.delays()).as("half of 1 and 2 seconds").containsExactly(500_000_000L, 1_000_000_000L);
    }

    @Test
    void aRetryAfterOfZeroProbesAtOnce() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a");
        node.answer("/a", PurgeTarget.Outcome.failed("HTTP 503", 0));
        executor.runAll();
        advance(Duration.ZERO);
        node.answer("/a", PurgeTarget.Outcome.failed("HTTP 503", 0));
        executor.runAll();
        advance(Duration.ZERO);

        assertThat(scheduler.delays()).as("waits").containsExactly(0L, 0L);
        assertThat(node.onTheWire()).as("the second probe, sent at once").containsExactly("/a");
    }

    @Test
    void aRetryAfterSetsTheWaitBeforeTheNextProbeWithinTheCap() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a");
        node.answer("/a", PurgeTarget.Outcome.failed("HTTP 429", Duration.ofSeconds(7).toNanos()));
        executor.runAll();
        advance(Duration.ofSeconds(6));
        assertThat(node.inFlight()).as("probes before the Retry-After").isZero();
        advance(SECOND);
        assertThat(node.onTheWire()).as("probe at the Retry-After").containsExactly("/a");

        node.answer("/a", PurgeTarget.Outcome.failed("HTTP 503", Duration.ofHours(1).toNanos()));
        executor.runAll();
        assertThat(scheduler.delays()).as("waits: the Retry-After, then the cap")
                .containsExactly(Duration.ofSeconds(7).toNanos(), MAX_RETRY.toNanos());
    }

    @Test
    void logLinesAreWrittenOnceTheLockIsReleased() throws Exception {
        Dispatcher d = dispatcher(policy(null, 1), node);
        List<String> heldWhileLogging = new CopyOnWriteArrayList<>();
        Handler checking = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (!lockIsFree(d)) {
                    heldWhileLogging.add(record.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        try (LogCapture log = new LogCapture()) {
            Logger.getLogger(Roan.class.getName()).addHandler(checking);
            try {
                write(d, "/a");
                write(d, "/b");
                failAt(node, "/a");
                advance(SECOND);
                complete(node, "/a");
            } finally {
                Logger.getLogger(Roan.class.getName()).removeHandler(checking);
            }
            assertThat(log.messages(Level.SEVERE)).as("the cap").hasSize(1);
            assertThat(log.messages(Level.WARNING)).as("down").hasSize(1);
            assertThat(log.messages(Level.INFO)).as("recovered").hasSize(1);
        }
        assertThat(heldWhileLogging).as("lines logged while the dispatcher's lock was held").isEmpty();
    }

    /** Whether another thread can take the dispatcher's lock now (a thread holding it would block it). */
    private static boolean lockIsFree(Dispatcher d) {
        FutureTask<Integer> count = new FutureTask<>(d::pendingCount);
        Thread thread = new Thread(count, "lock-probe");
        thread.setDaemon(true);
        thread.start();
        try {
            count.get(2, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aPathBeyondTheCapThatTheOutboxKeepsIsNeitherDroppedNorReportedDown() {
        Dispatcher d = dispatcher(policy(null, 1), node);
        try (LogCapture log = new LogCapture()) {
            d.submitKept(List.of("/a"));
            d.submitKept(List.of("/b"));
            executor.runAll();

            assertThat(log.messages(Level.WARNING)).as("warnings").singleElement().asString()
                    .contains("node-a owes purges of 1 distinct paths", "wait in the outbox table");
            assertThat(log.messages(Level.SEVERE)).as("errors").isEmpty();
        }
        assertThat(d.droppedPurges()).as("dropped").isZero();
        assertThat(node.dropped()).as("drops told").isEmpty();
        assertThat(d.status()).singleElement().satisfies(s -> assertThat(s.isDown()).as("down").isFalse());
        assertThat(node.sent()).as("sent").containsExactly("/a");

        d.submit(List.of("/c"));
        assertThat(d.droppedPurges()).as("dropped from memory alone").isOne();
        assertThat(d.status()).singleElement().satisfies(s -> assertThat(s.isDown()).as("down").isTrue());
    }

    @Test
    void droppedPurgesAreToldToTheirTargetOutsideTheLock() {
        Dispatcher d = dispatcher(policy(Duration.ofSeconds(2), 1), node);
        node.onDrop = () -> assertThat(lockIsFree(d)).as("lock free while the target is told").isTrue();
        write(d, "/a");
        write(d, "/b");
        assertThat(node.dropped()).as("beyond the cap").containsExactly("/b: owed beyond maxOwedPaths (1)");

        // Down at 0 s; the probe at 1 s fails; at the next, at 3 s, /a was owed longer than 2 s.
        failAt(node, "/a");
        advance(SECOND);
        failAt(node, "/a");
        advance(Duration.ofSeconds(2));
        assertThat(node.dropped()).as("after giveUpAfter").containsExactly("/b: owed beyond maxOwedPaths (1)",
                "/a: owed longer than giveUpAfter (2000 ms) while the node is down");
        assertThat(d.droppedPurges()).as("dropped").isEqualTo(2);
    }

    @Test
    void aNodeGoingDownIsLoggedOnceAndItsRecoveryOnce() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        try (LogCapture log = new LogCapture()) {
            write(d, "/a", "/b");
            failAt(node, "/a");
            failAt(node, "/b");
            advance(SECOND);
            failAt(node, "/a");
            advance(Duration.ofSeconds(2));
            complete(node, "/b");
            complete(node, "/a");

            assertThat(log.messages(java.util.logging.Level.WARNING)).as("warnings").singleElement().asString()
                    .contains("Cache node node-a is down", "/a", "HTTP 503 (the test)", "2 purge(s)",
                            "at most 30000 ms apart", "check that the cache runs");
            assertThat(log.messages(Level.INFO)).as("infos").singleElement().asString()
                    .contains("Cache node node-a recovered after 3000 ms down", "the 2 purge(s) it owes")
                    .doesNotContain("dropped");
        }
    }

    @Test
    void writesWhileDownCoalesceAndAWriteDuringTheProbeOwesAFollowUp() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a");
        failAt(node, "/a");
        write(d, "/a");
        write(d, "/a");
        assertThat(d.pendingCount()).as("pending").isOne();
        advance(SECOND);
        write(d, "/a");
        complete(node, "/a");
        advance(WINDOW);

        assertThat(node.sent()).as("purge, probe, follow-up of the write during the probe")
                .containsExactly("/a", "/a", "/a");
        complete(node, "/a");
        assertThat(d.pendingCount()).as("pending").isZero();
    }

    @Test
    void aCommittedPurgeThatFailedStillEarnsItsRepurgeOnceDelivered() {
        Dispatcher d = dispatcher(new Dispatcher.Policy(REPURGE, WINDOW, MAX_RETRY, null, Integer.MAX_VALUE,
                List.of()), node);
        write(d, "/a");
        failAt(node, "/a");
        advance(SECOND);
        complete(node, "/a");
        advance(REPURGE);

        assertThat(node.sent()).as("purge, probe, re-purge").containsExactly("/a", "/a", "/a");
    }

    @Test
    void theDefaultPolicyWaitsAFullSecondBeforeTheFirstProbe() {
        Dispatcher d = dispatcher(WINDOW);
        write(d, "/a");
        failAt(node, "/a");

        assertThat(scheduler.delays()).containsExactly(SECOND.toNanos());
    }

    @Test
    void roansDispatcherJittersItsProbes() {
        SettingsBuilder settings = new SettingsBuilder();
        dispatcher = new Dispatcher(List.of(node), executor, scheduler, ticker, settings.settings());
        write(dispatcher, "/a");
        failAt(node, "/a");
        for (int i = 0; i < 4; i++) {
            advance(MAX_RETRY);
            failAt(node, "/a");
        }

        List<Long> delays = scheduler.delays();
        long[] seconds = {1, 2, 4, 8, 16};
        int aboveHalf = 0;
        for (int i = 0; i < seconds.length; i++) {
            long half = seconds[i] * 500_000_000L;
            assertThat(delays.get(i)).as("wait %s", i).isBetween(half, 2 * half);
            aboveHalf += delays.get(i) > half ? 1 : 0;
        }
        assertThat(aboveHalf).as("waits above half their doubling: jittered, at random").isPositive();
    }

    @Test
    void aPurgeInFlightWhenTheNodeWentDownThatSucceedsBringsItUp() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a", "/b");
        failAt(node, "/a");
        complete(node, "/b");

        assertThat(node.onTheWire()).as("the failed purge again, at once").containsExactly("/a");
        assertThat(d.status()).singleElement().satisfies(status -> assertThat(status.isDown()).isFalse());
    }

    @Test
    void theTargetLearnsWhenItsNodeGoesDownAndWhenItIsUpAgainOnceEach() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a", "/b", "/c");
        failAt(node, "/a");
        assertThat(node.downs()).as("down with the first failure").containsExactly(true);
        failAt(node, "/b");
        assertThat(node.downs()).as("a second failure while down tells nothing new").containsExactly(true);

        advance(SECOND);
        complete(node, node.onTheWire().get(0));
        assertThat(node.downs()).as("up with the delivered probe").containsExactly(true, false);
    }

    @Test
    void flushIsTrueOnlyOnceTheOwedPurgesAreDelivered() throws Exception {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a");
        failAt(node, "/a");
        assertThat(d.flush(Duration.ZERO)).as("flush while down").isFalse();

        CompletableFuture<Boolean> flushed = flushInBackground(d, WAIT);
        advance(SECOND);
        complete(node, "/a");

        assertThat(flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("flush once delivered").isTrue();
    }

    @Test
    void stopAcceptingProbesANodeThatIsDownAtOnce() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a");
        failAt(node, "/a");
        d.stopAccepting();
        executor.runAll();

        assertThat(node.onTheWire()).as("probe on close, without waiting for the backoff").containsExactly("/a");
        assertThat(node.probes()).containsExactly(false, true);
    }

    @Test
    void aProbeTheSchedulerRefusesLeavesThePurgeOwed() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a");
        scheduler.refuse = true;
        failAt(node, "/a");

        assertThat(d.pendingCount()).as("pending").isOne();
        assertThat(d.flush(Duration.ZERO)).as("flush").isFalse();
    }

    @Test
    void anUndeliverablePurgeIsDroppedCountedAndLogged() throws Exception {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a");
        CompletableFuture<Boolean> flushed = flushInBackground(d, FOREVER);
        try (LogCapture log = new LogCapture()) {
            node.answer("/a", PurgeTarget.Outcome.undeliverable("no URI"));
            executor.runAll();
            assertThat(log.messages(Level.SEVERE)).as("errors").singleElement().asString()
                    .contains("dropped the purge of /a on node-a", "no URI");
        }
        assertThat(flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("flush, woken by the drop").isFalse();
        assertThat(d.droppedPurges()).as("dropped").isOne();
        assertThat(d.pendingCount()).as("pending").isZero();
        assertThat(d.status()).singleElement().satisfies(status -> assertThat(status.isDown()).isFalse());
    }

    @Test
    void anUndeliverableProbeIsFollowedByTheNextProbeAtOnce() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/bad", "/good");
        failAt(node, "/bad");
        failAt(node, "/good");
        advance(SECOND);
        assertThat(node.onTheWire()).as("the first probe").containsExactly("/bad");

        node.answer("/bad", PurgeTarget.Outcome.undeliverable("no URI"));
        executor.runAll();

        assertThat(node.onTheWire()).as("the next probe, without waiting for a timer").containsExactly("/good");
        complete(node, "/good");
        assertThat(d.pendingCount()).as("pending").isZero();
        assertThat(d.status()).singleElement().satisfies(status -> assertThat(status.isDown()).isFalse());
    }

    // ---- giving up

    @Test
    void giveUpAfterDropsWhatANodeThatIsDownOwedTooLongWithOneErrorAndACount() throws Exception {
        Dispatcher d = dispatcher(policy(Duration.ofSeconds(10), Integer.MAX_VALUE), node);
        CompletableFuture<Settled> tracked = d.submitTracked(List.of("/a", "/b")).toCompletableFuture();
        executor.runAll();
        CompletableFuture<Boolean> flushed = flushInBackground(d, FOREVER);
        failAt(node, "/a");
        failAt(node, "/b");
        try (LogCapture log = new LogCapture()) {
            // Probes at 1, 3, 7 and 15 s; each fails.
            advance(SECOND);
            failAt(node, "/a");
            advance(Duration.ofSeconds(2));
            failAt(node, "/b");
            advance(Duration.ofSeconds(2));
            write(d, "/c");
            advance(Duration.ofSeconds(2));
            failAt(node, "/a");
            assertThat(d.droppedPurges()).as("dropped at 7 s").isZero();
            advance(Duration.ofSeconds(8));
            assertThat(d.droppedPurges()).as("dropped at 15 s: /a and /b owed 15 s, /c exactly 10 s").isEqualTo(3);
            assertThat(flushed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("flush").isFalse();
            assertThat(tracked).as("tracked").isCompletedWithValue(Settled.GIVEN_UP);
            write(d, "/d");
            assertThat(node.onTheWire()).as("a write when a probe is due is the probe").containsExactly("/d");
            failAt(node, "/d");
            advance(Duration.ofSeconds(16));
            assertThat(d.droppedPurges()).as("dropped at 31 s: /d too").isEqualTo(4);
            assertThat(log.messages(Level.SEVERE)).as("errors: one per outage").singleElement().asString()
                    .contains("dropped 3 purge(s) that cache node node-a owed longer than giveUpAfter (10000 ms)",
                            "HTTP 503 (the test)");

            write(d, "/e");
            complete(node, "/e");
            assertThat(log.messages(Level.INFO)).as("recovery").singleElement().asString()
                    .contains("(4 dropped after giveUpAfter while it was down)");
        }
        assertThat(d.pendingCount()).as("pending").isZero();
        assertThat(d.status()).singleElement().satisfies(status -> assertThat(status.isDown()).isFalse());
    }

    @Test
    void withoutGiveUpAfterNothingIsDropped() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        write(d, "/a");
        failAt(node, "/a");
        for (int i = 0; i < 100; i++) {
            advance(MAX_RETRY);
            failAt(node, "/a");
        }
        assertThat(d.droppedPurges()).as("dropped after 50 min down").isZero();
        assertThat(d.pendingCount()).as("pending").isOne();
    }

    // ---- bounded memory

    @Test
    void atTheCapANewPathIsDroppedCountedLoggedOnceAndTheNodeReportsDown() {
        FakeTarget other = new FakeTarget("node-b");
        Dispatcher d = dispatcher(policy(null, 2), node, other);
        write(d, "/a", "/b");
        assertThat(d.room()).as("room at the cap").isZero();
        try (LogCapture log = new LogCapture()) {
            write(d, "/c");
            write(d, "/d");
            write(d, "/a");
            assertThat(log.messages(Level.SEVERE)).as("errors").hasSize(2).allSatisfy(m -> assertThat(m)
                    .contains("owes purges of 2 distinct paths (maxOwedPaths)", "onOverflowPurge"));
        }
        assertThat(d.droppedPurges()).as("dropped: /c and /d on two nodes").isEqualTo(4);
        assertThat(d.pendingCount()).as("pending").isEqualTo(4);
        assertThat(d.status()).as("status").allSatisfy(status -> assertThat(status.isDown()).isTrue());
        assertThat(d.submitTracked(List.of("/e")).toCompletableFuture()).as("tracked at the cap")
                .isCompletedWithValue(Settled.NOT_TAKEN);

        complete(node, "/a");
        complete(node, "/b");
        advance(WINDOW);
        complete(node, "/a");
        assertThat(d.room()).as("room: the fullest node's").isZero();
        complete(other, "/b");
        assertThat(d.room()).as("room").isOne();
        assertThat(d.status().get(0).isDown()).as("node a, owing nothing").isFalse();
        assertThat(d.status().get(1).isDown()).as("node b, still owing").isTrue();
    }

    @Test
    void theErrorAtTheCapSaysWhenTheNodeIsDown() {
        Dispatcher d = dispatcher(policy(null, 1), node);
        write(d, "/a");
        try (LogCapture log = new LogCapture()) {
            write(d, "/b");
            failAt(node, "/a");
            assertThat(log.messages(Level.SEVERE)).as("error while up").singleElement().asString()
                    .doesNotContain("it is down");
        }
        advance(SECOND);
        complete(node, "/a");
        write(d, "/a");
        failAt(node, "/a");
        try (LogCapture log = new LogCapture()) {
            write(d, "/b");
            assertThat(log.messages(Level.SEVERE)).as("error while down").singleElement().asString()
                    .contains("it is down: HTTP 503 (the test)");
        }
    }

    @Test
    void atTheCapWithAnOverflowPurgeTheNodeOwesThatInstead() {
        Dispatcher d = dispatcher(policy(null, 2, "/"), node);
        write(d, "/a", "/b");
        try (LogCapture log = new LogCapture()) {
            write(d, "/c");
            write(d, "/d");
            assertThat(log.messages(java.util.logging.Level.WARNING)).as("warnings").singleElement().asString()
                    .contains("it will purge [/] instead");
        }
        complete(node, "/a");
        complete(node, "/b");

        assertThat(node.sent()).as("sent").containsExactlyInAnyOrder("/a", "/b", "/");
        assertThat(d.droppedPurges()).as("dropped").isZero();
        assertThat(d.status()).singleElement().satisfies(status -> assertThat(status.isDown()).isFalse());
    }

    @Test
    void aTrackedSubmitBeyondTheCapWithAnOverflowPurgeWarnsOnceAndWaitsForThatPurge() {
        Dispatcher d = dispatcher(policy(null, 2, "/"), node);
        write(d, "/a", "/b");
        CompletableFuture<Settled> tracked;
        try (LogCapture log = new LogCapture()) {
            tracked = d.submitTracked(List.of("/c"), true).toCompletableFuture();
            executor.runAll();
            assertThat(log.messages(Level.WARNING)).as("warnings").singleElement().asString()
                    .contains("it will purge [/] instead");
        }
        assertThat(d.submitTracked(List.of("/d")).toCompletableFuture()).as("beyond the cap, without orOverflow")
                .isCompletedWithValue(Settled.NOT_TAKEN);

        complete(node, "/a");
        complete(node, "/b");
        assertThat(tracked).as("before the overflow purge").isNotDone();
        complete(node, "/");
        assertThat(tracked).as("once the overflow purge is delivered").isCompletedWithValue(Settled.DELIVERED);
        assertThat(node.sent()).as("sent").containsExactlyInAnyOrder("/a", "/b", "/");
    }

    @Test
    void aTrackedSubmitTakesOnlyWhatFits() {
        Dispatcher d = dispatcher(policy(null, 3), node);
        write(d, "/a");

        assertThat(d.room()).as("room").isEqualTo(2);
        assertThat(d.submitTracked(List.of("/b", "/c", "/d")).toCompletableFuture()).as("three paths")
                .isCompletedWithValue(Settled.NOT_TAKEN);
        CompletableFuture<Settled> two = d.submitTracked(List.of("/b", "/c")).toCompletableFuture();
        executor.runAll();
        complete(node, "/b");
        complete(node, "/c");
        assertThat(two).as("two paths").isCompletedWithValue(Settled.DELIVERED);
    }

    @Test
    void aTrackedSubmitToANodeThatIsDownSettlesOnlyOnceDelivered() {
        Dispatcher d = dispatcher(policy(null, Integer.MAX_VALUE), node);
        CompletableFuture<Settled> tracked = d.submitTracked(List.of("/a")).toCompletableFuture();
        executor.runAll();
        failAt(node, "/a");
        advance(SECOND);
        failAt(node, "/a");
        assertThat(tracked).as("while down").isNotDone();
        advance(Duration.ofSeconds(2));
        complete(node, "/a");

        assertThat(tracked).isCompletedWithValue(Settled.DELIVERED);
    }

    @Test
    void theStatusOfEachNodeMasksItsUrlAndAgesItsOldestPurge() {
        FakeTarget secret = new FakeTarget("http://user:pw@cache/purge");
        Dispatcher d = dispatcher(REPURGE, WINDOW, node, secret);
        assertThat(d.status()).as("idle").containsExactly(
                new CacheNodeStatus("node-a", 0, Duration.ZERO, false, null),
                new CacheNodeStatus(Checks.maskUrl("http://user:pw@cache/purge"), 0, Duration.ZERO, false, null));
        write(d, "/a");
        ticker.advance(Duration.ofSeconds(3));
        write(d, "/b");
        failAt(node, "/a");
        complete(secret, "/a");
        ticker.advance(SECOND);

        assertThat(d.status().get(0)).as("node a: /a queued since 4 s, /b on the wire since 1 s")
                .isEqualTo(new CacheNodeStatus("node-a", 2, Duration.ofSeconds(4), true, "HTTP 503 (the test)"));
        assertThat(d.status().get(1)).as("node b: /a due for its re-purge, /b on the wire since 1 s")
                .isEqualTo(new CacheNodeStatus(Checks.maskUrl("http://user:pw@cache/purge"), 2, SECOND, false, null));
        assertThat(d.status().get(1).purgeUrl()).doesNotContain("pw");

        write(d, "/b");
        assertThat(d.status().get(1).oldestOwed()).as("node b: /b on the wire since 1 s, written again since")
                .isEqualTo(SECOND);
    }

    // ---- tracked submits (the outbox's)

    @Test
    void aTrackedSubmitIsDeliveredOnceEveryNodeDeliveredEveryPath() {
        FakeTarget other = new FakeTarget("node-b");
        Dispatcher d = dispatcher(null, WINDOW, node, other);

        CompletableFuture<Settled> settled = d.submitTracked(List.of("/a", "/b")).toCompletableFuture();
        executor.runAll();
        complete(node, "/a");
        complete(node, "/b");
        complete(other, "/a");
        assertThat(settled).as("settled with one purge still on the wire").isNotDone();
        complete(other, "/b");

        assertThat(settled).as("settled").isCompletedWithValue(Settled.DELIVERED);
    }

    @Test
    void aTrackedSubmitWhilePurgeIsOnTheWireWaitsForTheFollowUp() {
        Dispatcher d = dispatcher(Duration.ZERO);
        write(d, "/a");

        CompletableFuture<Settled> settled = d.submitTracked(List.of("/a")).toCompletableFuture();
        complete(node, "/a");
        assertThat(settled).as("settled by the purge that started before it").isNotDone();
        assertThat(node.sent()).as("purges").containsExactly("/a", "/a");
        complete(node, "/a");

        assertThat(settled).as("settled by the follow-up").isCompletedWithValue(Settled.DELIVERED);
    }

    @Test
    void aTrackedSubmitOfNothingIsDeliveredAtOnce() {
        Dispatcher d = dispatcher(WINDOW);

        assertThat(d.submitTracked(List.of()).toCompletableFuture()).isCompletedWithValue(Settled.DELIVERED);
    }

    @Test
    void aTrackedSubmitAfterStopAcceptingIsNotTaken() {
        Dispatcher d = dispatcher(WINDOW);
        d.stopAccepting();

        assertThat(d.submitTracked(List.of("/a")).toCompletableFuture())
                .isCompletedWithValue(Settled.NOT_TAKEN);
        assertThat(d.room()).as("room when closed").isZero();
        executor.runAll();
        assertThat(node.sent()).as("purges").isEmpty();
    }

    @Test
    void withoutACapTheRoomIsUnbounded() {
        Dispatcher d = dispatcher(WINDOW);

        assertThat(d.room()).isEqualTo(Integer.MAX_VALUE);
    }

    /** Time that moves only when told. */
    static final class FakeTicker implements Ticker {
        long now;

        FakeTicker(long start) {
            now = start;
        }

        @Override
        public long read() {
            return now;
        }

        void advance(Duration duration) {
            now += duration.toNanos();
        }
    }

    /** Timers that run when the test advances the ticker to their time, in the order of their times. */
    static final class ManualScheduler implements Scheduler {
        private final FakeTicker ticker;
        private final List<Timer> timers = new ArrayList<>();
        private final List<Long> delays = new ArrayList<>();
        private long sequence;
        boolean refuse;

        ManualScheduler(FakeTicker ticker) {
            this.ticker = ticker;
        }

        @Override
        public void schedule(Runnable task, long delayNanos) {
            if (refuse) {
                throw new RejectedExecutionException("refused by the test");
            }
            delays.add(delayNanos);
            long due = delayNanos > Long.MAX_VALUE - ticker.now ? Long.MAX_VALUE : ticker.now + delayNanos;
            timers.add(new Timer(due, sequence++, task));
        }

        /** Moves the ticker on, running each timer at its time. */
        void advance(Duration duration) {
            long end = ticker.now + duration.toNanos();
            while (true) {
                Timer next = timers.stream()
                        .min(Comparator.comparingLong(Timer::due).thenComparingLong(Timer::sequence))
                        .orElse(null);
                if (next == null || next.due() > end) {
                    break;
                }
                timers.remove(next);
                ticker.now = Math.max(ticker.now, next.due());
                next.task().run();
            }
            ticker.now = end;
        }

        /** Timers not yet run. */
        int scheduled() {
            return timers.size();
        }

        /** The delay of every timer scheduled, in order. */
        List<Long> delays() {
            return List.copyOf(delays);
        }

        private record Timer(long due, long sequence, Runnable task) {}
    }

    /** A delivery executor whose tasks run when the test says so, on the test's thread. */
    static final class ManualExecutor implements Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        boolean refuseNext;

        @Override
        public void execute(Runnable task) {
            if (refuseNext) {
                refuseNext = false;
                throw new RejectedExecutionException("refused by the test");
            }
            tasks.add(task);
        }

        void runAll() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
        }

        int queued() {
            return tasks.size();
        }
    }

    /** A cache node whose purges complete when the test completes them, delivered or failed. */
    static final class FakeTarget implements PurgeTarget {
        private final String name;
        private final List<String> sent = new ArrayList<>();
        private final List<Long> requested = new ArrayList<>();
        private final List<Boolean> probes = new ArrayList<>();
        private final List<Sending> onTheWire = new ArrayList<>();

        private final List<String> dropped = new ArrayList<>();
        /** What the dispatcher told of the node's state, in order: true for down. */
        private final List<Boolean> downs = new ArrayList<>();
        /** Runs as the dispatcher tells of a drop. */
        Runnable onDrop = () -> {};

        /** Keys one request may carry ({@link #batchLimit}); page paths always go alone. */
        int keysPerRequest = 1;
        /** The targets of each request, in the order they started: one for a purge of its own. */
        private final List<List<String>> requests = new ArrayList<>();

        FakeTarget(String name) {
            this.name = name;
        }

        @Override
        public int batchLimit(String target) {
            return Dependency.isTarget(target) ? keysPerRequest : 1;
        }

        @Override
        public CompletionStage<Outcome> purge(List<String> targets, long[] requestedNanos) {
            assertThat(requestedNanos).as("a requested time per target").hasSize(targets.size());
            sent.addAll(targets);
            requests.add(List.copyOf(targets));
            for (long nanos : requestedNanos) {
                requested.add(nanos);
                probes.add(false);
            }
            CompletableFuture<Outcome> done = new CompletableFuture<>();
            onTheWire.add(new Sending(String.join("+", targets), done));
            return done;
        }

        /** The targets of each request, in the order they started. */
        List<List<String>> requests() {
            return List.copyOf(requests);
        }

        @Override
        public void dropped(String path, long requestedNanos, String reason) {
            onDrop.run();
            dropped.add(path + ": " + reason);
        }

        @Override
        public void nodeDown(boolean down) {
            downs.add(down);
        }

        /** What the dispatcher told of the node's state, in order: true for down, false for up again. */
        List<Boolean> downs() {
            return List.copyOf(downs);
        }

        /** The drops told, as "path: reason". */
        List<String> dropped() {
            return List.copyOf(dropped);
        }

        @Override
        public CompletionStage<Outcome> purge(String path, long requestedNanos, boolean probe) {
            requests.add(List.of(path));
            sent.add(path);
            requested.add(requestedNanos);
            probes.add(probe);
            CompletableFuture<Outcome> done = new CompletableFuture<>();
            onTheWire.add(new Sending(path, done));
            return done;
        }

        /** Paths in the order their purges started. */
        List<String> sent() {
            return List.copyOf(sent);
        }

        /** Whether each purge, in the order they started, was a probe. */
        List<Boolean> probes() {
            return List.copyOf(probes);
        }

        /** The requested time handed with the latest purge of {@code path}. */
        long requestedNanos(String path) {
            int i = sent.lastIndexOf(path);
            assertThat(i).as("purges of %s", path).isNotNegative();
            return requested.get(i);
        }

        int inFlight() {
            return onTheWire.size();
        }

        /** Paths on the wire, oldest first. */
        List<String> onTheWire() {
            return onTheWire.stream().map(Sending::path).toList();
        }

        void complete(String path) {
            answer(path, Outcome.DELIVERED);
        }

        void fail(String path) {
            answer(path, Outcome.failed("HTTP 503 (the test)", -1));
        }

        void answer(String path, Outcome outcome) {
            Sending sending = onTheWire.stream().filter(s -> s.path().equals(path)).findFirst()
                    .orElseThrow(() -> new AssertionError("no purge of " + path + " on the wire at " + name));
            onTheWire.remove(sending);
            sending.done().complete(outcome);
        }

        @Override
        public String toString() {
            return name;
        }

        private record Sending(String path, CompletableFuture<Outcome> done) {}
    }
}
