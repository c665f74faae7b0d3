package dev.roan.jooq;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.github.resilience4j.retry.RetryConfig;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Roan.Builder} was told, checked and frozen: the builder produces it, {@link Delivery} and {@link Roan}
 * only read it. Every value was checked by {@link Checks} when it was set.
 *
 * @param retryConfig the user's retry configuration, or null for {@link Roan#defaultRetryConfig()}
 * @param giveUpAfter how long a node may owe a purge before it is dropped there, or null to keep it until delivered
 * @param overflowPurge the paths purged instead of those beyond {@code maxOwedPaths}, normalised; empty for none
 * @param outbox      the database of the outbox table (durable mode), or null for memory mode
 * @param shutdownHook whether a JVM exiting without {@link Roan#close()} first delivers the purges still owed
 * @param maxTrackedPages how many tracked pages the in-memory page index knows at most
 */
record Settings(List<String> purgeUrls, String purgeMethod, List<Map.Entry<String, String>> headers,
        @Nullable Duration repurgeAfter, Duration coalesceWindow, @Nullable TransactionBoundary transactionBoundary,
        List<PurgeListener> listeners, @Nullable RetryConfig retryConfig, Duration connectTimeout,
        Duration requestTimeout, Duration closeTimeout,
        @Nullable Duration giveUpAfter, Duration maxRetryInterval, int maxOwedPaths, List<String> overflowPurge,
        @Nullable DataSource outbox, String outboxTable, boolean createOutboxTable, Duration outboxSweepInterval,
        Duration outboxLease, boolean shutdownHook, int maxTrackedPages) {

    Settings {
        purgeUrls = List.copyOf(purgeUrls);
        overflowPurge = List.copyOf(overflowPurge);
        headers = List.copyOf(headers);
        listeners = List.copyOf(listeners);
    }

    /** The retry configuration to use, before Roan's own predicates are added. */
    RetryConfig retry() {
        return retryConfig != null ? retryConfig : Checks.defaultRetryConfig();
    }

    /** Header names only: their values may be secrets. */
    @Override
    public String toString() {
        return "purgeUrls=" + purgeUrls + ", purgeMethod=" + purgeMethod
                + ", headers=" + headers.stream().map(Map.Entry::getKey).toList() + " (values hidden)"
                + (repurgeAfter == null ? "" : ", repurgeAfter=" + repurgeAfter)
                + ", coalesceWindow=" + coalesceWindow
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", closeTimeout=" + closeTimeout + ", retryConfig=" + (retryConfig == null ? "default" : "custom")
                + (giveUpAfter == null ? "" : ", giveUpAfter=" + giveUpAfter)
                + ", maxRetryInterval=" + maxRetryInterval + ", maxOwedPaths=" + maxOwedPaths
                + (overflowPurge.isEmpty() ? "" : ", onOverflowPurge=" + overflowPurge)
                + (outbox == null ? "" : ", outbox=" + outboxTable + (createOutboxTable ? " (created when missing)" : "")
                        + ", outboxSweepInterval=" + outboxSweepInterval + ", outboxLease=" + outboxLease)
                + ", shutdownHook=" + shutdownHook + ", maxTrackedPages=" + maxTrackedPages;
    }
}
