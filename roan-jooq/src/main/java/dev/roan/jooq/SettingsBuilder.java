package dev.roan.jooq;

import static dev.roan.jooq.Roan.DEFAULT_CLOSE_TIMEOUT;
import static dev.roan.jooq.Roan.DEFAULT_COALESCE_WINDOW;
import static dev.roan.jooq.Roan.DEFAULT_CONNECT_TIMEOUT;
import static dev.roan.jooq.Roan.DEFAULT_PURGE_METHOD;
import static dev.roan.jooq.Roan.DEFAULT_PURGE_URL;
import static dev.roan.jooq.Roan.DEFAULT_REQUEST_TIMEOUT;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.resilience4j.retry.RetryConfig;
import org.jspecify.annotations.Nullable;

/**
 * The setters of {@link Roan.Builder}, whose public name is the contract: they check each value with {@link Checks}
 * and {@link #build()} freezes them into {@link Settings}. Apart from {@code Roan.java} so that it stays a facade.
 */
abstract class SettingsBuilder {

    private List<String> purgeUrls = List.of(DEFAULT_PURGE_URL);
    private String purgeMethod = DEFAULT_PURGE_METHOD;
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private @Nullable Duration repurgeAfter;
    private Duration coalesceWindow = DEFAULT_COALESCE_WINDOW;
    private @Nullable TransactionBoundary transactionBoundary;
    private final List<PurgeListener> listeners = new ArrayList<>();
    private @Nullable RetryConfig retryConfig;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

    /**
     * Purges one cache node: each purge is {@code GET {purgeUrl}{path}}. A trailing slash is ignored.
     *
     * @param purgeUrl an absolute http or https URL, such as {@code "http://localhost/purge"}, without
     *                 credentials, query or fragment; its host must be one {@code java.net.URI} reads (no {@code _})
     * @return this builder
     */
    public Roan.Builder purgeUrl(String purgeUrl) {
        return purgeUrls(purgeUrl);
    }

    /**
     * Purges several cache nodes: every purge goes to each of them.
     *
     * @param purgeUrls absolute http or https URLs, at least one
     * @return this builder
     */
    public Roan.Builder purgeUrls(String... purgeUrls) {
        this.purgeUrls = Checks.purgeUrls(purgeUrls);
        return self();
    }

    /**
     * Sets the HTTP method of purges; default {@code GET}, as ngx_cache_purge's separate purge location
     * expects ({@code GET {purgeUrl}{path}}). Use {@code "PURGE"} for Varnish and for an nginx site that
     * routes the PURGE method to a purge location, where the purge URL is the site itself, such as
     * {@code http://cache:6081} (see the README: ngx_cache_purge 2.3's own "same location" form crashes
     * nginx). The name is sent in upper case ({@code "purge"} as {@code PURGE}): methods are case-sensitive,
     * and nginx answers 400 to a lower-case one.
     *
     * @param purgeMethod an HTTP method name, such as {@code "GET"} or {@code "PURGE"}
     * @return this builder
     */
    public Roan.Builder purgeMethod(String purgeMethod) {
        this.purgeMethod = Checks.purgeMethod(purgeMethod);
        return self();
    }

    /**
     * Adds a header to every purge request, such as an authentication token or a header a Varnish VCL
     * expects; setting a name again replaces its value. Values are never logged nor printed by
     * {@code toString()}, nor by the messages of this check.
     *
     * <p>Refused: values with a control character or a non-ASCII one (HTTP/1.1 values are ASCII; encode
     * others as the cache expects), and headers that break or vanish from requests ({@code Connection},
     * {@code Content-Length}, {@code Expect}, {@code Keep-Alive}, {@code Proxy-*}, {@code TE}, {@code Trailer},
     * {@code Transfer-Encoding}, {@code Upgrade}). {@code Host} is sent only when the JVM runs with
     * {@code -Djdk.httpclient.allowRestrictedHeaders=host}; without it, key the cache's purge location on the
     * public host instead (see the README, "Several cache nodes").
     *
     * @param name  the header name, a token such as {@code "Authorization"}
     * @param value the value, printable ASCII
     * @return this builder
     * @throws IllegalArgumentException if the header is refused, with a message that names it, never its value
     */
    public Roan.Builder header(String name, String value) {
        Checks.header(name, value);
        headers.put(name, value);
        return self();
    }

    /**
     * Sends every purge once more, {@code delay} after it was delivered (coalesced like any purge).
     * This removes a page that a slow read put back into the cache between the commit and the purge:
     * a read that began before the commit may finish after the purge and store the old page again.
     * Choose a delay longer than the slowest page render. Off by default, so that one commit means
     * one purge per path.
     *
     * @param delay a positive duration, such as {@code Duration.ofSeconds(2)}
     * @return this builder
     */
    public Roan.Builder repurgeAfter(Duration delay) {
        this.repurgeAfter = Checks.positive(delay, "repurgeAfter");
        return self();
    }

    /**
     * Sets the coalescing window; default {@link Roan#DEFAULT_COALESCE_WINDOW}. A path written while its purge
     * is on the wire owes one more purge; it is sent once that purge has completed and at least {@code window}
     * after it was sent, and every write in the meantime joins it. A path written over and over, faster than its
     * purges complete, is then purged about once per window, whatever the commit rate, and its last purge still
     * starts after its last commit. A write to a path with no purge on the wire is purged at once: sparse writes
     * never wait. {@link Roan#flush} waits for held purges too, so keep the window short: it is how stale a page
     * written over and over may be. {@code Duration.ZERO} sends the purge owed as soon as the one on the wire
     * completes. Closing Roan sends held purges at once.
     *
     * @param window zero or a positive duration, such as {@code Duration.ofMillis(10)}
     * @return this builder
     */
    public Roan.Builder coalesceWindow(Duration window) {
        this.coalesceWindow = Checks.coalesceWindow(window);
        return self();
    }

    /**
     * Lets Roan purge after the commit of transactions jOOQ does not manage, such as Spring's: see
     * {@link TransactionBoundary}. Without one, a write on a connection with auto-commit off outside any
     * {@code dsl.transaction(...)} is purged right after the statement, with one warning in the log.
     *
     * @param transactionBoundary the boundary, such as the Spring module's
     * @return this builder
     */
    public Roan.Builder transactionBoundary(TransactionBoundary transactionBoundary) {
        if (transactionBoundary == null) {
            throw new IllegalArgumentException("transactionBoundary is null: omit the call to use none");
        }
        this.transactionBoundary = transactionBoundary;
        return self();
    }

    /**
     * Adds a listener told of every purge's outcome: delivered, retried, given up (for metrics, health
     * checks, tests). Listeners are called in the order added, on Roan's delivery threads.
     *
     * @param listener the listener
     * @return this builder
     */
    public Roan.Builder listener(PurgeListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null: omit the call to add none");
        }
        listeners.add(listener);
        return self();
    }

    /**
     * Sets how purges are retried: attempts and waits come from this configuration (Resilience4j
     * {@code RetryConfig}); what is retried is Roan's rule (5xx, 429, I/O errors, timeouts), so
     * predicates set on it are replaced. Default: {@link Roan#defaultRetryConfig()}; other numbers of the same
     * shape: {@link Roan#retryConfig(int, Duration)}.
     *
     * @param retryConfig the retry configuration
     * @return this builder
     */
    public Roan.Builder retryConfig(RetryConfig retryConfig) {
        if (retryConfig == null) {
            throw new IllegalArgumentException("retryConfig is null: omit the call to keep the default retries");
        }
        this.retryConfig = retryConfig;
        return self();
    }

    /**
     * Sets how long connecting to a cache node may take; default {@link Roan#DEFAULT_CONNECT_TIMEOUT}.
     *
     * @param connectTimeout a positive duration
     * @return this builder
     */
    public Roan.Builder connectTimeout(Duration connectTimeout) {
        this.connectTimeout = Checks.positive(connectTimeout, "connectTimeout");
        return self();
    }

    /**
     * Sets how long one purge request may take before it counts as failed and is retried; default
     * {@link Roan#DEFAULT_REQUEST_TIMEOUT}.
     *
     * @param requestTimeout a positive duration
     * @return this builder
     */
    public Roan.Builder requestTimeout(Duration requestTimeout) {
        this.requestTimeout = Checks.positive(requestTimeout, "requestTimeout");
        return self();
    }

    /**
     * Sets how long {@link Roan#close()} waits for pending purges; default {@link Roan#DEFAULT_CLOSE_TIMEOUT}.
     *
     * @param closeTimeout zero or a positive duration
     * @return this builder
     */
    public Roan.Builder closeTimeout(Duration closeTimeout) {
        this.closeTimeout = Checks.positiveOrZero(closeTimeout, "closeTimeout");
        return self();
    }

    /**
     * Builds the Roan. Its delivery threads are daemon threads, started on first use; the JDK's
     * {@code HttpClient} keeps one selector thread of its own until it is garbage collected.
     *
     * @return a new Roan
     */
    public Roan build() {
        return new Roan(settings());
    }

    private Roan.Builder self() {
        return (Roan.Builder) this;
    }

    private Settings settings() {
        return new Settings(purgeUrls, purgeMethod, Checks.entries(headers), repurgeAfter, coalesceWindow,
                transactionBoundary, listeners, retryConfig, connectTimeout, requestTimeout, closeTimeout);
    }

    @Override
    public String toString() {
        return "Roan.Builder[" + settings() + "]";
    }
}
