package dev.roan.jooq;

import java.util.concurrent.CompletionStage;

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
     * @return a stage that completes normally, never exceptionally, once the purge was delivered or given up; the
     *     target reports the outcome itself
     */
    CompletionStage<Void> purge(String path, long requestedNanos);
}
