package dev.roan.jooq;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

/**
 * Read-your-writes: hands the purges of committed work to delivery and remembers, per thread, whether those of its
 * own commits have been delivered, for {@link Roan#awaitPurges(Duration)}.
 *
 * <p>Each thread that commits has one {@link Owed} record, reused by every commit until {@link #await} takes it: a
 * count of tracked submits not yet settled and whether one failed. A commit costs one tracked submit (a waiter per
 * path and node inside the dispatcher, freed once delivered: about 180 bytes for one path and node). Until
 * {@code awaitPurges} is first called on this Roan, commits are not tracked at all: the record only notes that the
 * thread owes purges, and that first call waits as {@link Roan#flush} does. An application that never asks pays a
 * thread-local lookup per commit.
 *
 * <p>Memory stays bounded per Roan however long a cache node is down: at most {@link #limit} paths are tracked at a
 * time, over all threads, whether or not anyone still waits for them (a record taken by {@code await} leaves its
 * waiters in the dispatcher until they settle). Past it, purges are submitted untracked and the record notes it:
 * {@code awaitPurges} then returns false at once, as it cannot tell. A purge the dispatcher refuses (no room under
 * {@code maxOwedPaths}) is tracked through the overflow purge that covers it, or, without one, dropped and
 * the record marked failed.
 */
final class OwnPurges {

    /**
     * Paths tracked at a time per Roan, at most: about 2 MB per cache node when reached (a cache node down for long
     * while writes go on).
     */
    static final int MAX_TRACKED_PATHS = 10_000;

    private final Dispatcher dispatcher;
    private final @Nullable Outbox outbox;
    private final ThreadLocal<@Nullable Owed> owed = new ThreadLocal<>();
    /** Whether {@link #await} was ever called: only then are commits tracked. */
    private volatile boolean tracking;
    /** How many paths may be tracked at a time, over all threads. */
    private final int limit;
    /** Paths of tracked submits not yet settled, over all threads; at most {@link #limit}. */
    private final AtomicInteger trackedPaths = new AtomicInteger();

    OwnPurges(Dispatcher dispatcher, @Nullable Outbox outbox) {
        this(dispatcher, outbox, MAX_TRACKED_PATHS);
    }

    OwnPurges(Dispatcher dispatcher, @Nullable Outbox outbox, int limit) {
        this.dispatcher = dispatcher;
        this.outbox = outbox;
        this.limit = limit;
    }

    /** Delivers the purges of work committed on this thread (or sent at once), tracked for this thread. */
    void send(Collection<String> paths) {
        if (paths.isEmpty()) {
            return;
        }
        Owed record = record();
        if (!tracking) {
            record.beforeTracking = true;
            dispatcher.submit(paths);
            return;
        }
        int weight = paths.size();
        if (!reserve(weight)) {
            record.untracked = true;
            dispatcher.submit(paths);
            return;
        }
        CompletableFuture<Settled> settled = dispatcher.submitTracked(paths, true).toCompletableFuture();
        if (settled.getNow(null) == Settled.NOT_TAKEN) {
            trackedPaths.addAndGet(-weight);
            // Closed (submit logs it), or no room under maxOwedPaths and no overflow purge: submit drops what does
            // not fit and counts it. This thread's page may stay stale: its awaitPurges says so.
            record.fail();
            dispatcher.submit(paths);
            return;
        }
        record.track(settled, () -> trackedPaths.addAndGet(-weight));
    }

    /** Takes room for {@code weight} tracked paths, if there is. */
    private boolean reserve(int weight) {
        while (true) {
            int now = trackedPaths.get();
            if (now + weight > limit) {
                return false;
            }
            if (trackedPaths.compareAndSet(now, now + weight)) {
                return true;
            }
        }
    }

    /** Tracked paths not yet settled, over all threads. */
    int trackedPaths() {
        return trackedPaths.get();
    }

    /**
     * Durable mode, for work already committed: writes the rows in a transaction of their own first, so that a crash
     * from now on cannot lose the purges, then delivers them; from memory alone if the rows could not be written.
     */
    void sendDurably(Collection<String> paths) {
        long[] ids = outbox.writeNow(paths);
        if (ids == null) {
            send(paths);
        } else {
            committed(paths, ids);
        }
    }

    /** Durable mode: the transaction of these outbox rows committed on this thread; deliver them, tracked. */
    void committed(Collection<String> paths, long[] ids) {
        CompletionStage<Settled> settled = outbox.committed(paths, ids);
        Owed record = record();
        if (!tracking) {
            record.beforeTracking = true;
        } else if (settled == null) {
            // Past the outbox's memory cap: submitted untracked. The outbox bounds its own tracked submits.
            record.untracked = true;
        } else {
            record.track(settled.toCompletableFuture(), null);
        }
    }

    private Owed record() {
        Owed record = owed.get();
        if (record == null) {
            record = new Owed();
            owed.set(record);
        }
        return record;
    }

    /**
     * Waits until the purges recorded for this thread are delivered, and forgets them either way.
     *
     * @return false on timeout, interrupt (the flag set again), if one was given up or dropped, or if one could not
     *     be tracked (past {@link #limit})
     */
    boolean await(Duration timeout) {
        if (!tracking) {
            tracking = true;
        }
        Owed record = owed.get();
        if (record == null) {
            return true;
        }
        owed.remove();
        // Real time: this thread waits for delivery threads. Only differences count, so a timeout of forever may
        // overflow the sum.
        long deadline = System.nanoTime() + Ticker.saturatedNanos(timeout);
        if (record.untracked || !record.await(deadline)) {
            return false;
        }
        // Only the first call on this Roan, and only for threads that committed before it.
        return !record.beforeTracking
                || dispatcher.flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /** One thread's record; the callback of each of its tracked submits. */
    static final class Owed implements BiConsumer<@Nullable Settled, @Nullable Throwable> {
        /** Tracked submits not yet settled. Guarded by this. */
        private int unsettled;
        /** One was given up, dropped or not delivered. Guarded by this. */
        private boolean failed;
        /** Purges submitted without tracking, past the limit: await cannot tell. Written by the owning thread only. */
        boolean untracked;
        /** Purges submitted before tracking started: only a flush can tell. Written by the owning thread only. */
        boolean beforeTracking;

        /**
         * Counts {@code settled} until it completes; {@code release}, if any, runs then, before this record learns
         * of it, whether or not anyone still waits.
         */
        void track(CompletableFuture<Settled> settled, @Nullable Runnable release) {
            synchronized (this) {
                unsettled++;
            }
            // Runs at once if already settled, else on the delivery thread that settles it.
            if (release == null) {
                settled.whenComplete(this);
            } else {
                settled.whenComplete((result, failure) -> {
                    release.run();
                    accept(result, failure);
                });
            }
        }

        synchronized void fail() {
            failed = true;
            notifyAll();
        }

        @Override
        public synchronized void accept(@Nullable Settled settled, @Nullable Throwable failure) {
            unsettled--;
            if (settled != Settled.DELIVERED) {
                failed = true;
            }
            // A failure ends the wait as well: await returns false without waiting for the others.
            if (unsettled == 0 || failed) {
                notifyAll();
            }
        }

        synchronized boolean await(long deadline) {
            return TimedWait.until(this, deadline, () -> unsettled == 0 || failed) && !failed;
        }
    }
}
