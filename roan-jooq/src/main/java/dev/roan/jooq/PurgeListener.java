package dev.roan.jooq;

/**
 * Observes the outcome of every purge, for metrics, health checks and tests: one event per attempt that is retried,
 * and one per send of a purge to a cache node when it is delivered or fails (a failed purge stays owed and is sent
 * again).
 *
 * <pre>{@code
 * Roan roan = Roan.builder()
 *         .purgeUrl("http://localhost/purge")
 *         .listener(event -> {
 *             if (event.outcome() == PurgeEvent.Outcome.FAILED) {
 *                 failures.increment();
 *             }
 *         })
 *         .build();
 * }</pre>
 *
 * <p>Roan calls listeners on its delivery threads: implementations must be thread-safe and quick. What a listener
 * throws is logged once and otherwise ignored.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface PurgeListener {

    /**
     * A purge attempt ended: delivered, to be retried at once, or failed and still owed ({@link PurgeEvent#outcome()}).
     *
     * @param event what happened, on which node, to which path
     * @since 0.1.0
     */
    void onPurge(PurgeEvent event);
}
