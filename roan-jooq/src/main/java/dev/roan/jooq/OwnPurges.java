package dev.roan.jooq;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

/**
 * Read-your-writes: hands the purges of committed work to delivery and remembers, per thread, whether those of its
 * own commits have been delivered, for {@link Roan#awaitPurges(Duration)}.
 *
 * <p>Each thread that commits has one {@link Owed} record, reused by every commit until {@link #await} takes it: a
 * count of tracked submits not yet settled and whether one failed. A commit costs one tracked submit (a waiter per
 * path and node inside the dispatcher, freed once delivered: about 180 bytes for one path and node) and no object of
 * its own here: the record is the callback. Until {@code awaitPurges} is first called on this Roan, commits are not
 * tracked at all: the record only notes that the thread owes purges, and that first call waits as {@link Roan#flush}
 * does. An application that never asks pays a thread-local lookup per commit. Past {@link #MAX_UNSETTLED} unsettled submits on one thread (a cache node down while a thread that never
 * calls {@code awaitPurges} keeps writing) the purges are submitted untracked and the record only notes it, so that
 * memory stays bounded; {@code awaitPurges} then waits as {@link Roan#flush} does, for every purge asked for before it.
 */
final class OwnPurges {

    /** Tracked submits one thread may leave unsettled before its further purges go untracked. */
    static final int MAX_UNSETTLED = 64;

    private final Dispatcher dispatcher;
    private final @Nullable Outbox outbox;
    private final ThreadLocal<@Nullable Owed> owed = new ThreadLocal<>();
    /** Whether {@link #await} was ever called: only then are commits tracked. */
    private volatile boolean tracking;

    OwnPurges(Dispatcher dispatcher, @Nullable Outbox outbox) {
        this.dispatcher = dispatcher;
        this.outbox = outbox;
    }

    /** Delivers the purges of work committed on this thread (or sent at once), tracked for this thread. */
    void send(Collection<String> paths) {
        if (paths.isEmpty()) {
            return;
        }
        Owed record = record();
        if (!tracking || record.unsettled() >= MAX_UNSETTLED) {
            record.untracked = true;
            dispatcher.submit(paths);
            return;
        }
        CompletableFuture<Dispatcher.Settled> settled = dispatcher.submitTracked(paths).toCompletableFuture();
        if (settled.getNow(null) == Dispatcher.Settled.NOT_TAKEN) {
            // Closed (submit logs it), or no room under maxOwedPaths: submit owes the overflow purge or counts a drop.
            record.untracked = true;
            dispatcher.submit(paths);
            return;
        }
        record.track(settled);
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
        CompletionStage<Dispatcher.Settled> settled = outbox.committed(paths, ids);
        Owed record = record();
        if (settled == null || !tracking) {
            // Past the outbox's memory cap: submitted untracked.
            record.untracked = true;
        } else {
            record.track(settled.toCompletableFuture());
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
     * @return false on timeout, interrupt (the flag set again), or if one was given up or dropped
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
        if (!record.await(deadline)) {
            return false;
        }
        return !record.untracked || dispatcher.flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /** One thread's record; the callback of each of its tracked submits. */
    private static final class Owed implements BiConsumer<Dispatcher.@Nullable Settled, @Nullable Throwable> {
        /** Tracked submits not yet settled. Guarded by this. */
        private int unsettled;
        /** One was given up or not delivered. Guarded by this. */
        private boolean failed;
        /** Purges submitted without tracking: only a flush can tell. Written by the owning thread only. */
        boolean untracked;

        synchronized int unsettled() {
            return unsettled;
        }

        void track(CompletableFuture<Dispatcher.Settled> settled) {
            synchronized (this) {
                unsettled++;
            }
            // Runs at once if already settled, else on the delivery thread that settles it.
            settled.whenComplete(this);
        }

        @Override
        public synchronized void accept(Dispatcher.@Nullable Settled settled, @Nullable Throwable failure) {
            unsettled--;
            if (settled != Dispatcher.Settled.DELIVERED) {
                failed = true;
            }
            if (unsettled == 0) {
                notifyAll();
            }
        }

        synchronized boolean await(long deadline) {
            while (unsettled > 0 && !failed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !failed;
        }
    }
}
