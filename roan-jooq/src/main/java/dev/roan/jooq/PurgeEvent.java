package dev.roan.jooq;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import org.jspecify.annotations.Nullable;

/**
 * What happened to one purge of one path on one cache node, as a {@link PurgeListener} is told: delivered, retried,
 * failed (and still owed) or dropped, with the answer's status, the time since the commit and the attempt.
 *
 * <p>An immutable value; later versions may add accessors, never remove them. It holds no header value: the reason
 * of a failure names a header, never what it carries.
 *
 * @since 0.1.0
 */
public final class PurgeEvent {

    /**
     * How a purge attempt ended.
     *
     * @since 0.1.0
     */
    public enum Outcome {
        /** The cache node confirmed the purge: 2xx, or an answer saying the page was not cached (404, 412). */
        DELIVERED,
        /** An attempt failed (5xx, 429, an I/O error or a timeout) and the purge is tried again. */
        RETRIED,
        /**
         * The purge failed: its quick attempts were exhausted, or the answer is not retried at once (such as 403 or
         * 405), or a probe of a node that is down failed. The purge stays owed: Roan sends it again when the node is
         * probed, until it is delivered (or dropped after {@code giveUpAfter}).
         */
        FAILED,
        /**
         * Roan stopped owing the purge without delivering it, and counts it in {@code Roan.droppedPurges()}: it was
         * owed longer than {@code giveUpAfter} on a node that is down, or its path was new beyond
         * {@code maxOwedPaths} without an {@code onOverflowPurge}, or no request can carry it. Its page may stay
         * stale. {@link #status()} is empty and {@link #attempt()} is 0; {@link #reason()} says which.
         *
         * @since 0.1.0
         */
        DROPPED
    }

    private final String node;
    private final String path;
    private final Outcome outcome;
    private final @Nullable Integer status;
    private final Duration latency;
    private final int attempt;
    private final @Nullable String reason;

    PurgeEvent(String node, String path, Outcome outcome, @Nullable Integer status, Duration latency, int attempt,
            @Nullable String reason) {
        this.node = node;
        this.path = path;
        this.outcome = outcome;
        this.status = status;
        this.latency = latency;
        this.attempt = attempt;
        this.reason = reason;
    }

    /**
     * The cache node, by its purge URL as configured, such as {@code "http://localhost/purge"}.
     *
     * @return the node's purge URL
     * @since 0.1.0
     */
    public String node() {
        return node;
    }

    /**
     * The purged path, as sent, such as {@code "/posts/hello%20world"}.
     *
     * @return the path
     * @since 0.1.0
     */
    public String path() {
        return path;
    }

    /**
     * How the attempt ended.
     *
     * @return delivered, retried or failed
     * @since 0.1.0
     */
    public Outcome outcome() {
        return outcome;
    }

    /**
     * The HTTP status of the cache node's answer to this attempt; empty when there was no answer (an I/O error, a
     * timeout, a request that could not be sent).
     *
     * @return the status, if the node answered
     * @since 0.1.0
     */
    public OptionalInt status() {
        return status == null ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /**
     * From the earliest commit this purge covers (or the re-purge falling due) to this event.
     *
     * @return the time since the commit; zero or more
     * @since 0.1.0
     */
    public Duration latency() {
        return latency;
    }

    /**
     * Which attempt this event is about, from 1: for {@link Outcome#RETRIED} the attempt that failed (the next one
     * is {@code attempt() + 1}), for {@link Outcome#DROPPED} 0 (no attempt: Roan stopped owing it), otherwise the
     * last attempt.
     *
     * @return the attempt number, 1 or more; 0 for a dropped purge
     * @since 0.1.0
     */
    public int attempt() {
        return attempt;
    }

    /**
     * Why an attempt failed, for a log line, such as {@code "HTTP 503"} or, for a failed purge, a hint on what to
     * fix; empty for a delivered purge. Never a header value nor a URL's credentials.
     *
     * @return what went wrong, if anything did
     * @since 0.1.0
     */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof PurgeEvent e && node.equals(e.node) && path.equals(e.path) && outcome == e.outcome
                && Objects.equals(status, e.status) && latency.equals(e.latency) && attempt == e.attempt
                && Objects.equals(reason, e.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(node, path, outcome, status, latency, attempt, reason);
    }

    @Override
    public String toString() {
        return "PurgeEvent[" + outcome + " " + path + " on " + node + (status == null ? "" : ", HTTP " + status)
                + ", attempt " + attempt + ", " + latency.toMillis() + " ms since the commit"
                + (reason == null ? "" : ", " + reason) + "]";
    }
}
