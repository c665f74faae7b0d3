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
 * @param tagHeaders  the headers tracked pages carry, one per kind of cache purged by tag; empty for none
 * @param xkeyPurgeUrls the Varnish nodes purged by xkey ({@code PURGE} with {@code xkey-purge}), normalised
 * @param softPurge   whether tag purges mark pages stale rather than remove them, where the cache can
 * @param fastly      the Fastly service purged through its API, or null
 * @param cloudflare  the Cloudflare zone purged through its API, or null
 * @param publicOrigin the site's public origin ({@code https://www.example.com}) a CDN's URL purge names, or null
 * @param maxTrackedPages how many tracked pages the in-memory page index knows at most
 * @param pageIndex   the database of the page index shared by instances, or null for the in-memory index
 */
record Settings(List<String> purgeUrls, String purgeMethod, List<Map.Entry<String, String>> headers,
        @Nullable Duration repurgeAfter, Duration coalesceWindow, @Nullable TransactionBoundary transactionBoundary,
        List<PurgeListener> listeners, @Nullable RetryConfig retryConfig, Duration connectTimeout,
        Duration requestTimeout, Duration closeTimeout,
        @Nullable Duration giveUpAfter, Duration maxRetryInterval, int maxOwedPaths, List<String> overflowPurge,
        @Nullable DataSource outbox, String outboxTable, boolean createOutboxTable, Duration outboxSweepInterval,
        Duration outboxLease, boolean shutdownHook,
        List<TagHeader> tagHeaders, List<String> xkeyPurgeUrls, boolean softPurge, @Nullable CdnApi fastly,
        @Nullable CdnApi cloudflare, @Nullable String publicOrigin, int maxTrackedPages,
        @Nullable DataSource pageIndex, String pageIndexTable, boolean createPageIndexTable) {

    Settings {
        purgeUrls = List.copyOf(purgeUrls);
        overflowPurge = List.copyOf(overflowPurge);
        headers = List.copyOf(headers);
        listeners = List.copyOf(listeners);
        tagHeaders = List.copyOf(tagHeaders);
        xkeyPurgeUrls = List.copyOf(xkeyPurgeUrls);
    }

    /**
     * The tag header tracked pages carry, or null when no cache purges by tag: the first of {@link #tagHeaders()},
     * which a response must carry all of (a Varnish with xkey behind Fastly needs both {@code xkey} and
     * {@code Surrogate-Key}).
     */
    @Nullable TagHeader tagHeader() {
        return tagHeaders.isEmpty() ? null : tagHeaders.get(0);
    }

    /**
     * A CDN's purge API: Fastly's service or Cloudflare's zone.
     *
     * @param id     the service id or zone id, letters and digits
     * @param token  the API token: a secret, never shown
     * @param apiUrl the API's base URL, such as {@code https://api.fastly.com}, without trailing slash
     */
    record CdnApi(String id, String token, String apiUrl) {

        /** Never the token. */
        @Override
        public String toString() {
            return id + " at " + apiUrl + " (token hidden)";
        }
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
                + ", shutdownHook=" + shutdownHook
                + (tagHeaders.isEmpty() ? "" : ", tagHeaders=" + tagHeaders)
                + (xkeyPurgeUrls.isEmpty() ? "" : ", xkeyPurgeUrls=" + xkeyPurgeUrls)
                + (softPurge ? ", softPurge=true" : "")
                + (fastly == null ? "" : ", fastly=" + fastly)
                + (cloudflare == null ? "" : ", cloudflare=" + cloudflare)
                + (publicOrigin == null ? "" : ", publicOrigin=" + publicOrigin)
                + ", maxTrackedPages=" + maxTrackedPages
                + (pageIndex == null ? "" : ", pageIndex=" + pageIndexTable
                        + (createPageIndexTable ? " (created when missing)" : ""));
    }
}
