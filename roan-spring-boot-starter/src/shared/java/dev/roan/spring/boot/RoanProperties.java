package dev.roan.spring.boot;

import dev.roan.jooq.CacheTagHeader;
import dev.roan.jooq.Roan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code roan.*} properties the auto-configured {@link dev.roan.jooq.Roan} is built from; defaults are those of
 * {@link dev.roan.jooq.Roan.Builder}. Values are checked when the {@code Roan} bean is built, and a wrong one fails
 * startup naming the property.
 *
 * <p>The defaults are written as literals, not as {@code Roan.DEFAULT_*}: Boot's configuration processor puts only
 * literals into the metadata IDEs show. A test holds them equal to Roan's.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("roan")
public class RoanProperties {

    /** Whether to auto-configure Roan and attach it to Spring Boot's jOOQ configuration. */
    private boolean enabled = true;

    /**
     * Purge URL of the cache, or a comma-separated list of them: every purge goes to each. Absolute http or https
     * URLs; a purge of the page path /posts is sent to {purge-url}/posts.
     */
    private List<String> purgeUrl = new ArrayList<>(List.of("http://localhost/purge"));

    /** HTTP method of purges: GET for an ngx_cache_purge location, PURGE for Varnish; sent in upper case. */
    private String purgeMethod = "GET";

    /** Headers sent with every purge, such as an authentication token; values are never logged. */
    private Map<String, String> headers = new LinkedHashMap<>();

    /**
     * Delay after which every purge is sent once more, to remove a page that a slow read put back into the cache
     * between the commit and the purge. Off unless set.
     */
    private @Nullable Duration repurgeAfter;

    /**
     * Coalescing window: a page path written while its purge is on the wire is purged once more when that purge
     * completes, but no sooner than this long after it was sent, and writes in the meantime share that purge. A path
     * written after a pause is purged at once. 0 sends the next purge as soon as the one before completes.
     */
    private Duration coalesceWindow = Duration.ofMillis(10);

    /** How long connecting to a cache node may take. */
    private Duration connectTimeout = Duration.ofSeconds(2);

    /** How long one purge request may take before it counts as failed and is retried. */
    private Duration requestTimeout = Duration.ofSeconds(5);

    /** How long closing Roan, at shutdown, waits for pending purges. */
    private Duration closeTimeout = Duration.ofSeconds(10);

    /** How failed purges are retried. */
    private final Retry retry = new Retry();

    /**
     * How long a cache node may owe a purge before it is dropped there (an ERROR line and the roan.purges.dropped
     * counter). Off unless set: a purge stays owed until the node takes it.
     */
    private @Nullable Duration giveUpAfter;

    /** The longest wait between two probes of a cache node that is down: at most this long after it is back, it drains. */
    private Duration maxRetryInterval = Duration.ofSeconds(30);

    /** How many distinct page paths each cache node may owe in memory; beyond it, the overflow purge or a drop. */
    private int maxOwedPaths = 100_000;

    /** Paths purged instead of those beyond max-owed-paths, such as /; unless set, those are dropped and counted. */
    private List<String> onOverflowPurge = new ArrayList<>();

    /**
     * Whether a JVM that exits without closing Roan first delivers what it owes, for up to close-timeout. Spring closes
     * Roan with the context; the hook covers a context that is never closed.
     */
    private boolean shutdownHook = true;
    /** Durable mode: owed purges kept in an outbox table of the application's database. */
    private final Outbox outbox = new Outbox();
    /** Read-your-writes: a response to a POST, PUT, PATCH or DELETE waits, bounded, for the purges of its writes. */
    private final ReadYourWrites readYourWrites = new ReadYourWrites();
    /** Automatic dependencies: GET and HEAD requests rendered inside Roan's track, purged by what they read. */
    private final Track track = new Track();
    /** The page index of tracked pages shared by the application's instances through a table of its database. */
    private final PageIndex pageIndex = new PageIndex();
    /**
     * Varnish nodes with varnish-modules' xkey, such as http://cache:6081: a tracked page's dependencies are purged
     * with PURGE {url}/ and an xkey-purge header, a rule's page path with PURGE {url}{path}. In addition to
     * purge-url when that is set; with purge-url unset or empty, these are the only nodes.
     */
    private List<String> xkeyPurgeUrl = new ArrayList<>();
    /** Whether purges by tag mark pages stale rather than remove them, where the cache can (xkey, Fastly). */
    private boolean softPurge = false;
    /**
     * The tag headers tracked pages carry; unless set, those of the caches purged by tag (xkey, Surrogate-Key,
     * Cache-Tag). Set it for a cache Roan does not purge itself, such as akamai-edge-cache-tag.
     */
    private List<CacheTagHeader> tagHeader = new ArrayList<>();
    /** The site's public origin, such as https://www.example.com: a CDN's purge of a page path names the full URL. */
    private @Nullable String publicOrigin;
    /** A Fastly service purged through Fastly's API. */
    private final Cdn fastly = new Cdn("https://api.fastly.com");
    /** A Cloudflare zone purged through Cloudflare's API. */
    private final Cdn cloudflare = new Cdn("https://api.cloudflare.com");

    /** Creates the properties with their defaults. */
    public RoanProperties() {
    }

    /** @return whether Roan is auto-configured */
    public boolean isEnabled() {
        return enabled;
    }

    /** @param enabled whether Roan is auto-configured */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** @return the purge URLs */
    public List<String> getPurgeUrl() {
        return purgeUrl;
    }

    /** @param purgeUrl the purge URLs */
    public void setPurgeUrl(List<String> purgeUrl) {
        this.purgeUrl = purgeUrl;
    }

    /** @return the HTTP method of purges */
    public String getPurgeMethod() {
        return purgeMethod;
    }

    /** @param purgeMethod the HTTP method of purges */
    public void setPurgeMethod(String purgeMethod) {
        this.purgeMethod = purgeMethod;
    }

    /** @return the headers of every purge */
    public Map<String, String> getHeaders() {
        return headers;
    }

    /** @param headers the headers of every purge */
    public void setHeaders(Map<String, String> headers) {
        this.headers = headers;
    }

    /** @return the re-purge delay, null when off */
    public @Nullable Duration getRepurgeAfter() {
        return repurgeAfter;
    }

    /** @param repurgeAfter the re-purge delay, null for off */
    public void setRepurgeAfter(@Nullable Duration repurgeAfter) {
        this.repurgeAfter = repurgeAfter;
    }

    /** @return the coalescing window */
    public Duration getCoalesceWindow() {
        return coalesceWindow;
    }

    /** @param coalesceWindow the coalescing window, 0 for none */
    public void setCoalesceWindow(Duration coalesceWindow) {
        this.coalesceWindow = coalesceWindow;
    }

    /** @return the connect timeout */
    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    /** @param connectTimeout the connect timeout */
    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** @return the request timeout */
    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    /** @param requestTimeout the request timeout */
    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    /** @return how long closing waits for pending purges */
    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    /** @param closeTimeout how long closing waits for pending purges */
    public void setCloseTimeout(Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }

    /** @return the retry settings */
    public Retry getRetry() {
        return retry;
    }

    /** @return the durable-mode settings */
    public Outbox getOutbox() {
        return outbox;
    }

    /**
     * The header names, as far as they are names: a key typed as "Authorization: Bearer ..." may hold a value, so
     * it is shown up to its first character that no header name may hold.
     */
    /** @return how long a node may owe a purge before it is dropped, or null to keep it until delivered */
    public @Nullable Duration getGiveUpAfter() {
        return giveUpAfter;
    }

    /** @param giveUpAfter how long a node may owe a purge before it is dropped, or null to keep it until delivered */
    public void setGiveUpAfter(@Nullable Duration giveUpAfter) {
        this.giveUpAfter = giveUpAfter;
    }

    /** @return the longest wait between two probes of a node that is down */
    public Duration getMaxRetryInterval() {
        return maxRetryInterval;
    }

    /** @param maxRetryInterval the longest wait between two probes of a node that is down */
    public void setMaxRetryInterval(Duration maxRetryInterval) {
        this.maxRetryInterval = maxRetryInterval;
    }

    /** @return how many distinct paths each node may owe in memory */
    public int getMaxOwedPaths() {
        return maxOwedPaths;
    }

    /** @param maxOwedPaths how many distinct paths each node may owe in memory */
    public void setMaxOwedPaths(int maxOwedPaths) {
        this.maxOwedPaths = maxOwedPaths;
    }

    /** @return the paths purged instead of those beyond the cap, empty for none */
    public List<String> getOnOverflowPurge() {
        return onOverflowPurge;
    }

    /** @param onOverflowPurge the paths purged instead of those beyond the cap, empty for none */
    public void setOnOverflowPurge(List<String> onOverflowPurge) {
        this.onOverflowPurge = onOverflowPurge;
    }

    /** @return the read-your-writes settings */
    public ReadYourWrites getReadYourWrites() {
        return readYourWrites;
    }

    /** @return the automatic-dependency settings */
    public Track getTrack() {
        return track;
    }

    /** @return the shared page index's settings */
    public PageIndex getPageIndex() {
        return pageIndex;
    }

    /** @return the Varnish xkey nodes' URLs */
    public List<String> getXkeyPurgeUrl() {
        return xkeyPurgeUrl;
    }

    /** @param xkeyPurgeUrl the Varnish xkey nodes' URLs */
    public void setXkeyPurgeUrl(List<String> xkeyPurgeUrl) {
        this.xkeyPurgeUrl = xkeyPurgeUrl;
    }

    /** @return whether purges by tag are soft */
    public boolean isSoftPurge() {
        return softPurge;
    }

    /** @param softPurge whether purges by tag are soft */
    public void setSoftPurge(boolean softPurge) {
        this.softPurge = softPurge;
    }

    /** @return the tag headers tracked pages carry, empty for those of the caches purged by tag */
    public List<CacheTagHeader> getTagHeader() {
        return tagHeader;
    }

    /** @param tagHeader the tag headers tracked pages carry */
    public void setTagHeader(List<CacheTagHeader> tagHeader) {
        this.tagHeader = tagHeader;
    }

    /** @return the site's public origin, or null */
    public @Nullable String getPublicOrigin() {
        return publicOrigin;
    }

    /** @param publicOrigin the site's public origin */
    public void setPublicOrigin(@Nullable String publicOrigin) {
        this.publicOrigin = publicOrigin;
    }

    /** @return the Fastly settings (the id is the service's) */
    public Cdn getFastly() {
        return fastly;
    }

    /** @return the Cloudflare settings (the id is the zone's) */
    public Cdn getCloudflare() {
        return cloudflare;
    }

    /** @return whether some cache is purged by tag */
    boolean purgesByTag() {
        return !xkeyPurgeUrl.isEmpty() || fastly.getId() != null || cloudflare.getId() != null;
    }

    /** @return whether Roan registers its shutdown hook */
    public boolean isShutdownHook() {
        return shutdownHook;
    }

    /** @param shutdownHook whether Roan registers its shutdown hook */
    public void setShutdownHook(boolean shutdownHook) {
        this.shutdownHook = shutdownHook;
    }

    private List<String> headerNames() {
        return headers.keySet().stream().map(name -> {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (!(c < 0x80 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0))) {
                    return name.substring(0, i) + "(hidden)";
                }
            }
            return name;
        }).toList();
    }

    @Override
    public String toString() {
        return "RoanProperties[enabled=" + enabled + ", purgeUrl=" + purgeUrl.stream().map(Roan::maskUrl).toList()
                + ", purgeMethod=" + purgeMethod + ", headers=" + headerNames() + " (values hidden)"
                + (repurgeAfter == null ? "" : ", repurgeAfter=" + repurgeAfter)
                + ", coalesceWindow=" + coalesceWindow
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", closeTimeout=" + closeTimeout + ", retry=" + retry
                + (giveUpAfter == null ? "" : ", giveUpAfter=" + giveUpAfter)
                + ", maxRetryInterval=" + maxRetryInterval + ", maxOwedPaths=" + maxOwedPaths
                + (onOverflowPurge.isEmpty() ? "" : ", onOverflowPurge=" + onOverflowPurge)
                + ", shutdownHook=" + shutdownHook + ", outbox=" + outbox + ", readYourWrites=" + readYourWrites
                + ", track=" + track + (pageIndex.isEnabled() ? ", pageIndex=" + pageIndex : "")
                + (xkeyPurgeUrl.isEmpty() ? "" : ", xkeyPurgeUrl=" + xkeyPurgeUrl.stream().map(Roan::maskUrl).toList())
                + (softPurge ? ", softPurge" : "") + (tagHeader.isEmpty() ? "" : ", tagHeader=" + tagHeader)
                + (publicOrigin == null ? "" : ", publicOrigin=" + publicOrigin)
                + (fastly.getId() == null ? "" : ", fastly=" + fastly)
                + (cloudflare.getId() == null ? "" : ", cloudflare=" + cloudflare) + "]";
    }

    /**
     * Retries of failed purges (5xx, 429, I/O errors, timeouts): exponential backoff with jitter, as Roan's default.
     *
     * @since 0.1.0
     */
    public static class Retry {

        /** Attempts per purge and cache node, the first included. */
        private int maxAttempts = 6;

        /** First wait between attempts; it doubles (with 50% jitter) up to 10 seconds. */
        private Duration initialBackoff = Duration.ofMillis(200);

        /** Creates the retry settings with their defaults. */
        public Retry() {
        }

        /** @return attempts per purge and node */
        public int getMaxAttempts() {
            return maxAttempts;
        }

        /** @param maxAttempts attempts per purge and node, at least 1 */
        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        /** @return the first wait between attempts */
        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        /** @param initialBackoff the first wait between attempts */
        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        @Override
        public String toString() {
            return "Retry[maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + "]";
        }
    }

    /**
     * Durable mode: the purges a transaction owes are written to an outbox table in the same transaction, through
     * Spring Boot's {@code DataSource}, and deleted once every cache node has confirmed them; any instance delivers
     * the rows a stopped or crashed one left.
     *
     * @since 0.1.0
     */
    public static class Outbox {

        /** Whether to keep owed purges in the outbox table (durable mode) instead of in memory only. */
        private boolean enabled = false;

        /** Name of the outbox table, optionally schema-qualified; letters, digits and underscores. */
        private String table = "roan_outbox";

        /** Whether to create the outbox table when it is missing; false when a migration (Flyway) creates it. */
        private boolean createTable = true;

        /** How often each instance looks in the outbox table for rows no running instance is delivering. */
        private Duration sweepInterval = Duration.ofSeconds(15);

        /**
         * How long a row stays with the instance that wrote or claimed it before another instance may deliver it:
         * with the sweep interval, the longest a crashed instance's purges wait. At least 1 second.
         */
        private Duration lease = Duration.ofSeconds(30);

        /** Creates the durable-mode settings with their defaults. */
        public Outbox() {
        }

        /** @return whether durable mode is on */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether durable mode is on */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the outbox table's name */
        public String getTable() {
            return table;
        }

        /** @param table the outbox table's name */
        public void setTable(String table) {
            this.table = table;
        }

        /** @return whether a missing outbox table is created */
        public boolean isCreateTable() {
            return createTable;
        }

        /** @param createTable whether a missing outbox table is created */
        public void setCreateTable(boolean createTable) {
            this.createTable = createTable;
        }

        /** @return how often the outbox table is swept */
        public Duration getSweepInterval() {
            return sweepInterval;
        }

        /** @param sweepInterval how often the outbox table is swept */
        public void setSweepInterval(Duration sweepInterval) {
            this.sweepInterval = sweepInterval;
        }

        /** @return how long a row stays with the instance that holds it */
        public Duration getLease() {
            return lease;
        }

        /** @param lease how long a row stays with the instance that holds it */
        public void setLease(Duration lease) {
            this.lease = lease;
        }

        @Override
        public String toString() {
            return enabled ? "Outbox[table=" + table + ", createTable=" + createTable + ", sweepInterval="
                    + sweepInterval + ", lease=" + lease + "]" : "off";
        }
    }

    /**
     * Read-your-writes for the redirect after a form post (post/redirect/get): in a Spring MVC application, the
     * response to a POST, PUT, PATCH or DELETE waits until the purges of the writes its request committed have been
     * delivered, at most {@code timeout}, so that the page the browser fetches next is not the cached old one. A
     * request whose purges take longer is answered anyway, when the timeout ends.
     *
     * @since 0.1.0
     */
    public static class ReadYourWrites {

        /** Whether responses to POST, PUT, PATCH and DELETE requests wait for the purges of their own writes. */
        private boolean enabled = false;

        /**
         * The longest such a response waits for its purges; then it is answered anyway (logged once at INFO). From 0
         * to 30 seconds. A cache node that is up answers in milliseconds; 2 seconds also covers a purge retried
         * twice, while a node that is down delays each such response by no more than this.
         */
        private Duration timeout = Duration.ofSeconds(2);

        /** Creates the read-your-writes settings with their defaults. */
        public ReadYourWrites() {
        }

        /** @return whether responses to unsafe requests wait for their purges */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether responses to unsafe requests wait for their purges */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the longest wait of one response */
        public Duration getTimeout() {
            return timeout;
        }

        /** @param timeout the longest wait of one response, from 0 to 30 seconds */
        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        @Override
        public String toString() {
            return enabled ? "ReadYourWrites[timeout=" + timeout + "]" : "off";
        }
    }

    /**
     * Automatic dependencies in a servlet application: every GET and HEAD request is rendered inside
     * {@code Roan.track(url, render)}, which learns from the page's SELECTs what it depends on, and a committed write
     * that could change those rows purges the page. No rule is needed for such pages; rules still apply beside them.
     *
     * @since 0.1.0
     */
    public static class Track {

        /**
         * Whether GET and HEAD requests are rendered inside Roan's track: each page's body is buffered until its
         * render ends, so that a cache's tag header can be added to it.
         */
        private boolean enabled = false;

        /**
         * Path prefixes the filter leaves alone, such as /actuator or /downloads: responses a cache does not keep, or
         * too large to buffer in memory. Matched against the path without the context path; /a matches /a and /a/b,
         * not /ab.
         */
        private List<String> exclude = new ArrayList<>();

        /**
         * How many pages the in-memory page index knows (caches without tags, such as nginx): one page more makes
         * Roan forget and purge the page rendered longest ago, so that no write misses it. About 500 bytes a page.
         */
        private int maxPages = 100_000;

        /** Creates the automatic-dependency settings with their defaults. */
        public Track() {
        }

        /** @return how many pages the in-memory page index knows */
        public int getMaxPages() {
            return maxPages;
        }

        /** @param maxPages how many pages the in-memory page index knows, at least 1 */
        public void setMaxPages(int maxPages) {
            this.maxPages = maxPages;
        }

        /** @return the path prefixes left untracked */
        public List<String> getExclude() {
            return exclude;
        }

        /** @param exclude the path prefixes left untracked */
        public void setExclude(List<String> exclude) {
            this.exclude = exclude;
        }

        /** @return whether GET and HEAD requests are tracked */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether GET and HEAD requests are tracked */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        @Override
        public String toString() {
            return enabled ? "Track[enabled, maxPages=" + maxPages + (exclude.isEmpty() ? "" : ", exclude=" + exclude)
                    + "]" : "off";
        }
    }

    /**
     * The page index of tracked pages ({@code roan.track}) shared by the instances of an application through a table
     * of its database, on Spring Boot's {@code DataSource}: for caches without tags (nginx) behind several instances,
     * where a page rendered on one instance must be purged by a write committed on another. Off, each instance keeps
     * its index in memory. Caches with tags (xkey, Fastly, Cloudflare) need no index.
     *
     * @since 0.1.0
     */
    public static class PageIndex {

        /**
         * Whether the page index is shared through a table of the application's database (PostgreSQL, MariaDB,
         * MySQL or H2) instead of kept in each instance's memory. A page's keys are written after its render on a
         * connection of its own: size the pool for one connection more.
         */
        private boolean enabled = false;

        /** Name of the page index table, optionally schema-qualified; letters, digits and underscores. */
        private String table = "roan_page_index";

        /** Whether to create the page index table when it is missing; false when a migration (Flyway) creates it. */
        private boolean createTable = true;

        /** Creates the shared page index's settings with their defaults. */
        public PageIndex() {
        }

        /** @return whether the page index is shared through the database */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether the page index is shared through the database */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the page index table's name */
        public String getTable() {
            return table;
        }

        /** @param table the page index table's name */
        public void setTable(String table) {
            this.table = table;
        }

        /** @return whether a missing page index table is created */
        public boolean isCreateTable() {
            return createTable;
        }

        /** @param createTable whether a missing page index table is created */
        public void setCreateTable(boolean createTable) {
            this.createTable = createTable;
        }

        @Override
        public String toString() {
            return enabled ? "PageIndex[table=" + table + ", createTable=" + createTable + "]" : "off";
        }
    }

    /**
     * A CDN purged through its API: the service's (Fastly) or zone's (Cloudflare) id, an API token, and the API's
     * base URL. The token is never shown.
     *
     * @since 0.1.0
     */
    public static class Cdn {

        /** The Fastly service's or Cloudflare zone's id; unset, this CDN is not purged. */
        private @Nullable String id;

        /** The API token (Fastly: purge_select scope; Cloudflare: Cache Purge permission), never logged. */
        private @Nullable String apiToken;

        /** The API's base URL; a local endpoint or a proxy for tests. */
        private String apiUrl;

        Cdn(String apiUrl) {
            this.apiUrl = apiUrl;
        }

        /** @return the service's or zone's id, or null */
        public @Nullable String getId() {
            return id;
        }

        /** @param id the service's or zone's id */
        public void setId(@Nullable String id) {
            this.id = id;
        }

        /** @return the API token, or null */
        public @Nullable String getApiToken() {
            return apiToken;
        }

        /** @param apiToken the API token */
        public void setApiToken(@Nullable String apiToken) {
            this.apiToken = apiToken;
        }

        /** @return the API's base URL */
        public String getApiUrl() {
            return apiUrl;
        }

        /** @param apiUrl the API's base URL */
        public void setApiUrl(String apiUrl) {
            this.apiUrl = apiUrl;
        }

        @Override
        public String toString() {
            return "Cdn[id=" + id + ", apiToken=" + (apiToken == null ? "unset" : "(hidden)") + ", apiUrl=" + apiUrl
                    + "]";
        }
    }
}
