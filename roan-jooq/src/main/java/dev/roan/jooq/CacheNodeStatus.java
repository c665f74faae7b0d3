package dev.roan.jooq;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What one cache node owes at one moment, from {@link Roan#cacheNodes()}: for health checks and metrics. A snapshot:
 * it does not change afterwards.
 *
 * @since 0.1.0
 */
public final class CacheNodeStatus {

    private final String purgeUrl;
    private final int owedPurges;
    private final Duration oldestOwed;
    private final boolean down;
    private final @Nullable String lastFailure;

    CacheNodeStatus(String purgeUrl, int owedPurges, Duration oldestOwed, boolean down, @Nullable String lastFailure) {
        this.purgeUrl = purgeUrl;
        this.owedPurges = owedPurges;
        this.oldestOwed = oldestOwed;
        this.down = down;
        this.lastFailure = lastFailure;
    }

    /**
     * Returns the node's purge URL, with any credentials masked ({@link Roan#maskUrl}).
     *
     * @return the masked purge URL
     */
    public String purgeUrl() {
        return purgeUrl;
    }

    /**
     * Returns how many paths this node owes a purge of: queued, on the wire, held for the coalescing window or due
     * for a re-purge.
     *
     * @return the number of owed purges, 0 when the node is idle
     */
    public int owedPurges() {
        return owedPurges;
    }

    /**
     * Returns how long the oldest purge this node owes has waited since the write that asked for it (re-purges not
     * yet due do not count).
     *
     * @return the age of the oldest owed purge, {@link Duration#ZERO} when none waits
     */
    public Duration oldestOwed() {
        return oldestOwed;
    }

    /**
     * Tells whether the node is down: its last purge failed and Roan is probing it, or purges of it were dropped
     * (at the memory cap without an overflow purge) and some are still owed. Health checks report DOWN on it.
     *
     * @return true while the node is down
     */
    public boolean isDown() {
        return down;
    }

    /**
     * Returns why the node's last failed purge failed, in a few words with a hint on what to check, never a header
     * value nor credentials; it stays after the node recovers.
     *
     * @return the last failure, or null if no purge of this node has failed
     */
    public @Nullable String lastFailure() {
        return lastFailure;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof CacheNodeStatus other && purgeUrl.equals(other.purgeUrl)
                && owedPurges == other.owedPurges && oldestOwed.equals(other.oldestOwed) && down == other.down
                && Objects.equals(lastFailure, other.lastFailure);
    }

    @Override
    public int hashCode() {
        return Objects.hash(purgeUrl, owedPurges, oldestOwed, down, lastFailure);
    }

    @Override
    public String toString() {
        return "CacheNodeStatus[purgeUrl=" + purgeUrl + ", owedPurges=" + owedPurges + ", oldestOwed=" + oldestOwed
                + (down ? ", down" : "") + (lastFailure == null ? "" : ", lastFailure=" + lastFailure) + "]";
    }
}
