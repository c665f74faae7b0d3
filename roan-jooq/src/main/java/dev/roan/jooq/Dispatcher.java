package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * {@link #stopAccepting} releases held follow-ups at once, so closing never waits for a window.
 *
 * <p>{@link #submit} runs on the writer's thread: it only updates this in-memory state under a short
 * lock and, at most once per burst, hands the sending to the delivery executor. It never touches the
 * network, even for DNS.
 */
final class Dispatcher {

    private static final System.Logger LOG = System.getLogger(Roan.class.getName());

    /** Purges one node may have in flight at once; more wait in its queue. */
    static final int MAX_IN_FLIGHT_PER_NODE = 32;

    private static final int IDLE = 0;
    private static final int QUEUED = 1;
    private static final int IN_FLIGHT = 2;
    private static final int DELAYED = 3;
    private static final int HELD = 4;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private final List<NodeState> nodes = new ArrayList<>();
    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final @Nullable Duration repurgeAfter;
    /** The least time between the starts of two purges of a path on a node, when the second is a follow-up. */
    private final long windowNanos;
    private boolean drainScheduled;
    private boolean closed;
    private boolean warnedClosed;

    Dispatcher(List<CacheNode> cacheNodes, Executor executor, ScheduledExecutorService timer,
            @Nullable Duration repurgeAfter, Duration coalesceWindow) {
        for (CacheNode node : cacheNodes) {
            nodes.add(new NodeState(node));
        }
        this.executor = executor;
        this.timer = timer;
        this.repurgeAfter = repurgeAfter;
        long window;
        try {
            window = coalesceWindow.toNanos();
        } catch (ArithmeticException e) {
            // Longer than 292 years: as good as forever.
            window = Long.MAX_VALUE;
        }
        this.windowNanos = window;
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
            for (NodeState node : nodes) {
                for (String path : paths) {
                    node.offer(path);
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
            for (NodeState node : nodes) {
                node.takeStartable(starting);
            }
        } finally {
            lock.unlock();
        }
        for (Entry entry : starting) {
            entry.node.node.purge(entry.path, entry.sendingSince).whenCompleteAsync((ignored, error) -> completed(entry),
                    executor);
        }
    }

    private void completed(Entry entry) {
        boolean schedule = false;
        lock.lock();
        try {
            NodeState node = entry.node;
            node.inFlight--;
            entry.completed = entry.sending;
            if (entry.requested > entry.sending) {
                long wait = windowNanos - (System.nanoTime() - entry.sentNanos);
                if (closed || wait <= 0 || !hold(entry, wait)) {
                    entry.state = QUEUED;
                    node.queue.add(entry);
                }
            } else if (entry.sendingCommitted && repurgeAfter != null) {
                delayRepurge(entry, repurgeAfter);
            } else {
                entry.state = IDLE;
                node.entries.remove(entry.path);
            }
            schedule = claimDrain();
            progress.signalAll();
        } finally {
            lock.unlock();
        }
        if (schedule) {
            scheduleDrain();
        }
    }

    /**
     * Holds the follow-up the entry owes for {@code nanos}, the rest of its coalescing window; writes meanwhile join
     * it. Returns false if the timer refused the task (shutting down): the caller then queues it at once.
     */
    private boolean hold(Entry entry, long nanos) {
        long token = ++entry.timerToken;
        try {
            timer.schedule(() -> holdDue(entry, token), nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return false;
        }
        entry.state = HELD;
        return true;
    }

    private void holdDue(Entry entry, long token) {
        boolean schedule = false;
        lock.lock();
        try {
            if (entry.state != HELD || entry.timerToken != token) {
                return;
            }
            entry.state = QUEUED;
            entry.node.queue.add(entry);
            schedule = claimDrain();
        } finally {
            lock.unlock();
        }
        if (schedule) {
            scheduleDrain();
        }
    }

    /** Owes one more purge of the entry's path after {@code delay}; flush waits for it like any purge. */
    private void delayRepurge(Entry entry, Duration delay) {
        entry.requested++;
        entry.state = DELAYED;
        long token = ++entry.timerToken;
        try {
            timer.schedule(() -> repurgeDue(entry, token), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: the re-purge cannot happen any more; do not leave flush() waiting for it.
            entry.completed = entry.requested;
            entry.state = IDLE;
            entry.node.entries.remove(entry.path);
        }
    }

    private void repurgeDue(Entry entry, long token) {
        boolean schedule = false;
        lock.lock();
        try {
            if (entry.state != DELAYED || entry.timerToken != token) {
                return;
            }
            entry.state = QUEUED;
            if (entry.pendingSince == 0) {
                entry.pendingSince = System.nanoTime();
            }
            entry.node.queue.add(entry);
            schedule = claimDrain();
        } finally {
            lock.unlock();
        }
        if (schedule) {
            scheduleDrain();
        }
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
     * @return false if the timeout elapsed first, or the thread was interrupted
     */
    boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            List<Entry> waiting = new ArrayList<>();
            List<Long> targets = new ArrayList<>();
            for (NodeState node : nodes) {
                for (Entry entry : node.entries.values()) {
                    long target = entry.requested + (owesRepurge(entry) ? 1 : 0);
                    if (target > entry.completed) {
                        waiting.add(entry);
                        targets.add(target);
                    }
                }
            }
            for (int i = 0; i < waiting.size(); i++) {
                while (waiting.get(i).completed < targets.get(i)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    progress.awaitNanos(left);
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the purges requested of this entry will earn a re-purge not yet counted in {@code requested}: a queued
     * or held purge does when a commit asked for it, a purge in flight also when a commit asked for the one sent.
     */
    private boolean owesRepurge(Entry entry) {
        if (repurgeAfter == null || entry.state == DELAYED || entry.state == IDLE) {
            return false;
        }
        return entry.committedSinceSend || (entry.state == IN_FLIGHT && entry.sendingCommitted);
    }

    /**
     * Stops taking purges; those already asked for are still delivered. Held follow-ups are queued at once, and
     * follow-ups owed from now on are not held, so that closing never waits for a coalescing window.
     */
    void stopAccepting() {
        boolean schedule = false;
        lock.lock();
        try {
            closed = true;
            for (NodeState node : nodes) {
                for (Entry entry : node.entries.values()) {
                    if (entry.state == HELD) {
                        entry.timerToken++;
                        entry.state = QUEUED;
                        node.queue.add(entry);
                    }
                }
            }
            schedule = claimDrain();
        } finally {
            lock.unlock();
        }
        if (schedule) {
            scheduleDrain();
        }
    }

    /** Paths not yet delivered or given up, per node, for messages. */
    Map<String, List<String>> pending() {
        lock.lock();
        try {
            Map<String, List<String>> pending = new HashMap<>();
            for (NodeState node : nodes) {
                if (!node.entries.isEmpty()) {
                    pending.put(node.node.toString(), new ArrayList<>(node.entries.keySet()));
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
        final CacheNode node;
        final Map<String, Entry> entries = new HashMap<>();
        final ArrayDeque<Entry> queue = new ArrayDeque<>();
        int inFlight;

        NodeState(CacheNode node) {
            this.node = node;
        }

        void offer(String path) {
            Entry entry = entries.get(path);
            if (entry == null) {
                entry = new Entry(this, path);
                entries.put(path, entry);
            }
            entry.committedSinceSend = true;
            if (entry.pendingSince == 0) {
                entry.pendingSince = System.nanoTime();
            }
            switch (entry.state) {
                case IDLE:
                    entry.requested++;
                    entry.state = QUEUED;
                    queue.add(entry);
                    break;
                case IN_FLIGHT:
                    // Written again while its purge is on the wire: send once more afterwards.
                    if (entry.requested == entry.sending) {
                        entry.requested++;
                    }
                    break;
                case DELAYED:
                    // A purge now covers the pending re-purge; it gets a re-purge of its own.
                    entry.timerToken++;
                    entry.state = QUEUED;
                    queue.add(entry);
                    break;
                default:
                    // Already queued, or held for the coalescing window: that purge will cover this write too.
                    break;
            }
        }

        void takeStartable(List<Entry> out) {
            while (inFlight < MAX_IN_FLIGHT_PER_NODE && !queue.isEmpty()) {
                Entry entry = queue.poll();
                entry.state = IN_FLIGHT;
                entry.sending = entry.requested;
                entry.sendingCommitted = entry.committedSinceSend;
                entry.committedSinceSend = false;
                long now = System.nanoTime();
                entry.sentNanos = now;
                entry.sendingSince = entry.pendingSince == 0 ? now : entry.pendingSince;
                entry.pendingSince = 0;
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
        int state = IDLE;
        long requested;
        long sending;
        long completed;
        boolean committedSinceSend;
        boolean sendingCommitted;
        /** Tells the timer task of the current hold or re-purge delay from stale ones. */
        long timerToken;
        /** When the send on the wire, or the last one, started (System.nanoTime). */
        long sentNanos;
        /** When the earliest request not yet covered by a started send was made (System.nanoTime), or 0. */
        long pendingSince;
        /** When the earliest request covered by the send on the wire was made. */
        long sendingSince;

        Entry(NodeState node, String path) {
            this.node = node;
            this.path = path;
        }
    }
}
