package dev.roan.jooq;

import static dev.roan.jooq.Defaults.CLOSE_TIMEOUT;
import static dev.roan.jooq.Defaults.CLOUDFLARE_API_URL;
import static dev.roan.jooq.Defaults.FASTLY_API_URL;
import static dev.roan.jooq.Defaults.COALESCE_WINDOW;
import static dev.roan.jooq.Defaults.CONNECT_TIMEOUT;
import static dev.roan.jooq.Defaults.MAX_OWED_PATHS;
import static dev.roan.jooq.Defaults.MAX_RETRY_INTERVAL;
import static dev.roan.jooq.Defaults.OUTBOX_LEASE;
import static dev.roan.jooq.Defaults.OUTBOX_SWEEP_INTERVAL;
import static dev.roan.jooq.Defaults.OUTBOX_TABLE;
import static dev.roan.jooq.Defaults.PAGE_INDEX_TABLE;
import static dev.roan.jooq.Defaults.PURGE_METHOD;
import static dev.roan.jooq.Defaults.PURGE_URL;
import static dev.roan.jooq.Defaults.REQUEST_TIMEOUT;
import static dev.roan.jooq.Defaults.SHUTDOWN_HOOK;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import javax.sql.DataSource;

import io.github.resilience4j.retry.RetryConfig;
import org.jspecify.annotations.Nullable;

/**
 * What {@link Roan.Builder} has been told so far: each setter checks its value with {@link Checks} before keeping it,
 * and {@link #settings()} freezes them into {@link Settings}. The public builder documents each setting.
 */
final class SettingsBuilder {

    private List<String> purgeUrls = List.of(PURGE_URL);
    private String purgeMethod = PURGE_METHOD;
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private @Nullable Duration repurgeAfter;
    private Duration coalesceWindow = COALESCE_WINDOW;
    private @Nullable TransactionBoundary transactionBoundary;
    private final List<PurgeListener> listeners = new ArrayList<>();
    private @Nullable RetryConfig retryConfig;
    private Duration connectTimeout = CONNECT_TIMEOUT;
    private Duration requestTimeout = REQUEST_TIMEOUT;
    private Duration closeTimeout = CLOSE_TIMEOUT;
    private @Nullable Duration giveUpAfter;
    private Duration maxRetryInterval = MAX_RETRY_INTERVAL;
    private int maxOwedPaths = MAX_OWED_PATHS;
    private List<String> overflowPurge = List.of();
    private @Nullable DataSource outbox;
    private String outboxTable = OUTBOX_TABLE;
    private boolean createOutboxTable = true;
    private Duration outboxSweepInterval = OUTBOX_SWEEP_INTERVAL;
    private Duration outboxLease = OUTBOX_LEASE;
    private boolean shutdownHook = SHUTDOWN_HOOK;
    /** Whether purgeUrls was called: without it, a Roan that purges by tag only has no path node. */
    private boolean purgeUrlsSet;
    private final Set<CacheTagHeader> tagHeaders = new LinkedHashSet<>();
    private List<String> xkeyPurgeUrls = List.of();
    private boolean softPurge;
    private @Nullable String fastlyServiceId;
    private @Nullable String fastlyToken;
    private String fastlyApiUrl = FASTLY_API_URL;
    private @Nullable String cloudflareZoneId;
    private @Nullable String cloudflareToken;
    private String cloudflareApiUrl = CLOUDFLARE_API_URL;
    private @Nullable String publicOrigin;
    private int maxTrackedPages = Defaults.MAX_TRACKED_PAGES;
    private @Nullable DataSource pageIndex;
    private String pageIndexTable = PAGE_INDEX_TABLE;
    private boolean createPageIndexTable = true;

    void purgeUrls(String... purgeUrls) {
        this.purgeUrls = Checks.purgeUrls(purgeUrls);
        this.purgeUrlsSet = true;
    }

    void purgeMethod(String purgeMethod) {
        this.purgeMethod = Checks.purgeMethod(purgeMethod);
    }

    void header(String name, String value) {
        Checks.header(name, value);
        headers.put(name, value);
    }

    void repurgeAfter(Duration delay) {
        this.repurgeAfter = Checks.positive(delay, "repurgeAfter");
    }

    void coalesceWindow(Duration window) {
        this.coalesceWindow = Checks.coalesceWindow(window);
    }

    void transactionBoundary(TransactionBoundary transactionBoundary) {
        if (transactionBoundary == null) {
            throw new IllegalArgumentException("transactionBoundary is null: omit the call to use none");
        }
        this.transactionBoundary = transactionBoundary;
    }

    void listener(PurgeListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null: omit the call to add none");
        }
        listeners.add(listener);
    }

    void retryConfig(RetryConfig retryConfig) {
        if (retryConfig == null) {
            throw new IllegalArgumentException("retryConfig is null: omit the call to keep the default retries");
        }
        this.retryConfig = retryConfig;
    }

    void connectTimeout(Duration connectTimeout) {
        this.connectTimeout = Checks.positive(connectTimeout, "connectTimeout");
    }

    void requestTimeout(Duration requestTimeout) {
        this.requestTimeout = Checks.positive(requestTimeout, "requestTimeout");
    }

    void closeTimeout(Duration closeTimeout) {
        this.closeTimeout = Checks.positiveOrZero(closeTimeout, "closeTimeout");
    }

    void giveUpAfter(Duration giveUpAfter) {
        this.giveUpAfter = Checks.positive(giveUpAfter, "giveUpAfter");
    }

    void maxRetryInterval(Duration maxRetryInterval) {
        this.maxRetryInterval = Checks.maxRetryInterval(maxRetryInterval);
    }

    void maxOwedPaths(int maxOwedPaths) {
        this.maxOwedPaths = Checks.maxOwedPaths(maxOwedPaths);
    }

    void onOverflowPurge(String... paths) {
        this.overflowPurge = Checks.overflowPurge(paths);
    }

    void outbox(DataSource dataSource) {
        if (dataSource == null) {
            throw new IllegalArgumentException("outbox DataSource is null: pass the application's DataSource, or omit"
                    + " the call to keep purges in memory only");
        }
        this.outbox = dataSource;
    }

    void outboxTable(String table) {
        this.outboxTable = Checks.tableName(table, "outboxTable");
    }

    void createOutboxTable(boolean create) {
        this.createOutboxTable = create;
    }

    void outboxSweepInterval(Duration interval) {
        this.outboxSweepInterval = Checks.positive(interval, "outboxSweepInterval");
    }

    void outboxLease(Duration lease) {
        Checks.positive(lease, "outboxLease");
        if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("outboxLease must be at least one second (the database clock's"
                    + " resolution in the lease query), such as Duration.ofSeconds(30), was " + lease);
        }
        this.outboxLease = lease;
    }

    /** What no single setter can check: called by {@link #build()}. */
    void checkCombination() {
        if (outbox != null && outboxSweepInterval.compareTo(outboxLease) >= 0) {
            throw new IllegalArgumentException("outboxSweepInterval (" + outboxSweepInterval + ") must be shorter than"
                    + " outboxLease (" + outboxLease + "): each sweep renews the leases of the rows a Roan owes, so a"
                    + " longer interval lets other Roans send them again; such as half the lease");
        }
        if (!overflowPurge.isEmpty() && publicOrigin == null && (fastlyServiceId != null || cloudflareZoneId != null)) {
            // A node that overflows owes these paths, and a CDN purges a path only by its URL on the public origin:
            // without one they could never be delivered, and the purges they stand for would be lost.
            throw new IllegalArgumentException("onOverflowPurge " + overflowPurge + ": "
                    + (fastlyServiceId != null ? "Fastly" : "Cloudflare") + " purges a page by its public URL: set"
                    + " Roan.Builder.publicOrigin, such as publicOrigin(\"https://www.example.com\"), or leave"
                    + " onOverflowPurge unset");
        }
    }

    void shutdownHook(boolean on) {
        this.shutdownHook = on;
    }

    // ---- caches that purge by tag

    void tagHeader(CacheTagHeader header) {
        tagHeaders.add(Checks.tagHeader(header));
    }

    void xkeyPurgeUrls(String... urls) {
        this.xkeyPurgeUrls = Checks.xkeyPurgeUrls(urls);
    }

    void softPurge(boolean soft) {
        this.softPurge = soft;
    }

    void fastly(String serviceId, String apiToken) {
        String id = Checks.apiId(serviceId, "fastly serviceId", "SU1Z0isxPaozGVKXdv0eY");
        this.fastlyToken = Checks.apiToken(apiToken, "fastly apiToken");
        this.fastlyServiceId = id;
    }

    void fastlyApiUrl(String apiUrl) {
        this.fastlyApiUrl = Checks.apiUrl(apiUrl, "fastlyApiUrl", FASTLY_API_URL);
    }

    void cloudflare(String zoneId, String apiToken) {
        String id = Checks.apiId(zoneId, "cloudflare zoneId", "023e105f4ecef8ad9ca31a8372d0c353");
        this.cloudflareToken = Checks.apiToken(apiToken, "cloudflare apiToken");
        this.cloudflareZoneId = id;
    }

    void cloudflareApiUrl(String apiUrl) {
        this.cloudflareApiUrl = Checks.apiUrl(apiUrl, "cloudflareApiUrl", CLOUDFLARE_API_URL);
    }

    void publicOrigin(String origin) {
        this.publicOrigin = Checks.publicOrigin(origin);
    }

    /** Whether some node purges by tag: then, unless purgeUrls was called, there is no path node. */
    private boolean purgesByTag() {
        return !xkeyPurgeUrls.isEmpty() || fastlyServiceId != null || cloudflareZoneId != null;
    }

    /** The tag headers set, else those of the caches purged by tag, in a fixed order. */
    private List<TagHeader> tagHeaders() {
        Set<CacheTagHeader> chosen = new LinkedHashSet<>(tagHeaders);
        if (chosen.isEmpty()) {
            if (!xkeyPurgeUrls.isEmpty()) {
                chosen.add(CacheTagHeader.VARNISH_XKEY);
            }
            if (fastlyServiceId != null) {
                chosen.add(CacheTagHeader.FASTLY_SURROGATE_KEY);
            }
            if (cloudflareZoneId != null) {
                chosen.add(CacheTagHeader.CLOUDFLARE_CACHE_TAG);
            }
        }
        return chosen.stream().map(CacheTagHeader::header).toList();
    }

    /** What no single setter can check, then the settings: {@code Roan.Builder.build()}. */
    Settings build() {
        checkCombination();
        return settings();
    }

    /**
     * The settings of {@link Roan#create()}: default ones, purging the URLs the system property {@code property}
     * names, else the environment variable {@code env}, else {@link Defaults#PURGE_URL}; a value may list several URLs
     * separated by commas. A refused URL's message names where it came from.
     */
    static SettingsBuilder fromEnvironment(String property, String env) {
        SettingsBuilder builder = new SettingsBuilder();
        String configured = System.getProperty(property);
        String source = "system property " + property;
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(env);
            source = "environment variable " + env;
        }
        if (configured == null || configured.isBlank()) {
            return builder;
        }
        String[] urls = Arrays.stream(configured.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toArray(String[]::new);
        try {
            builder.purgeUrls(urls);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        return builder;
    }

    Settings settings() {
        return new Settings(purgeUrlsSet || !purgesByTag() ? purgeUrls : List.of(), purgeMethod,
                Checks.entries(headers), repurgeAfter, coalesceWindow,
                transactionBoundary, listeners, retryConfig, connectTimeout, requestTimeout, closeTimeout,
                giveUpAfter, maxRetryInterval, maxOwedPaths, overflowPurge,
                outbox, outboxTable, createOutboxTable, outboxSweepInterval, outboxLease, shutdownHook,
                tagHeaders(), xkeyPurgeUrls, softPurge,
                fastlyServiceId == null || fastlyToken == null ? null
                        : new Settings.CdnApi(fastlyServiceId, fastlyToken, fastlyApiUrl),
                cloudflareZoneId == null || cloudflareToken == null ? null
                        : new Settings.CdnApi(cloudflareZoneId, cloudflareToken, cloudflareApiUrl),
                publicOrigin, maxTrackedPages, pageIndex, pageIndexTable, createPageIndexTable);
    }

    // ---- tracked renders

    void maxTrackedPages(int max) {
        this.maxTrackedPages = Checks.maxTrackedPages(max);
    }

    // ---- the page index shared by instances

    void pageIndex(DataSource dataSource) {
        this.pageIndex = Checks.pageIndex(dataSource);
    }

    void pageIndexTable(String table) {
        this.pageIndexTable = Checks.tableName(table, "pageIndexTable");
    }

    void createPageIndexTable(boolean create) {
        this.createPageIndexTable = create;
    }
}
