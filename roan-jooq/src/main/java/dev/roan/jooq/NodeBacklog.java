package dev.roan.jooq;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

import org.jspecify.annotations.Nullable;

/**
 * What the {@link Dispatcher} owes one cache node and how it delivers there: an entry per owed path, the queue of
 * those waiting to start, the purges in flight, and the down state (the probe timer's token, the backoff, what was
 * dropped while down). Not thread-safe: guarded by the dispatcher's lock, which also decides, schedules and logs.
 */
final class NodeBacklog {

    /** Purges one node may have in flight at once; more wait in its queue. */
    static final int MAX_IN_FLIGHT_PER_NODE = 32;

    /** The wait before the first probe of a node that went down; each failed probe doubles it, up to the cap. */
    static final Duration FIRST_PROBE = Duration.ofSeconds(1);

    final PurgeTarget target;
    private final int maxOwedPaths;
    private final long maxRetryNanos;
    /** From 0 (inclusive) to 1: where in the upper half of its doubling a probe's wait falls. */
    private final DoubleSupplier jitter;
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

    /**
     * @param maxOwedPaths how many entries it may hold; {@link Integer#MAX_VALUE} for no cap
     * @param maxRetryNanos the longest wait between two probes
     */
    NodeBacklog(PurgeTarget target, int maxOwedPaths, long maxRetryNanos, DoubleSupplier jitter) {
        this.target = target;
        this.maxOwedPaths = maxOwedPaths;
        this.maxRetryNanos = maxRetryNanos;
        this.jitter = jitter;
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

    /**
     * Takes the purges the in-flight limit lets start now: one request each, or, for a node that is up and targets its
     * cache takes several of in one request (keys, see {@link PurgeTarget#batchLimit}), a batch led by the first entry
     * ({@link Entry#batch}) when more of them wait than the free requests would carry one by one.
     */
    void takeStartable(List<Entry> out, long now) {
        while (canStart()) {
            Entry entry = queue.poll();
            if (down) {
                probeDue = false;
                probing = true;
                entry.probe = true;
            }
            start(entry, now);
            inFlight++;
            out.add(entry);
            if (!down) {
                batch(entry, now);
            }
        }
    }

    private static void start(Entry entry, long now) {
        entry.state = State.IN_FLIGHT;
        entry.sending = entry.requested;
        entry.sendingCommitted = entry.committedSinceSend;
        entry.committedSinceSend = false;
        entry.sentNanos = now;
        entry.sendingSince = entry.pendingSince;
    }

    /**
     * Joins to {@code lead}'s request the entries right behind it in the queue that may go with it, as many as spread
     * what waits evenly over the requests still free: a short queue goes out one target a request, as fast as it
     * can, and a backlog in full batches. Only what already waits is batched: no purge is held back to fill one.
     */
    private void batch(Entry lead, long now) {
        int limit = lead.alone ? 1 : target.batchLimit(lead.path);
        if (limit == 1 || queue.isEmpty()) {
            return;
        }
        int requests = MAX_IN_FLIGHT_PER_NODE - inFlight + 1;
        int size = Math.min(limit, (queue.size() + requests) / requests);
        if (size <= 1) {
            return;
        }
        List<Entry> batch = new ArrayList<>(size);
        batch.add(lead);
        while (batch.size() < size) {
            Entry next = queue.peek();
            if (next == null || next.alone || target.batchLimit(next.path) <= 1) {
                break;
            }
            queue.poll();
            start(next, now);
            batch.add(next);
        }
        if (batch.size() > 1) {
            lead.batch = batch;
        }
    }

    /**
     * A batch's request could not be formed (a target the cache takes only alone): its entries go back to the front
     * of the queue, in their order, each to be sent on its own and judged by its own answer.
     */
    void sendAlone(List<Entry> batch) {
        for (int i = batch.size() - 1; i >= 0; i--) {
            Entry entry = batch.get(i);
            entry.alone = true;
            entry.committedSinceSend |= entry.sendingCommitted;
            entry.pendingSince = entry.sendingSince;
            entry.state = State.QUEUED;
            queue.addFirst(entry);
        }
    }

    /**
     * A purge of the entry failed: it stays owed, at the end of the queue so that a path that keeps failing does not
     * stand before the others, and the node is down.
     *
     * @return whether the node went down with this failure (it was up)
     */
    boolean failed(Entry entry, @Nullable String failure, long now) {
        lastFailure = failure;
        // The next send covers what this one did and anything asked for since; it is owed since the earliest.
        entry.committedSinceSend |= entry.sendingCommitted;
        entry.pendingSince = entry.sendingSince;
        entry.state = State.QUEUED;
        queue.add(entry);
        if (down) {
            return false;
        }
        down = true;
        downSince = now;
        failedProbes = 0;
        droppedWhileDown = 0;
        giveUpLogged = false;
        return true;
    }

    /**
     * The wait before the next probe after a failed send: what a {@code Retry-After} asked for, or the backoff after
     * the probes failed so far (none when the node just went down), at most the cap.
     */
    long nextProbeWait(long retryAfterNanos) {
        return Math.min(maxRetryNanos, retryAfterNanos >= 0 ? retryAfterNanos : backoff(failedProbes));
    }

    /** The wait before the probe after {@code failed} failed ones: doubling from the first, jittered, capped. */
    long backoff(int failed) {
        long first = FIRST_PROBE.toNanos();
        // 1 s is about 2^30 ns: 32 doublings still fit in a long, and are more than any cap.
        long full = Math.min(maxRetryNanos, first << Math.min(failed, 32));
        // Between half and all of it: waits still grow, and nodes that failed together do not probe together.
        return full / 2 + (long) (full / 2 * jitter.getAsDouble());
    }

    /** A new probe timer: the token it must still find when it fires; no probe is due meanwhile. */
    Object armProbe() {
        Object token = new Object();
        probeToken = token;
        probeDue = false;
        return token;
    }

    /** A probe timer fired: whether it is the current one of a node still down, which may now send its probe. */
    boolean probeFired(Object token) {
        if (!down || probeToken != token) {
            return false;
        }
        probeDue = true;
        return true;
    }

    /** Probes at once, if down, rather than after the backoff; any pending timer becomes stale. */
    void probeNow() {
        if (down) {
            probeToken = new Object();
            probeDue = true;
        }
    }

    /**
     * A purge was delivered while down: the node is up, its backlog may drain at full speed.
     *
     * @return how long it was down, by the dispatcher's ticker
     */
    long recover(long now) {
        down = false;
        probeDue = false;
        // Any probe timer still pending finds another token and does nothing.
        probeToken = new Object();
        return now - downSince;
    }

    /** Takes out of the queue the purges owed at least {@code giveUpNanos}, and counts them as dropped while down. */
    List<Entry> takeOwedLongerThan(long giveUpNanos, long now) {
        List<Entry> old = new ArrayList<>();
        queue.removeIf(entry -> {
            if (now - entry.pendingSince < giveUpNanos) {
                return false;
            }
            old.add(entry);
            return true;
        });
        droppedWhileDown += old.size();
        return old;
    }

    /** Where an entry stands. An entry that owes nothing is removed, so no entry in a map is idle. */
    enum State {
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

    /**
     * One path on one node. {@code requested} counts the purges asked for (coalesced), {@code sending}
     * is the one on the wire, {@code completed} the last one delivered.
     * {@code committedSinceSend} tells whether a commit asked for the next send (which then earns a
     * re-purge), as opposed to a re-purge alone.
     */
    static final class Entry {
        final NodeBacklog node;
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
        /**
         * The entries that share this one's request, this one first, while it leads a batch on the wire; else
         * null.
         */
        @Nullable List<Entry> batch;
        /** Never batched: a request with it and others could not be formed. */
        boolean alone;
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
        @Nullable List<Tracker.Waiter> waiters;

        Entry(NodeBacklog node, String path) {
            this.node = node;
            this.path = path;
        }

        void await(Tracker tracker, long purge) {
            if (waiters == null) {
                waiters = new ArrayList<>(1);
            }
            waiters.add(new Tracker.Waiter(tracker, purge));
            tracker.remaining++;
        }

        /** Counts this entry's delivered purge for the trackers it settles; adds those now settled to {@code out}. */
        void settleWaiters(List<Tracker> out) {
            List<Tracker.Waiter> list = waiters;
            if (list == null) {
                return;
            }
            List<Tracker.Waiter> keep = null;
            for (Tracker.Waiter waiter : list) {
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
            List<Tracker.Waiter> list = waiters;
            if (list == null) {
                return;
            }
            for (Tracker.Waiter waiter : list) {
                waiter.tracker().gaveUp = true;
                waiter.tracker().settle(out);
            }
            waiters = null;
        }
    }
}
