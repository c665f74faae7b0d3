package dev.roan.jooq;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * Where the dispatcher sends a purge: one cache node, as far as coalescing is concerned. The dispatcher knows nothing
 * of HTTP, retries or what a cache answers; a test stands in for a node by completing the stage when it chooses.
 */
interface PurgeTarget {

    /**
     * Purges a path on this target.
     *
     * @param path the path, already normalised
     * @param requestedNanos when the earliest write this purge covers asked for it, by the dispatcher's {@link Ticker}
     *     (the system ticker for a {@link CacheNode}, which measures its latency against {@code System.nanoTime()})
     * @param probe whether this is a probe of a node that is down: one attempt, without the quick retries of a node
     *     that is up
     * @return a stage that completes normally, never exceptionally, with whether the purge was delivered; the target
     *     reports the attempts to listeners and the log itself
     */
    CompletionStage<Outcome> purge(String path, long requestedNanos, boolean probe);

    /**
     * How many targets like {@code target} one request may carry: 1 (the default) for a request per target; more for
     * a cache that purges several keys at once (Varnish xkey, a CDN's API), whose backlog the dispatcher then sends
     * in batches through {@link #purge(List, long[])}.
     */
    default int batchLimit(String target) {
        return 1;
    }

    /**
     * Purges several targets with one request: each one that {@link #batchLimit} lets share it, as many as the least
     * of their limits. One outcome for all: delivered together, or all still owed; undeliverable when no request can
     * carry them together (the dispatcher then sends each on its own).
     *
     * @param requestedNanos for each target, when the earliest write it covers asked for it
     * @return a stage that completes normally, never exceptionally; the target reports each target to listeners
     */
    default CompletionStage<Outcome> purge(List<String> targets, long[] requestedNanos) {
        return CompletableFuture.completedFuture(Outcome.undeliverable(this + " purges one target per request"));
    }

    /**
     * The dispatcher dropped the purge of a path it owed this target: told outside the dispatcher's lock, for the
     * target's listeners.
     *
     * @param requestedNanos when the earliest write the dropped purge covered asked for it, by the dispatcher's ticker
     * @param reason why, for a listener: which limit, never a header value
     */
    default void dropped(String path, long requestedNanos, String reason) {}

    /**
     * The dispatcher found the node down (a purge failed after its quick retries), or up again (a probe was
     * delivered). A target that retries on its own hands back the purges waiting out a backoff once the node is
     * down, and stops retrying while it is, so that they wait in the dispatcher's queue for the probe whose delivery
     * releases them all at once. Called under the dispatcher's lock: it must only record, and never call back.
     */
    default void nodeDown(boolean down) {}

    /**
     * Whether this target purges {@code path}, a page path or a dependency's {@link Dependency#target()}: the
     * dispatcher offers it only those. Every one by default.
     */
    default boolean takes(String path) {
        return true;
    }

    /**
     * How a purge ended.
     *
     * @param delivered whether the node confirmed it
     * @param undeliverable whether it can never be sent (a path that forms no request): dropped, not tried again
     * @param failure why it failed, never a header value nor credentials; null when delivered
     * @param retryAfterNanos how long the node asked to be left alone (429 or 503 with {@code Retry-After}), or -1
     */
    record Outcome(boolean delivered, boolean undeliverable, @Nullable String failure, long retryAfterNanos) {

        static final Outcome DELIVERED = new Outcome(true, false, null, -1);

        /** A failure someone can fix (the node is down, refuses, or is misconfigured): the purge stays owed. */
        static Outcome failed(String failure, long retryAfterNanos) {
            return new Outcome(false, false, failure, retryAfterNanos);
        }

        static Outcome undeliverable(String failure) {
            return new Outcome(false, true, failure, -1);
        }
    }
}
