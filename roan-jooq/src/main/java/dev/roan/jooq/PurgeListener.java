package dev.roan.jooq;

import java.time.Duration;

/**
 * Observes the outcome of every purge, for metrics, health checks and tests: one call per purge and cache node.
 *
 * <pre>{@code
 * Roan roan = Roan.builder()
 *         .purgeUrl("http://localhost/purge")
 *         .listener(new PurgeListener() {
 *             public void purgeFailed(String purgeUrl, String path, String reason) {
 *                 failures.increment();
 *             }
 *         })
 *         .build();
 * }</pre>
 *
 * <p>Roan calls listeners on its delivery threads: implementations must be thread-safe and quick. What a listener
 * throws is logged once and otherwise ignored. Every method does nothing by default.
 *
 * @since 0.1.0
 */
public interface PurgeListener {

    /**
     * A purge was delivered: the cache node answered 2xx, or 404 or 412 (not cached, as ngx_cache_purge says it).
     *
     * @param purgeUrl       the cache node's purge URL
     * @param path           the purged path, as sent
     * @param status         the HTTP status of the answer
     * @param sinceRequested from the earliest commit this purge covers (or the re-purge falling due) to the answer
     */
    default void purgeDelivered(String purgeUrl, String path, int status, Duration sinceRequested) {}

    /**
     * An attempt to purge failed and will be retried.
     *
     * @param purgeUrl the cache node's purge URL
     * @param path     the path
     */
    default void purgeRetried(String purgeUrl, String path) {}

    /**
     * A purge was given up: its attempts were exhausted, or the answer was not worth retrying (such as 403 or 405).
     * The page may be stale until the next purge of the path.
     *
     * @param purgeUrl the cache node's purge URL
     * @param path     the path
     * @param reason   what went wrong, for a log line (never a header value)
     */
    default void purgeFailed(String purgeUrl, String path, String reason) {}
}
