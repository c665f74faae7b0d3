package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Coalesce and deliver: the pending purges of every cache node.
 *
 * <p>Each (node, path) is one entry: idle, queued, in flight, held (a follow-up waiting for the coalescing
 * window), or delayed (waiting for its re-purge). A path submitted while queued or held is not queued
 * twice; a path submitted while its purge is in flight owes one follow-up purge, sent once that purge has
 * completed and the coalescing window has passed since it was sent (at completion, if the round trip
 * already took longer), so the last purge of a path always starts after the last commit that asked for
 * it, and a path written faster than its purges complete is purged about once per window. A path submitted while
 * idle or delayed is queued at once: sparse writes never wait for the window. With a re-purge delay, a
 * purge asked for by a commit is followed by one more purge of the path that long after it completed; a
 * commit in the meantime replaces the pending re-purge with a purge now (and a re-purge after that one).
 * {@link #stopAccepting} releases held follow-ups at once, so closing never waits for a window. Durations too
 * long to count in nanoseconds mean forever.
 *
 * <p>{@link #submit} runs on the writer's thread: it only updates this in-memory state under a short
 * lock and, at most once per burst, hands the sending to the delivery executor. It never touches the
 * network, even for DNS.
 *
 * <p>A purge stays owed until its node confirms it. A failed purge (refused, timed out, 5xx, 429, 403...) goes back
 * to the end of its node's queue and the node goes down: while down, one purge at a time is sent as a probe (a single
 * attempt), after a wait that doubles from {@link #FIRST_PROBE} with jitter up to {@code maxRetryInterval} (or what a
 * {@code Retry-After} asked for, within that cap); the first delivered purge brings the node up and its backlog
 * drains at the in-flight limit. One WARNING when a node goes down, one INFO when it recovers. With
 * {@code giveUpAfter}, a purge owed that long on a node that is down is dropped at the next probe and counted. Each
 * node holds at most {@code maxOwedPaths} entries: beyond that, a new path makes the node owe the overflow purge
 * instead, or without one is dropped and counted.
 *
 * <p>Why not Resilience4j's CircuitBreaker for the down state: it decides from failure rates over a window of calls
 * and only refuses calls while open, on its own clock; here one failure is enough (the failed purge is kept, so
 * stopping at once costs nothing), the probe must be scheduled by this class anyway (nothing else would call), and
 * the state must move with the injected {@link Ticker} and {@link Scheduler} under this class's lock, where the
 * queue it gates lives. The state is three fields per node. Resilience4j's Retry still makes the quick attempts of
 * one purge while its node is up.
 *
 * <p>Time comes from a {@link Ticker} and timers from a {@link Scheduler}, and purges go to {@link PurgeTarget}s,
 * so that the rules above are tested by moving a fake clock, not by sleeping.
 */
final class Dispatcher {

    private static final System.Logger LOG = Log.LOGGER;

    /** Purges one node may have in flight at once; more wait in its queue. */
    static final int MAX_IN_FLIGHT_PER_NODE = 32;

    /** The wait before the first probe of a node that went down; each failed probe doubles it, up to the cap. */
    static final Duration FIRST_PROBE = Duration.ofSeconds(1);

    /** Where an entry stands. An entry that owes nothing is removed, so no entry in a map is idle. */
    private enum State {
        /** New, or done and about to be removed. */
        IDLE,
        /** In its node's queue, waiting for a delivery thread and a free in-flight slot. */
        QUEUED,
        /** Its purge is on the wire. */
        IN_FLIGHT,
        /** Delivered; its re-purge is due after the delay. */
        DELAYED,
        /** A follow-up waiting for the rest of its coalescing window. */
        HELD
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private final List<NodeState> nodes = new ArrayList<>();
    private final Executor executor;
    private final Scheduler scheduler;
    private final Ticker ticker;
    private final boolean repurges;
    private final long repurgeNanos;
    /** The least time between the starts of two purges of a path on a node, when the second is a follow-up. */
    private final long windowNanos;
    private final long maxRetryNanos;
    /** How long a node that is down may owe a purge before it is dropped; 0 for never. */
    private final long giveUpNanos;
    private final int maxOwedPaths;
    private final List<String> overflowPurge;
    /** From 0 (inclusive) to 1: where in the upper half of its doubling a probe's wait falls. */
    private final DoubleSupplier jitter;
    private boolean drainScheduled;
    private boolean closed;
    private boolean warnedClosed;
    /** Purges dropped: given up after {@code giveUpAfter}, or refused at the memory cap. */
    private long dropped;
    /** Tracked submits settled under the lock, to be told outside it: their callers' code must not run under it. */
    private List<Tracker> settled = new ArrayList<>();

    /** Roan's: the builder's settings, random jitter. */
    Dispatcher(List<? extends PurgeTarget> targets, Executor executor, Scheduler scheduler, Ticker ticker,
            Settings settings) {
        this(targets, executor, scheduler, ticker, new Policy(settings.repurgeAfter(), settings.coalesceWindow(),
                settings.maxRetryInterval(), settings.giveUpAfter(), settings.maxOwedPaths(), settings.overflowPurge()),
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** With the default delivery policy: no cap, no giving up, probes up to 30 s apart without jitter. */
    Dispatcher(List<? extends PurgeTarget> targets, Executor executor, Scheduler scheduler, Ticker ticker,
            @Nullable Duration repurgeAfter, Duration coalesceWindow) {
        this(targets, executor, scheduler, ticker, new Policy(repurgeAfter, coalesceWindow,
                Defaults.MAX_RETRY_INTERVAL, null, Integer.MAX_VALUE, List.of()), () -> 1.0);
    }

    /**
     * @param ticker the clock of the scheduler's delays and of the times handed to the targets
     * @param jitter where a probe's wait falls between half and all of its doubled value, from 0 to 1
     */
    Dispatcher(List<? extends PurgeTarget> targets, Executor executor, Scheduler scheduler, Ticker ticker,
            Policy policy, DoubleSupplier jitter) {
        for (PurgeTarget target : targets) {
            nodes.add(new NodeState(target));
        }
        this.executor = executor;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.repurges = policy.repurgeAfter() != null;
        this.repurgeNanos = policy.repurgeAfter() == null ? 0 : Ticker.saturatedNanos(policy.repurgeAfter());
        this.windowNanos = Ticker.saturatedNanos(policy.coalesceWindow());
        this.maxRetryNanos = Ticker.saturatedNanos(policy.maxRetryInterval());
        this.giveUpNanos = policy.giveUpAfter() == null ? 0 : Ticker.saturatedNanos(policy.giveUpAfter());
        this.maxOwedPaths = policy.maxOwedPaths();
        this.overflowPurge = List.copyOf(policy.overflowPurge());
        this.jitter = jitter;
    }

    /**
     * How purges are coalesced and kept owed.
     *
     * @param repurgeAfter the re-purge delay, or null for no re-purges
     * @param giveUpAfter how long a node may owe a purge before it is dropped, or null for never
     * @param maxOwedPaths how many entries a node may hold; {@link Integer#MAX_VALUE} for no cap
     * @param overflowPurge the paths owed instead of those beyond the cap; empty to drop them
     */
    record Policy(@Nullable Duration repurgeAfter, Duration coalesceWindow, Duration maxRetryInterval,
            @Nullable Duration giveUpAfter, int maxOwedPaths, List<String> overflowPurge) {}

    /** Asks for a purge of each path on every node. Never blocks on the network. */
    void submit(Collection<String> paths) {
        if (paths.isEmpty()) {
            return;
        }
        boolean schedule;
        lock.lock();
        try {
            if (closed) {
                if (!warnedClosed) {
                    warnedClosed = true;
                    LOG.log(Level.WARNING, () -> "Roan is closed: dropped purges of " + paths
                            + " (and of any later write). Close Roan after the DSLContext that uses it.");
                }
                return;
            }
            long now = ticker.read();
            for (NodeState node : nodes) {
                for (String path : paths) {
                    if (node.offer(path, now) == null) {
                        overflow(node, now);
                    }
                }
            }
            // Wake a delivery thread only when there is something it can start: a path already queued or in
            // flight costs the writer no hand-off.
            schedule = claimDrain();
        } finally {
            lock.unlock();
        }
        if (schedule) {
            scheduleDrain();
        }
    }

    /**
     * Asks for a purge of each path on every node, like {@link #submit}, and tells when they are settled: for the
     * outbox, which deletes its rows once they are delivered and keeps them otherwise.
     *
     * @return a stage completing with {@link Settled#DELIVERED} once every node has delivered a purge of every one of
     *     these paths that started after this call, {@link Settled#GIVEN_UP} once one of them was dropped instead
     *     ({@code giveUpAfter}), or at once {@link Settled#NOT_TAKEN} if closed or without {@link #room()} for them.
     *     It completes on a delivery or timer thread, never under the dispatcher's lock.
     */
    CompletionStage<Settled> submitTracked(Collection<String> paths) {
        return submitTracked(paths, false);
    }

    /**
     * {@link #submitTracked(Collection)}, or, with {@code orOverflow} and an overflow purge set, taken even without
     * room: a path that does not fit on a node makes it owe the overflow purge, as {@link #submit} does, and the
     * tracker then waits for that purge instead, which covers the path. Without an overflow purge it is refused
     * ({@link Settled#NOT_TAKEN}) as without {@code orOverflow}: nothing is submitted.
     */
    CompletionStage<Settled> submitTracked(Collection<String> paths, boolean orOverflow) {
        Tracker tracker = new Tracker();
        boolean schedule;
        boolean none;
        lock.lock();
        try {
            boolean overflowing = roomLocked() < paths.size();
            if (closed || overflowing && !(orOverflow && !overflowPurge.isEmpty())) {
                return CompletableFuture.completedFuture(Settled.NOT_TAKEN);
            }
            long now = ticker.read();
            for (NodeState node : nodes) {
                boolean overflowTracked = false;
                for (String path : paths) {
                    Entry entry = node.offer(path, now);
                    // The purge owed from now on is the requested one: queued, held, or the follow-up of one on
                    // the wire; delivering it settles this path on this node.
                    if (entry != null) {
                        entry.await(tracker, entry.requested);
                    } else {
                        // No room (only with an overflow purge, checked above): the node owes the overflow purge.
                        overflow(node, now);
                        if (!overflowTracked) {
                            overflowTracked = true;
                            for (String broad : overflowPurge) {
                                Entry covering = node.entries.get(broad);
                                covering.await(tracker, covering.requested);
                            }
                        }
                    }
                }
            }
            // Read under the lock: once it is released, a delivery thread may settle the tracker itself.
            none = tracker.remaining == 0;
            schedule = claimDrain();
        } finally {
            lock.unlock();
        }
        if (none) {
            // Nothing to wait for (no paths): settled at once, outside the lock like any other.
            tracker.future.complete(Settled.DELIVERED);
        }
        if (schedule) {
            scheduleDrain();
        }
        return tracker.future;
    }

    /** How many more distinct paths the dispatcher can hold now: {@link Integer#MAX_VALUE} without a cap. */
    int room() {
        lock.lock();
        try {
            return roomLocked();
        } finally {
            lock.unlock();
        }
    }

    private int roomLocked() {
        if (closed) {
            return 0;
        }
        if (maxOwedPaths == Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        int room = Integer.MAX_VALUE;
        for (NodeState node : nodes) {
            room = Math.min(room, Math.max(0, maxOwedPaths - node.entries.size()));
        }
        return room;
    }

    /**
     * Under the lock: a new path did not fit under the cap on this node. The node owes the overflow purge instead,
     * which covers it; without one the purge is dropped, and the node reports down until it owes nothing.
     */
    private void overflow(NodeState node, long now) {
        if (!overflowPurge.isEmpty()) {
            for (String path : overflowPurge) {
                node.offerUncapped(path, now);
            }
            if (!node.overflowLogged) {
                node.overflowLogged = true;
                LOG.log(Level.WARNING, () -> "Cache node " + node.target + " owes purges of " + maxOwedPaths
                        + " distinct paths (maxOwedPaths): it will purge " + overflowPurge + " instead of the paths"
                        + " beyond that, until its backlog is delivered" + downHint(node));
            }
            return;
        }
        dropped++;
        node.lost = true;
        if (!node.overflowLogged) {
            node.overflowLogged = true;
            LOG.log(Level.ERROR, () -> "Cache node " + node.target + " owes purges of " + maxOwedPaths
                    + " distinct paths (maxOwedPaths): purges of further paths are dropped, their pages may stay stale"
                    + " (counted in Roan.droppedPurges(); logged once until its backlog is delivered)" + downHint(node)
                    + ". Set onOverflowPurge(\"/\") to purge broadly instead, or raise maxOwedPaths.");
        }
    }

    private static String downHint(NodeState node) {
        return node.down ? "; it is down: " + node.lastFailure : "";
    }

    /** Purges dropped so far: given up after {@code giveUpAfter}, or refused at the memory cap. */
    long droppedPurges() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of each node's state, in the order of the targets. */
    List<CacheNodeStatus> status() {
        lock.lock();
        try {
            long now = ticker.read();
            List<CacheNodeStatus> list = new ArrayList<>();
            for (NodeState node : nodes) {
                long oldest = now;
                for (Entry entry : node.entries.values()) {
                    if (entry.state != State.DELAYED) {
                        oldest = Math.min(oldest, entry.state == State.IN_FLIGHT ? entry.sendingSince : entry.pendingSince);
                    }
                }
                boolean down = (node.down && !node.entries.isEmpty()) || node.lost;
                list.add(new CacheNodeStatus(Checks.maskUrl(node.target.toString()), node.entries.size(),
                        Duration.ofNanos(Math.max(0, now - oldest)), down, node.lastFailure));
            }
            return list;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the trackers settled since the last call, to tell once the lock is released; or null. */
    private @Nullable List<Tracker> takeSettled() {
        return settled.isEmpty() ? null : swapSettled();
    }

    private List<Tracker> swapSettled() {
        List<Tracker> done = settled;
        settled = new ArrayList<>();
        return done;
    }

    /** Completes settled trackers; never under the lock, as their callers' code runs here. */
    private static void tell(@Nullable List<Tracker> done) {
        if (done == null) {
            return;
        }
        for (Tracker tracker : done) {
            tracker.future.complete(tracker.gaveUp ? Settled.GIVEN_UP : Settled.DELIVERED);
        }
    }

    /**
     * Runs a change of state under the lock, then hands the sending to a delivery thread if the change made a purge
     * startable and no drain is scheduled yet. For the delivery and timer threads; {@link #submit}, on the writer's
     * thread, does the same without allocating a lambda.
     */
    private void update(Runnable change) {
        boolean schedule;
        List<Tracker> done;
        lock.lock();
        try {
            change.run();
            schedule = claimDrain();
            done = takeSettled();
        } finally {
            lock.unlock();
        }
        tell(done);
        if (schedule) {
            scheduleDrain();
        }
    }

    private void scheduleDrain() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            lock.lock();
            try {
                drainScheduled = false;
            } finally {
                lock.unlock();
            }
            LOG.log(Level.WARNING, () -> "Roan could not schedule purges: " + e);
        }
    }

    /** Starts every purge the in-flight limits allow. Runs on the delivery executor. */
    private void drain() {
        List<Entry> starting = new ArrayList<>();
        lock.lock();
        try {
            drainScheduled = false;
            long now = ticker.read();
            for (NodeState node : nodes) {
                node.takeStartable(starting, now);
            }
        } finally {
            lock.unlock();
        }
        send(starting);
    }

    /** Sends purges taken from the queues; not under the lock. */
    private void send(List<Entry> starting) {
        for (Entry entry : starting) {
            CompletionStage<PurgeTarget.Outcome> stage;
            try {
                stage = entry.node.target.purge(entry.path, entry.sendingSince, entry.probe);
            } catch (RuntimeException e) {
                stage = CompletableFuture.completedFuture(PurgeTarget.Outcome.failed(e.toString(), -1));
            }
            stage.whenCompleteAsync((outcome, error) -> completed(entry, outcome != null ? outcome
                    : PurgeTarget.Outcome.failed(String.valueOf(error), -1)), executor);
        }
    }

    /**
     * A purge ended. The delivery thread that learns it also starts what that made startable, unless a drain is
     * scheduled already: a backlog drains with one hand-off and one lock per purge, not two.
     */
    private void completed(Entry entry, PurgeTarget.Outcome outcome) {
        List<Entry> starting = null;
        List<Tracker> done;
        lock.lock();
        try {
            complete(entry, outcome);
            if (!drainScheduled && hasStartable()) {
                starting = new ArrayList<>();
                long now = ticker.read();
                for (NodeState node : nodes) {
                    node.takeStartable(starting, now);
                }
            }
            done = takeSettled();
        } finally {
            lock.unlock();
        }
        tell(done);
        if (starting != null) {
            send(starting);
        }
    }

    /** Under the lock: the state change of a purge that ended. */
    private void complete(Entry entry, PurgeTarget.Outcome outcome) {
        NodeState node = entry.node;
        node.inFlight--;
        boolean probe = entry.probe;
        entry.probe = false;
        if (probe) {
            node.probing = false;
        }
        long now = ticker.read();
        if (outcome.undeliverable()) {
            String failure = outcome.failure();
            LOG.log(Level.ERROR, () -> "Roan dropped the purge of " + entry.path + " on " + node.target
                    + ", which no request can carry: " + failure);
            if (probe && node.down) {
                // The probe told nothing of the node: the next owed purge probes it at once, or none would ever go.
                node.probeDue = true;
            }
            drop(entry);
            return;
        }
        if (!outcome.delivered()) {
            // Still owed: nothing a flush waits for has changed.
            failed(entry, outcome, probe, now);
            return;
        }
        if (node.down) {
            recovered(node, now);
        }
        entry.completed = entry.sending;
        entry.settleWaiters(settled);
        if (entry.requested > entry.sending) {
            long wait = windowNanos - (now - entry.sentNanos);
            if (closed || wait <= 0 || !hold(entry, wait)) {
                entry.state = State.QUEUED;
                node.queue.add(entry);
            }
        } else if (entry.sendingCommitted && repurges) {
            delayRepurge(entry);
        } else {
            entry.state = State.IDLE;
            node.remove(entry);
        }
        progress.signalAll();
    }

    /**
     * Under the lock: the entry's purge failed. It stays owed, at the end of the queue so that a path that keeps
     * failing does not stand before the others; the node goes down, or stays down with the next probe later.
     */
    private void failed(Entry entry, PurgeTarget.Outcome outcome, boolean probe, long now) {
        NodeState node = entry.node;
        node.lastFailure = outcome.failure();
        // The next send covers what this one did and anything asked for since; it is owed since the earliest.
        entry.committedSinceSend |= entry.sendingCommitted;
        entry.pendingSince = entry.sendingSince;
        entry.state = State.QUEUED;
        node.queue.add(entry);
        if (!node.down) {
            node.down = true;
            node.downSince = now;
            node.failedProbes = 0;
            node.droppedWhileDown = 0;
            node.giveUpLogged = false;
            int owed = node.entries.size();
            LOG.log(Level.WARNING, () -> "Cache node " + node.target + " is down, its pages may be stale until it"
                    + " recovers: a purge of " + entry.path + " failed: " + outcome.failure() + ". Roan keeps the "
                    + owed + " purge(s) it owes and probes it with one purge at a time, at most "
                    + maxRetryNanos / 1_000_000 + " ms apart; check that the cache runs and is reachable from this"
                    + " host. Logged once until it recovers.");
            scheduleProbe(node, outcome.retryAfterNanos() >= 0 ? outcome.retryAfterNanos() : backoff(0));
        } else if (probe) {
            node.failedProbes++;
            scheduleProbe(node, outcome.retryAfterNanos() >= 0 ? outcome.retryAfterNanos()
                    : backoff(node.failedProbes));
        }
    }

    /** Under the lock: a purge on a node that was down was delivered; its backlog may drain at full speed. */
    private void recovered(NodeState node, long now) {
        node.down = false;
        node.probeDue = false;
        // Any probe timer still pending finds another token and does nothing.
        node.probeToken = new Object();
        long downMillis = (now - node.downSince) / 1_000_000;
        int owed = node.entries.size();
        long droppedWhileDown = node.droppedWhileDown;
        LOG.log(Level.INFO, () -> "Cache node " + node.target + " recovered after " + downMillis + " ms down: delivering"
                + " the " + owed + " purge(s) it owes" + (droppedWhileDown == 0 ? ""
                        : " (" + droppedWhileDown + " dropped after giveUpAfter while it was down)"));
    }

    /** The wait before the probe after {@code failedProbes} failed ones: doubling from the first, jittered, capped. */
    private long backoff(int failedProbes) {
        long first = FIRST_PROBE.toNanos();
        // 1 s is about 2^30 ns: 32 doublings still fit in a long, and are more than any cap.
        long full = Math.min(maxRetryNanos, first << Math.min(failedProbes, 32));
        // Between half and all of it: waits still grow, and nodes that failed together do not probe together.
        return full / 2 + (long) (full / 2 * jitter.getAsDouble());
    }

    /** Under the lock: the node may send its next probe after {@code nanos}, at most the cap. */
    private void scheduleProbe(NodeState node, long nanos) {
        Object token = new Object();
        node.probeToken = token;
        node.probeDue = false;
        try {
            scheduler.schedule(() -> probeDue(node, token), Math.min(nanos, maxRetryNanos));
        } catch (RejectedExecutionException e) {
            // Closing: no more probes; flush() times out on what stays owed.
        }
    }

    private void probeDue(NodeState node, Object token) {
        update(() -> {
            if (!node.down || node.probeToken != token) {
                return;
            }
            node.probeDue = true;
            giveUpOld(node, ticker.read());
        });
    }

    /** Under the lock: drops the queued purges a node that is down has owed longer than {@code giveUpAfter}. */
    private void giveUpOld(NodeState node, long now) {
        if (giveUpNanos == 0) {
            return;
        }
        int queued = node.queue.size();
        node.queue.removeIf(entry -> {
            if (now - entry.pendingSince < giveUpNanos) {
                return false;
            }
            drop(entry);
            return true;
        });
        int count = queued - node.queue.size();
        node.droppedWhileDown += count;
        if (count > 0 && !node.giveUpLogged) {
            node.giveUpLogged = true;
            String failure = node.lastFailure;
            LOG.log(Level.ERROR, () -> "Roan dropped " + count + " purge(s) that cache node " + node.target
                    + " owed longer than giveUpAfter (" + giveUpNanos / 1_000_000 + " ms): their pages may stay stale."
                    + " It is down: " + failure + ". Further drops in this outage are counted in"
                    + " Roan.droppedPurges() and logged when it recovers.");
        }
    }

    /**
     * Under the lock: the entry's owed purge will never be sent. It leaves its node; flush and tracked submits
     * waiting for it learn it was dropped.
     */
    private void drop(Entry entry) {
        entry.dropped = true;
        entry.state = State.IDLE;
        entry.giveUpWaiters(settled);
        entry.node.remove(entry);
        dropped++;
        progress.signalAll();
    }

    /**
     * Holds the follow-up the entry owes for {@code nanos}, the rest of its coalescing window; writes meanwhile join
     * it. Returns false if the scheduler refused the task (shutting down): the caller then queues it at once.
     */
    private boolean hold(Entry entry, long nanos) {
        try {
            scheduler.schedule(() -> holdDue(entry), nanos);
        } catch (RejectedExecutionException e) {
            return false;
        }
        entry.state = State.HELD;
        return true;
    }

    private void holdDue(Entry entry) {
        update(() -> {
            // A hold ends here or in stopAccepting(), after which nothing is held again: a task finding its entry
            // no longer held is the one stopAccepting() overtook.
            if (entry.state != State.HELD) {
                return;
            }
            entry.state = State.QUEUED;
            entry.node.queue.add(entry);
        });
    }

    /** Owes one more purge of the entry's path after the re-purge delay; flush waits for it like any purge. */
    private void delayRepurge(Entry entry) {
        entry.requested++;
        entry.state = State.DELAYED;
        // A new object, not a counter: the task compares it by identity.
        Object token = new Object();
        entry.repurgeToken = token;
        try {
            scheduler.schedule(() -> repurgeDue(entry, token), repurgeNanos);
        } catch (RejectedExecutionException e) {
            // Closing: the re-purge cannot happen any more; do not leave flush() waiting for it.
            entry.completed = entry.requested;
            entry.state = State.IDLE;
            entry.node.remove(entry);
        }
    }

    private void repurgeDue(Entry entry, Object token) {
        update(() -> {
            // A write while delayed sends the purge at once, and that purge's re-purge is a new task: the old one
            // finds the entry delayed again, but with another token.
            if (entry.state != State.DELAYED || entry.repurgeToken != token) {
                return;
            }
            entry.state = State.QUEUED;
            entry.pendingSince = ticker.read();
            entry.node.queue.add(entry);
        });
    }

    /**
     * Under the lock: whether the caller must schedule a drain, because something can start and none is
     * scheduled yet; if so, it counts as scheduled from now on.
     */
    private boolean claimDrain() {
        if (drainScheduled || !hasStartable()) {
            return false;
        }
        drainScheduled = true;
        return true;
    }

    private boolean hasStartable() {
        for (NodeState node : nodes) {
            if (node.canStart()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until every purge asked for before this call has been delivered, including the re-purges they owe.
     *
     * @param timeout how long to wait at most; one too long to count in nanoseconds waits forever
     * @return false if the timeout elapsed first, one of them was dropped, or the thread was interrupted
     */
    boolean flush(Duration timeout) {
        // Real time, whatever the ticker: this thread waits for others. Only differences count, so the sum may
        // overflow for a timeout of forever.
        long deadline = System.nanoTime() + Ticker.saturatedNanos(timeout);
        lock.lock();
        try {
            return awaitOwed(deadline);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: flush's waiting, until the deadline (by {@link System#nanoTime()}). */
    private boolean awaitOwed(long deadline) {
        List<Entry> waiting = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        for (NodeState node : nodes) {
            for (Entry entry : node.entries.values()) {
                waiting.add(entry);
                targets.add(entry.requested + (owesRepurge(entry) ? 1 : 0));
            }
        }
        boolean timedOut = false;
        for (int i = 0; i < waiting.size(); i++) {
            while (waiting.get(i).completed < targets.get(i)) {
                if (timedOut || waiting.get(i).dropped) {
                    return false;
                }
                try {
                    timedOut = !progress.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether the purges requested of this entry will earn a re-purge not yet counted in {@code requested}: a purge
     * not yet started does when a commit asked for it, a purge in flight also when a commit asked for the one sent.
     * (A delayed entry already counts its re-purge, and a write to it makes it queued.)
     */
    private boolean owesRepurge(Entry entry) {
        return repurges && (entry.committedSinceSend || (entry.state == State.IN_FLIGHT && entry.sendingCommitted));
    }

    /**
     * Stops taking purges; those already asked for are still delivered. Held follow-ups are queued at once, and
     * follow-ups owed from now on are not held, so that closing never waits for a coalescing window; a node that is
     * down is probed at once, so that closing does not wait for its backoff.
     */
    void stopAccepting() {
        update(() -> {
            closed = true;
            for (NodeState node : nodes) {
                // Closing waits a bounded time: probe a node that is down now rather than after its backoff.
                if (node.down) {
                    node.probeToken = new Object();
                    node.probeDue = true;
                }
                for (Entry entry : node.entries.values()) {
                    if (entry.state == State.HELD) {
                        entry.state = State.QUEUED;
                        node.queue.add(entry);
                    }
                }
            }
        });
    }

    /**
     * Probes each node that is down now rather than after its backoff, still taking purges: for the shutdown hook,
     * which waits a bounded time while the application may still commit.
     */
    void probeDownNodesNow() {
        update(() -> {
            for (NodeState node : nodes) {
                if (node.down) {
                    node.probeToken = new Object();
                    node.probeDue = true;
                }
            }
        });
    }

    /** Paths not yet delivered, per node, for messages. */
    Map<String, List<String>> pending() {
        lock.lock();
        try {
            Map<String, List<String>> pending = new HashMap<>();
            for (NodeState node : nodes) {
                if (!node.entries.isEmpty()) {
                    pending.put(node.target.toString(), new ArrayList<>(node.entries.keySet()));
                }
            }
            return pending;
        } finally {
            lock.unlock();
        }
    }

    int pendingCount() {
        lock.lock();
        try {
            int count = 0;
            for (NodeState node : nodes) {
                count += node.entries.size();
            }
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** The entries of one node, and whether it is down. Guarded by the dispatcher's lock. */
    private final class NodeState {
        final PurgeTarget target;
        final Map<String, Entry> entries = new HashMap<>();
        final ArrayDeque<Entry> queue = new ArrayDeque<>();
        int inFlight;
        /** Its last purge failed: only probes are sent, one at a time. */
        boolean down;
        long downSince;
        int failedProbes;
        /** The backoff has passed: the next queued purge may go as a probe. */
        boolean probeDue;
        /** A probe is on the wire. */
        boolean probing;
        /** Tells the current probe timer from stale ones: a new object per timer, compared by identity. */
        Object probeToken = new Object();
        int droppedWhileDown;
        boolean giveUpLogged;
        /** Purges were dropped at the cap: the node reports down until it owes nothing. */
        boolean lost;
        boolean overflowLogged;
        @Nullable String lastFailure;

        NodeState(PurgeTarget target) {
            this.target = target;
        }

        boolean canStart() {
            if (queue.isEmpty()) {
                return false;
            }
            return down ? probeDue && !probing : inFlight < MAX_IN_FLIGHT_PER_NODE;
        }

        void remove(Entry entry) {
            entries.remove(entry.path);
            if (entries.isEmpty()) {
                // The backlog is gone: the next overflow is a new one, logged again.
                lost = false;
                overflowLogged = false;
            }
        }

        /** The entry owing a purge of the path, or null if it is new and the node holds its cap already. */
        @Nullable Entry offer(String path, long now) {
            Entry entry = entries.get(path);
            if (entry == null) {
                if (entries.size() >= maxOwedPaths) {
                    return null;
                }
                entry = new Entry(this, path);
                entries.put(path, entry);
            }
            return owe(entry, now);
        }

        void offerUncapped(String path, long now) {
            Entry entry = entries.get(path);
            if (entry == null) {
                entry = new Entry(this, path);
                entries.put(path, entry);
            }
            owe(entry, now);
        }

        private Entry owe(Entry entry, long now) {
            entry.committedSinceSend = true;
            switch (entry.state) {
                case IDLE:
                    entry.requested++;
                    entry.pendingSince = now;
                    entry.state = State.QUEUED;
                    queue.add(entry);
                    break;
                case IN_FLIGHT:
                    // Written again while its purge is on the wire: send once more afterwards.
                    if (entry.requested == entry.sending) {
                        entry.requested++;
                        entry.pendingSince = now;
                    }
                    break;
                case DELAYED:
                    // A purge now covers the pending re-purge; it gets a re-purge of its own.
                    entry.pendingSince = now;
                    entry.state = State.QUEUED;
                    queue.add(entry);
                    break;
                default:
                    // Already queued, or held for the coalescing window: that purge will cover this write too.
                    break;
            }
            return entry;
        }

        void takeStartable(List<Entry> out, long now) {
            while (canStart()) {
                Entry entry = queue.poll();
                if (down) {
                    probeDue = false;
                    probing = true;
                    entry.probe = true;
                }
                entry.state = State.IN_FLIGHT;
                entry.sending = entry.requested;
                entry.sendingCommitted = entry.committedSinceSend;
                entry.committedSinceSend = false;
                entry.sentNanos = now;
                entry.sendingSince = entry.pendingSince;
                inFlight++;
                out.add(entry);
            }
        }
    }

    /**
     * One path on one node. {@code requested} counts the purges asked for (coalesced), {@code sending}
     * is the one on the wire, {@code completed} the last one delivered.
     * {@code committedSinceSend} tells whether a commit asked for the next send (which then earns a
     * re-purge), as opposed to a re-purge alone.
     */
    private static final class Entry {
        final NodeState node;
        final String path;
        State state = State.IDLE;
        long requested;
        long sending;
        long completed;
        boolean committedSinceSend;
        boolean sendingCommitted;
        /** Tells the task of the current re-purge delay from stale ones. */
        @Nullable Object repurgeToken;
        /** The send on the wire is a probe of a node that is down. */
        boolean probe;
        /** Its owed purge was dropped: flush() must not count it as delivered. */
        boolean dropped;
        /** When the send on the wire, or the last one, started (by the ticker). */
        long sentNanos;
        /**
         * When the earliest request not yet covered by a started send was made (by the ticker); set by the request
         * that makes the entry owe a send, so that it is always set when the entry is queued or held.
         */
        long pendingSince;
        /** When the earliest request covered by the send on the wire was made. */
        long sendingSince;

        /** Tracked submits waiting for this entry, each with the purge number that settles it; null when none. */
        @Nullable List<Waiter> waiters;

        Entry(NodeState node, String path) {
            this.node = node;
            this.path = path;
        }

        void await(Tracker tracker, long purge) {
            if (waiters == null) {
                waiters = new ArrayList<>(1);
            }
            waiters.add(new Waiter(tracker, purge));
            tracker.remaining++;
        }

        /** Counts this entry's delivered purge for the trackers it settles; adds those now settled to {@code out}. */
        void settleWaiters(List<Tracker> out) {
            List<Waiter> list = waiters;
            if (list == null) {
                return;
            }
            List<Waiter> keep = null;
            for (Waiter waiter : list) {
                if (waiter.purge() <= completed) {
                    waiter.tracker().settle(out);
                } else {
                    if (keep == null) {
                        keep = new ArrayList<>(1);
                    }
                    keep.add(waiter);
                }
            }
            waiters = keep;
        }

        /** Drops this entry's owed purge for the trackers waiting for it. */
        void giveUpWaiters(List<Tracker> out) {
            List<Waiter> list = waiters;
            if (list == null) {
                return;
            }
            for (Waiter waiter : list) {
                waiter.tracker().gaveUp = true;
                waiter.tracker().settle(out);
            }
            waiters = null;
        }
    }

    /** How a tracked submit ended; see {@link #submitTracked}. */
    enum Settled {
        /** Every node delivered a purge of every path, started after the submit. */
        DELIVERED,
        /** A purge of one of the paths was dropped on a node ({@code giveUpAfter}); the rest may have been delivered. */
        GIVEN_UP,
        /** Nothing was taken: the dispatcher is closed or has no room; the caller keeps the paths for later. */
        NOT_TAKEN
    }

    private record Waiter(Tracker tracker, long purge) {}

    /** One tracked submit: the (node, path) purges it still waits for. Guarded by the dispatcher's lock. */
    private static final class Tracker {
        final CompletableFuture<Settled> future = new CompletableFuture<>();
        int remaining;
        boolean gaveUp;

        void settle(List<Tracker> out) {
            if (--remaining == 0) {
                out.add(this);
            }
        }
    }
}
