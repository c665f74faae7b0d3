package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import org.jooq.Configuration;
import org.jooq.ExecuteListenerProvider;
import org.jooq.Query;
import org.jooq.RecordListenerProvider;
import org.jooq.SQLDialect;
import org.jooq.TransactionListenerProvider;
import org.jooq.TransactionProvider;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.jooq.impl.DefaultRecordListenerProvider;
import org.jooq.impl.DefaultTransactionListenerProvider;
import org.jooq.impl.ThreadLocalTransactionProvider;
import org.jspecify.annotations.Nullable;

/**
 * Purges cached pages after the jOOQ writes that change them commit.
 *
 * <pre>{@code
 * Roan roan = Roan.builder().purgeUrl("http://localhost/purge").build();
 * roan.purge("/posts").onWrite(POST);              // POST is a jOOQ generated table
 * DSLContext dsl = DSL.using(roan.attach(configuration));
 *
 * dsl.insertInto(POST).set(POST.TITLE, "Hello").execute();   // then: GET http://localhost/purge/posts
 * }</pre>
 *
 * <p>Every statement executed through an attached configuration that writes a table of a rule owes a
 * purge of the rule's path. Outside a transaction it is sent right after the statement; inside
 * {@code dsl.transaction(...)} it is held until the outermost transaction commits and dropped if it
 * rolls back. Purges are sent to every cache node in the background, coalesced and retried: the
 * writer's thread never waits for the network and never sees an exception of Roan's. A path written
 * again while its purge is on the wire is purged once more afterwards, at most once per
 * {@linkplain Builder#coalesceWindow(Duration) coalescing window}, so a burst of commits costs a few
 * purges and the last one still follows the last commit.
 *
 * <p>One {@code Roan} serves any number of configurations and threads. Close it when the application
 * stops, after the last write, so that pending purges are delivered.
 *
 * @since 0.1.0
 */
public final class Roan implements AutoCloseable {

    /** The HTTP method of purges unless {@link Builder#purgeMethod(String)} sets another. */
    public static final String DEFAULT_PURGE_METHOD = "GET";
    /** The purge URL of {@link #create()} when neither the property nor the environment names one. */
    public static final String DEFAULT_PURGE_URL = "http://localhost/purge";
    /** The system property {@link #create()} reads the purge URL (or a comma-separated list) from. */
    public static final String PURGE_URL_PROPERTY = "roan.purge-url";
    /** The environment variable {@link #create()} reads the purge URL from when the property is unset. */
    public static final String PURGE_URL_ENV = "ROAN_PURGE_URL";
    /** How long connecting to a cache node may take, by default. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long one purge request may take, by default, before it counts as failed (and is retried). */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** The least time between two purges of a path on a node while it is being written, by default. */
    public static final Duration DEFAULT_COALESCE_WINDOW = Duration.ofMillis(10);
    /** How long {@link #close()} waits for pending purges, by default. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** Attempts per purge and node in the default retry configuration. */
    public static final int DEFAULT_MAX_ATTEMPTS = 6;
    /** First wait between attempts in the default retry configuration; it doubles, with jitter. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);

    private static final System.Logger LOG = System.getLogger(Roan.class.getName());
    private static final int DELIVERY_THREADS = 2;

    private final List<String> purgeUrls;
    private final List<CacheNode> nodes;
    private final @Nullable Duration repurgeAfter;
    private final Duration coalesceWindow;
    private final String purgeMethod;
    private final Duration closeTimeout;
    private final Rules rules = new Rules();
    private final Dispatcher dispatcher;
    private final TransactionScopes scopes;
    private final WriteDetector detector;
    private final RecordWrites recordWrites = new RecordWrites(rules);
    private final RoanExecuteListener listener;
    private final ExecuteListenerProvider listenerProvider;
    private final RecordListenerProvider recordListenerProvider;
    private final TransactionListenerProvider transactionListenerProvider;
    private final ExecutorService executor;
    private final ScheduledThreadPoolExecutor scheduler;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Roan(Builder builder) {
        this.purgeUrls = List.copyOf(builder.purgeUrls);
        this.closeTimeout = builder.closeTimeout;
        // Two threads start purges and complete the HttpClient's futures; none of that blocks, and more threads
        // only compete with the application for the cores (see BENCHMARKS.md). Idle, they go away.
        ThreadPoolExecutor delivery = new ThreadPoolExecutor(DELIVERY_THREADS, DELIVERY_THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("roan-purge-"));
        delivery.allowCoreThreadTimeOut(true);
        this.executor = delivery;
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads("roan-retry-"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(builder.connectTimeout)
                .executor(executor)
                .build();
        RetryConfig retryConfig = CacheNode.withRoanPredicates(
                builder.retryConfig != null ? builder.retryConfig : defaultRetryConfig());
        List<CacheNode> list = new ArrayList<>();
        Listeners listeners = new Listeners(builder.listeners);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        builder.headers.forEach((name, value) -> headers.add(Map.entry(name, value)));
        for (String url : purgeUrls) {
            list.add(new CacheNode(url, client, builder.purgeMethod, headers, builder.requestTimeout, retryConfig,
                    scheduler, listeners));
        }
        this.nodes = List.copyOf(list);
        this.repurgeAfter = builder.repurgeAfter;
        this.coalesceWindow = builder.coalesceWindow;
        this.purgeMethod = builder.purgeMethod;
        this.dispatcher = new Dispatcher(nodes, executor, scheduler, builder.repurgeAfter, builder.coalesceWindow);
        this.scopes = new TransactionScopes(dispatcher, builder.transactionBoundary);
        this.detector = new WriteDetector(rules);
        this.recordListenerProvider = new DefaultRecordListenerProvider(recordWrites);
        this.listener = new RoanExecuteListener(detector, recordWrites, recordListenerProvider, scopes, dispatcher);
        this.listenerProvider = new DefaultExecuteListenerProvider(listener);
        this.transactionListenerProvider = new DefaultTransactionListenerProvider(new TransactionScopes.Listener(scopes));
    }

    /**
     * Returns a builder; {@link Builder#build()} gives a {@code Roan} purging {@link #DEFAULT_PURGE_URL}
     * unless a purge URL is set.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates a {@code Roan} with default settings, purging the URL given by the system property
     * {@value #PURGE_URL_PROPERTY}, else the environment variable {@value #PURGE_URL_ENV}, else
     * {@value #DEFAULT_PURGE_URL}. The value may list several URLs separated by commas.
     *
     * @return a new Roan
     * @throws IllegalArgumentException if the configured URL is not an absolute http or https URL
     */
    public static Roan create() {
        String configured = System.getProperty(PURGE_URL_PROPERTY);
        String source = "system property " + PURGE_URL_PROPERTY;
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(PURGE_URL_ENV);
            source = "environment variable " + PURGE_URL_ENV;
        }
        if (configured == null || configured.isBlank()) {
            return builder().build();
        }
        String[] urls = Arrays.stream(configured.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toArray(String[]::new);
        try {
            return builder().purgeUrls(urls).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * Returns the rule for a page path, creating it on first use; add tables to it with its
     * {@code on...} methods.
     *
     * @param path the page path as readers request it, starting with {@code /}, such as {@code "/posts"};
     *             characters that a URI does not allow (spaces, non-ASCII) are percent-encoded
     * @return the rule for this path, the same one for the same path
     * @throws IllegalArgumentException if the path does not start with {@code /}, holds a control
     *                                  character, {@code #}, a lone surrogate, a dot segment ({@code /a/../b})
     *                                  or leading or trailing whitespace, or makes a purge request longer
     *                                  than a cache accepts (8,000 characters with the purge URL's path)
     */
    public PurgeRule purge(String path) {
        // Everything is checked before the rule is registered, so a refused path leaves no rule behind.
        PathTemplate template = PathTemplate.parse(path);
        String sample = template.sample();
        int prefix = 0;
        for (CacheNode node : nodes) {
            int target;
            try {
                target = PurgePaths.requestTarget(node.uri(sample));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("path \"" + PurgePaths.printable(path) + "\" does not form a valid"
                        + " URL with purge URL " + node + ": " + PurgePaths.printable(String.valueOf(e.getMessage())), e);
            }
            prefix = Math.max(prefix, target - sample.length());
        }
        PurgePaths.checkLength(prefix + sample.length(), path);
        return rules.rule(template, PurgePaths.MAX_REQUEST_TARGET - prefix);
    }

    /**
     * Returns a configuration derived from {@code configuration} with Roan's listener appended to the
     * execute listeners already present, and its transaction provider wrapped so that purges wait for the
     * commit. The argument itself is not changed.
     *
     * <p>Attach before creating the {@code DSLContext}: {@code DSL.using(roan.attach(configuration))}.
     * Attaching an already attached configuration adds nothing, except what the next paragraph says.
     *
     * <p>Register rules with placeholders ({@code /posts/{slug}}) before attaching: only then, or while no
     * rule is registered yet, does Roan also add a {@code RecordListener}, which reads the values of
     * {@code UpdatableRecord} writes. It is left out otherwise because jOOQ calls record listeners for every
     * record it loads, which would cost every read. A write to the table of a rule with placeholders through
     * a configuration without it is logged once; attaching that configuration again adds it.
     *
     * @param configuration the application's jOOQ configuration
     * @return the derived configuration
     * @throws IllegalArgumentException if {@code configuration} is null
     * @throws IllegalStateException    if this Roan is closed
     */
    public Configuration attach(Configuration configuration) {
        if (configuration == null) {
            throw new IllegalArgumentException("configuration is null: pass the jOOQ Configuration of your DSLContext,"
                    + " e.g. roan.attach(dsl.configuration())");
        }
        if (closed.get()) {
            throw new IllegalStateException("Roan is closed: attach a new Roan");
        }
        Configuration derived = configuration.derive();
        ExecuteListenerProvider[] listeners = configuration.executeListenerProviders();
        if (!Arrays.asList(listeners).contains(listenerProvider)) {
            ExecuteListenerProvider[] appended = Arrays.copyOf(listeners, listeners.length + 1);
            appended[listeners.length] = listenerProvider;
            derived.set(appended);
        }
        RecordListenerProvider[] recordListeners = configuration.recordListenerProviders();
        if (rules.needsRecords() && !Arrays.asList(recordListeners).contains(recordListenerProvider)) {
            RecordListenerProvider[] appended = Arrays.copyOf(recordListeners, recordListeners.length + 1);
            appended[recordListeners.length] = recordListenerProvider;
            derived.set(appended);
        }
        TransactionProvider transactions = configuration.transactionProvider();
        if (transactions instanceof ThreadLocalTransactionProvider) {
            // jOOQ checks for this type itself, so it cannot be wrapped: follow its events instead.
            TransactionListenerProvider[] txListeners = configuration.transactionListenerProviders();
            if (!Arrays.asList(txListeners).contains(transactionListenerProvider)) {
                TransactionListenerProvider[] appended = Arrays.copyOf(txListeners, txListeners.length + 1);
                appended[txListeners.length] = transactionListenerProvider;
                derived.set(appended);
            }
        } else if (!isOurs(transactions)) {
            // jOOQ hands out a new default provider on each call when none was set explicitly.
            boolean implicit = transactions != configuration.transactionProvider();
            derived.set(new TransactionScopes.Provider(implicit ? null : transactions, scopes));
        }
        return derived;
    }

    /**
     * Tells, without executing or sending anything, which paths the query would purge if it executed and
     * committed: for checking rules in your own tests.
     *
     * <pre>{@code
     * Explanation e = roan.explain(dsl.update(POST).set(POST.SLUG, "new").where(POST.SLUG.eq("old")));
     * assertThat(e.paths()).containsExactlyInAnyOrder("/posts", "/posts/old", "/posts/new");
     * }</pre>
     *
     * <p>Values come from the query itself (its literals and bind values); what only execution tells
     * (generated keys, RETURNING results, how many rows changed) is not known here, so a templated rule
     * that needs it shows up in {@link Explanation#rowsUnknown()}.
     *
     * @param query a query, typically built with a {@code DSLContext}; plain SQL is parsed
     * @return the paths it would purge and the templated rules whose rows it does not name
     * @throws IllegalArgumentException if {@code query} is null
     */
    public Explanation explain(Query query) {
        if (query == null) {
            throw new IllegalArgumentException("query is null: pass the jOOQ query to explain");
        }
        SQLDialect dialect = query.configuration() == null ? SQLDialect.DEFAULT : query.configuration().dialect();
        Purges purges = detector.purges(detector.written(query, dialect), null, RecordWrites.none());
        return new Explanation(purges.paths(), purges.unknownRows());
    }

    private boolean isOurs(TransactionProvider provider) {
        return provider instanceof TransactionScopes.Provider && ((TransactionScopes.Provider) provider).scopes == scopes;
    }

    /**
     * Waits until every purge owed for writes committed before this call has been delivered or given up.
     * With {@link Builder#repurgeAfter(Duration)}, that includes their re-purges, so it lasts at least
     * the re-purge delay when a write is that recent. A purge held for the
     * {@linkplain Builder#coalesceWindow(Duration) coalescing window} is waited for too.
     *
     * @param timeout how long to wait at most
     * @return true if all of them were delivered or given up in time, false on timeout or interrupt
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     */
    public boolean flush(Duration timeout) {
        requirePositiveOrZero(timeout, "timeout");
        return dispatcher.flush(timeout);
    }

    /**
     * Stops taking purges, delivers those pending (waiting at most the close timeout of the builder,
     * {@link #DEFAULT_CLOSE_TIMEOUT} by default) and releases Roan's threads. Purges held for the coalescing
     * window are sent at once. Writes after this call purge nothing and are logged once. Calling it again has
     * no effect.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        dispatcher.stopAccepting();
        boolean delivered = dispatcher.flush(closeTimeout);
        if (!delivered) {
            Map<String, List<String>> pending = dispatcher.pending();
            LOG.log(Level.WARNING, () -> "Roan closed after waiting " + closeTimeout.toMillis() + " ms with purges"
                    + " still pending, their pages may be stale: " + pending);
        }
        scheduler.shutdownNow();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(100, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns how many purges (per cache node and path) are waiting, in flight, or due for a re-purge: a gauge
     * for metrics; 0 when Roan is idle.
     *
     * @return the number of pending purges
     */
    public int pendingPurges() {
        return dispatcher.pendingCount();
    }

    /**
     * Returns the purge URLs, without trailing slash, in the order given to the builder.
     *
     * @return the purge URLs
     */
    public List<String> purgeUrls() {
        return purgeUrls;
    }

    @Override
    public String toString() {
        return "Roan[purgeUrls=" + purgeUrls + ", purgeMethod=" + purgeMethod + ", rules=" + rules
                + (repurgeAfter == null ? "" : ", repurgeAfter=" + repurgeAfter)
                + ", coalesceWindow=" + coalesceWindow
                + ", pending=" + dispatcher.pendingCount() + ", rowsUnknown=" + listener.unknownRowsCount()
                + (closed.get() ? ", closed" : "") + "]";
    }

    private static RetryConfig defaultRetryConfig() {
        return RetryConfig.custom()
                .maxAttempts(DEFAULT_MAX_ATTEMPTS)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(
                        DEFAULT_INITIAL_BACKOFF, 2.0, 0.5, Duration.ofSeconds(10)))
                .build();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static void requirePositiveOrZero(@Nullable Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive, was " + d);
        }
    }

    /**
     * Builds a {@link Roan}. Every setting has a default; {@link #build()} validates them.
     *
     * @since 0.1.0
     */
    public static final class Builder {

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

        private Builder() {}

        /**
         * Purges one cache node: each purge is {@code GET {purgeUrl}{path}}. A trailing slash is ignored.
         *
         * @param purgeUrl an absolute http or https URL, such as {@code "http://localhost/purge"}
         * @return this builder
         */
        public Builder purgeUrl(String purgeUrl) {
            return purgeUrls(purgeUrl);
        }

        /**
         * Purges several cache nodes: every purge goes to each of them.
         *
         * @param purgeUrls absolute http or https URLs, at least one
         * @return this builder
         */
        public Builder purgeUrls(String... purgeUrls) {
            if (purgeUrls == null || purgeUrls.length == 0) {
                throw new IllegalArgumentException("purgeUrls needs at least one URL, such as \"http://localhost/purge\"");
            }
            List<String> urls = new ArrayList<>();
            for (String url : purgeUrls) {
                String normalized = normalizePurgeUrl(url);
                if (!urls.contains(normalized)) {
                    urls.add(normalized);
                }
            }
            this.purgeUrls = urls;
            return this;
        }

        /**
         * Sets the HTTP method of purges; default {@code GET}, as ngx_cache_purge's separate purge location
         * expects ({@code GET {purgeUrl}{path}}). Use {@code "PURGE"} for Varnish and for an nginx site that
         * routes the PURGE method to a purge location, where the purge URL is the site itself, such as
         * {@code http://cache:6081} (see the README: ngx_cache_purge 2.3's own "same location" form crashes
         * nginx).
         *
         * @param purgeMethod an HTTP method name, such as {@code "GET"} or {@code "PURGE"}
         * @return this builder
         */
        public Builder purgeMethod(String purgeMethod) {
            if (purgeMethod == null || purgeMethod.isEmpty() || !isToken(purgeMethod)) {
                throw new IllegalArgumentException("purgeMethod must be an HTTP method name such as \"GET\" or"
                        + " \"PURGE\", was " + (purgeMethod == null ? "null" : "\"" + PurgePaths.printable(purgeMethod) + "\""));
            }
            if (purgeMethod.equalsIgnoreCase("CONNECT")) {
                throw new IllegalArgumentException("purgeMethod CONNECT cannot purge: use \"GET\" or \"PURGE\"");
            }
            this.purgeMethod = purgeMethod;
            return this;
        }

        /**
         * Adds a header to every purge request, such as an authentication token or a header a Varnish VCL
         * expects; setting a name again replaces its value. Values are never logged nor printed by
         * {@code toString()}.
         *
         * <p>The JDK's {@code HttpClient} refuses to send some headers ({@code Host}, {@code Connection},
         * {@code Content-Length}, {@code Expect}, {@code Upgrade}). {@code Host} is allowed when the JVM runs
         * with {@code -Djdk.httpclient.allowRestrictedHeaders=host}; without it, key the cache's purge
         * location on the public host instead (see the README, "Several cache nodes").
         *
         * @param name  the header name
         * @param value the value, without CR or LF
         * @return this builder
         * @throws IllegalArgumentException if the name is not a valid header name, the value holds a line
         *                                  break or control character, or the JDK refuses the header
         */
        public Builder header(String name, String value) {
            if (name == null || name.isEmpty() || !isToken(name)) {
                throw new IllegalArgumentException("header name must be a valid HTTP header name such as"
                        + " \"Authorization\", was " + (name == null ? "null" : "\"" + PurgePaths.printable(name) + "\""));
            }
            if (value == null) {
                throw new IllegalArgumentException("header " + name + " has a null value: give a value, or omit the header");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    // The value may be a secret: say where, never what.
                    throw new IllegalArgumentException("header " + name + " has a line break or control character at"
                            + " index " + i + " of its value: remove it");
                }
            }
            try {
                HttpRequest.newBuilder(URI.create("http://localhost/")).header(name, "x");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("header " + name + " cannot be sent by the JDK's HttpClient ("
                        + e.getMessage() + ")" + (name.equalsIgnoreCase("Host")
                                ? ": start the JVM with -Djdk.httpclient.allowRestrictedHeaders=host, or key the cache's"
                                        + " purge location on the public host name (see the README, \"Several cache nodes\")"
                                : ""), e);
            }
            headers.put(name, value);
            return this;
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
        public Builder repurgeAfter(Duration delay) {
            this.repurgeAfter = requirePositive(delay, "repurgeAfter");
            return this;
        }

        /**
         * Sets the coalescing window; default {@link Roan#DEFAULT_COALESCE_WINDOW}. A path written while its purge
         * is on the wire owes one more purge; it is sent once that purge has completed and at least {@code window}
         * after it was sent, and every write in the meantime joins it. A path written over and over, faster than its
         * purges complete, is then purged about once per window, whatever the commit rate, and its last purge still
         * starts after its last commit. A write to a path with no purge on the wire is purged at once: sparse writes
         * never wait (and writes further apart than a purge's round trip are not coalesced). {@link Roan#flush}
         * waits for held purges too, so keep the window short: it is how stale a page written over and over may be. {@code Duration.ZERO} sends the purge owed as soon as the one on the wire completes. Closing Roan
         * sends held purges at once.
         *
         * @param window zero or a positive duration, such as {@code Duration.ofMillis(10)}
         * @return this builder
         */
        public Builder coalesceWindow(Duration window) {
            if (window == null || window.isNegative()) {
                throw new IllegalArgumentException("coalesceWindow must be zero or positive, such as"
                        + " Duration.ofMillis(10) (Duration.ZERO sends each follow-up purge without waiting), was "
                        + window);
            }
            this.coalesceWindow = window;
            return this;
        }

        /**
         * Lets Roan purge after the commit of transactions jOOQ does not manage, such as Spring's: see
         * {@link TransactionBoundary}. Without one, a write on a connection with auto-commit off outside any
         * {@code dsl.transaction(...)} is purged right after the statement, with one warning in the log.
         *
         * @param transactionBoundary the boundary, such as the Spring module's
         * @return this builder
         */
        public Builder transactionBoundary(TransactionBoundary transactionBoundary) {
            if (transactionBoundary == null) {
                throw new IllegalArgumentException("transactionBoundary is null: omit the call to use none");
            }
            this.transactionBoundary = transactionBoundary;
            return this;
        }

        /**
         * Adds a listener told of every purge's outcome: delivered, retried, given up (for metrics, health
         * checks, tests). Listeners are called in the order added, on Roan's delivery threads.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(PurgeListener listener) {
            if (listener == null) {
                throw new IllegalArgumentException("listener is null: omit the call to add none");
            }
            listeners.add(listener);
            return this;
        }

        /**
         * Sets how purges are retried: attempts and waits come from this configuration (Resilience4j
         * {@code RetryConfig}); what is retried is Roan's rule (5xx, 429, I/O errors, timeouts), so
         * predicates set on it are replaced. Default: {@link Roan#DEFAULT_MAX_ATTEMPTS} attempts,
         * exponential backoff from {@link Roan#DEFAULT_INITIAL_BACKOFF} with jitter.
         *
         * @param retryConfig the retry configuration
         * @return this builder
         */
        public Builder retryConfig(RetryConfig retryConfig) {
            if (retryConfig == null) {
                throw new IllegalArgumentException("retryConfig is null: omit the call to keep the default retries");
            }
            this.retryConfig = retryConfig;
            return this;
        }

        /**
         * Sets how long connecting to a cache node may take; default {@link Roan#DEFAULT_CONNECT_TIMEOUT}.
         *
         * @param connectTimeout a positive duration
         * @return this builder
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = requirePositive(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * Sets how long one purge request may take before it counts as failed and is retried; default
         * {@link Roan#DEFAULT_REQUEST_TIMEOUT}.
         *
         * @param requestTimeout a positive duration
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requirePositive(requestTimeout, "requestTimeout");
            return this;
        }

        /**
         * Sets how long {@link Roan#close()} waits for pending purges; default {@link Roan#DEFAULT_CLOSE_TIMEOUT}.
         *
         * @param closeTimeout zero or a positive duration
         * @return this builder
         */
        public Builder closeTimeout(Duration closeTimeout) {
            requirePositiveOrZero(closeTimeout, "closeTimeout");
            this.closeTimeout = closeTimeout;
            return this;
        }

        /**
         * Builds the Roan. Its delivery threads are daemon threads, started on first use; the JDK's
         * {@code HttpClient} keeps one selector thread of its own until it is garbage collected.
         *
         * @return a new Roan
         */
        public Roan build() {
            return new Roan(this);
        }

        private static Duration requirePositive(@Nullable Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }

        static String normalizePurgeUrl(@Nullable String url) {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("purge URL is " + (url == null ? "null" : "blank")
                        + ": give the cache's purge location, such as \"http://localhost/purge\"");
            }
            String trimmed = url.trim();
            URI uri;
            try {
                uri = new URI(trimmed);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("purge URL \"" + masked(trimmed) + "\" is malformed (" + e.getReason()
                        + "): give an absolute http or https URL, such as \"http://localhost/purge\"");
            }
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new IllegalArgumentException("purge URL \"" + masked(trimmed) + "\" must be an absolute http or"
                        + " https URL, such as \"http://localhost/purge\"");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("purge URL \"" + masked(trimmed) + "\" has no host: write it as"
                        + " \"http://host[:port]/purge\"");
            }
            if (uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("purge URL \"" + masked(trimmed) + "\" holds credentials, which"
                        + " would be sent in the clear and logged: remove them from the URL");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("purge URL \"" + masked(trimmed) + "\" has a query or fragment:"
                        + " the page path is appended to it, so give only scheme, host, port and path");
            }
            String normalized = trimmed;
            while (normalized.endsWith("/")) {
                normalized = normalized.substring(0, normalized.length() - 1);
            }
            return normalized;
        }

        /** The URL as it may appear in a message: user info replaced, so no password is ever printed. */
        private static String masked(String url) {
            int scheme = url.indexOf("://");
            // The last '@': a password may hold an unescaped '@' or '/', and then the URL does not even parse.
            int at = url.lastIndexOf('@');
            if (scheme >= 0 && at > scheme) {
                return PurgePaths.printable(url.substring(0, scheme + 3) + "***@" + url.substring(at + 1));
            }
            return PurgePaths.printable(url);
        }

        private static boolean isToken(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return "Roan.Builder[purgeUrls=" + purgeUrls + ", purgeMethod=" + purgeMethod
                    + ", headers=" + headers.keySet() + " (values hidden)"
                    + (repurgeAfter == null ? "" : ", repurgeAfter=" + repurgeAfter)
                    + ", coalesceWindow=" + coalesceWindow
                    + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                    + ", closeTimeout=" + closeTimeout + ", retryConfig=" + (retryConfig == null ? "default" : "custom") + "]";
        }
    }
}
