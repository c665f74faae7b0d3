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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

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
 * <p>Time comes from a {@link Ticker} and timers from a {@link Scheduler}, and purges go to {@link PurgeTarget}s,
 * so that the rules above are tested by moving a fake clock, not by sleeping.
 */
final class Dispatcher {

    private static final System.Logger LOG = Log.LOGGER;

    /** Purges one node may have in flight at once; more wait in its queue. */
    static final int MAX_IN_FLIGHT_PER_NODE = 32;

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
    private boolean drainScheduled;
    private boolean closed;
    private boolean warnedClosed;
    /** Purges dropped: given up after {@code giveUpAfter}, or refused at the memory cap. */
    private long dropped;
    /** Tracked submits settled under the lock, to be told outside it: their callers' code must not run under it. */
    private final List<Tracker> settled = new ArrayList<>();

    Dispatcher(List<CacheNode> cacheNodes, Executor executor, ScheduledExecutorService timer,
            @Nullable Duration repurgeAfter, Duration coalesceWindow) {
        this(cacheNodes, executor, Scheduler.of(timer), Ticker.system(), repurgeAfter, coalesceWindow);
    }

    /**
     * @param ticker the clock of the scheduler's delays and of the times handed to the targets
     * @param repurgeAfter the re-purge delay, or null for no re-purges
     */
    Dispatcher(List<? extends PurgeTarget> targets, Executor executor, Scheduler scheduler, Ticker ticker,
            @Nullable Duration repurgeAfter, Duration coalesceWindow) {
        for (PurgeTarget target : targets) {
            nodes.add(new NodeState(target));
        }
        this.executor = executor;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.repurges = repurgeAfter != null;
        this.repurgeNanos = repurgeAfter == null ? 0 : Ticker.saturatedNanos(repurgeAfter);
        this.windowNanos = Ticker.saturatedNanos(coalesceWindow);
    }

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
                    node.offer(path, now);
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
        Tracker tracker = new Tracker();
        boolean schedule;
        lock.lock();
        try {
            if (closed || roomLocked() < paths.size()) {
                return CompletableFuture.completedFuture(Settled.NOT_TAKEN);
            }
            long now = ticker.read();
            for (NodeState node : nodes) {
                for (String path : paths) {
                    Entry entry = node.offer(path, now);
                    // The purge owed from now on is the requested one: queued, held, or the follow-up of one on
                    // the wire; delivering it settles this path on this node.
                    entry.await(tracker, entry.requested);
                }
            }
            if (tracker.remaining == 0) {
                tracker.future.complete(Settled.DELIVERED);
            }
            schedule = claimDrain();
        } finally {
            lock.unlock();
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
        return Integer.MAX_VALUE;
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
                list.add(new CacheNodeStatus(Checks.maskUrl(node.target.toString()), node.entries.size(),
                        Duration.ofNanos(now - oldest), false, null));
            }
            return list;
        } finally {
            lock.unlock();
        }
    }

    /** Completes the trackers settled under the lock; called after releasing it. */
    private void tellSettled() {
        List<Tracker> done;
        lock.lock();
        try {
            if (settled.isEmpty()) {
                return;
            }
            done = new ArrayList<>(settled);
            settled.clear();
        } finally {
            lock.unlock();
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
        lock.lock();
        try {
            change.run();
            schedule = claimDrain();
        } finally {
            lock.unlock();
        }
        tellSettled();
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
        for (Entry entry : starting) {
            entry.node.target.purge(entry.path, entry.sendingSince)
                    .whenCompleteAsync((ignored, error) -> completed(entry), executor);
        }
    }

    private void completed(Entry entry) {
        update(() -> {
            NodeState node = entry.node;
            node.inFlight--;
            entry.completed = entry.sending;
            entry.settleWaiters(settled);
            if (entry.requested > entry.sending) {
                long wait = windowNanos - (ticker.read() - entry.sentNanos);
                if (closed || wait <= 0 || !hold(entry, wait)) {
                    entry.state = State.QUEUED;
                    node.queue.add(entry);
                }
            } else if (entry.sendingCommitted && repurges) {
                delayRepurge(entry);
            } else {
                entry.state = State.IDLE;
                node.entries.remove(entry.path);
            }
            progress.signalAll();
        });
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
            entry.node.entries.remove(entry.path);
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
            if (!node.queue.isEmpty() && node.inFlight < MAX_IN_FLIGHT_PER_NODE) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until every purge asked for before this call has been delivered or given up, including the
     * re-purges they owe.
     *
     * @param timeout how long to wait at most; one too long to count in nanoseconds waits forever
     * @return false if the timeout elapsed first, or the thread was interrupted
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
                if (timedOut) {
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
     * follow-ups owed from now on are not held, so that closing never waits for a coalescing window.
     */
    void stopAccepting() {
        update(() -> {
            closed = true;
            for (NodeState node : nodes) {
                for (Entry entry : node.entries.values()) {
                    if (entry.state == State.HELD) {
                        entry.state = State.QUEUED;
                        node.queue.add(entry);
                    }
                }
            }
        });
    }

    /** Paths not yet delivered or given up, per node, for messages. */
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

    /** The entries of one node. Guarded by the dispatcher's lock. */
    private static final class NodeState {
        final PurgeTarget target;
        final Map<String, Entry> entries = new HashMap<>();
        final ArrayDeque<Entry> queue = new ArrayDeque<>();
        int inFlight;

        NodeState(PurgeTarget target) {
            this.target = target;
        }

        Entry offer(String path, long now) {
            Entry entry = entries.get(path);
            if (entry == null) {
                entry = new Entry(this, path);
                entries.put(path, entry);
            }
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
            while (inFlight < MAX_IN_FLIGHT_PER_NODE && !queue.isEmpty()) {
                Entry entry = queue.poll();
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
     * is the one on the wire, {@code completed} the last one delivered or given up.
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
            list.removeIf(waiter -> {
                if (waiter.purge() > completed) {
                    return false;
                }
                waiter.tracker().settle(out);
                return true;
            });
            if (list.isEmpty()) {
                waiters = null;
            }
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
