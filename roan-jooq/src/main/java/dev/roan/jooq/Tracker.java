package dev.roan.jooq;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One tracked submit ({@link Dispatcher#submitTracked}): the (node, path) purges it still waits for. Guarded by the
 * dispatcher's lock; its future is completed outside it.
 */
final class Tracker {

    /** A tracker waiting on one owed path of one node, for the purge numbered {@code purge} or a later one. */
    record Waiter(Tracker tracker, long purge) {}

    final CompletableFuture<Settled> future = new CompletableFuture<>();
    int remaining;
    boolean gaveUp;

    void settle(List<Tracker> out) {
        if (--remaining == 0) {
            out.add(this);
        }
    }
}
