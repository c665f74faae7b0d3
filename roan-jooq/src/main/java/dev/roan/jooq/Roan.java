package dev.roan.jooq;

import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.github.resilience4j.retry.RetryConfig;
import org.jooq.Configuration;
import org.jooq.Query;
import org.jooq.SQLDialect;
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
 * <p>Every statement executed through an attached configuration that writes a table of a rule owes a purge of the
 * rule's path. Outside a transaction it is sent right after the statement; inside {@code dsl.transaction(...)} it is
 * held until the outermost transaction commits and dropped if it rolls back. Purges are sent to every cache node in the
 * background, coalesced and retried: the writer's thread never waits for the network and never sees an exception of
 * Roan's. A path written again while its purge is on the wire is purged once more afterwards, at most once per
 * {@linkplain Builder#coalesceWindow(Duration) coalescing window}, so a burst of commits costs a few purges and the
 * last one still follows the last commit. The README tells the rest: "Rules", "How it works", "Configuration" and
 * "Delivery guarantees".
 *
 * <p>One {@code Roan} serves any number of configurations and threads. Close it when the application stops, after the
 * last write, so that pending purges are delivered.
 *
 * @since 0.1.0
 */
public final class Roan implements AutoCloseable {

    /** The HTTP method of purges unless {@link Builder#purgeMethod(String)} sets another. */
    public static final String DEFAULT_PURGE_METHOD = Defaults.PURGE_METHOD;
    /** The purge URL of {@link #create()} when neither the property nor the environment names one. */
    public static final String DEFAULT_PURGE_URL = Defaults.PURGE_URL;
    /** The system property {@link #create()} reads the purge URL (or a comma-separated list) from. */
    public static final String PURGE_URL_PROPERTY = "roan.purge-url";
    /** The environment variable {@link #create()} reads the purge URL from when the property is unset. */
    public static final String PURGE_URL_ENV = "ROAN_PURGE_URL";
    /** How long connecting to a cache node may take, by default. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Defaults.CONNECT_TIMEOUT;
    /** How long one purge request may take, by default, before it counts as failed (and is retried). */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Defaults.REQUEST_TIMEOUT;
    /** The least time between two purges of a path on a node while it is being written, by default. */
    public static final Duration DEFAULT_COALESCE_WINDOW = Defaults.COALESCE_WINDOW;
    /** How long {@link #close()} waits for pending purges, by default. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Defaults.CLOSE_TIMEOUT;
    /** Attempts per purge and node in the default retry configuration. */
    public static final int DEFAULT_MAX_ATTEMPTS = Defaults.MAX_ATTEMPTS;
    /** First wait between attempts in the default retry configuration; it doubles, with jitter. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Defaults.INITIAL_BACKOFF;
    /** The longest wait between attempts in Roan's retry configurations (unless the first wait is longer). */
    public static final Duration DEFAULT_MAX_BACKOFF = Defaults.MAX_BACKOFF;
    /** The longest wait between two probes of a cache node that is down, by default: 30 seconds. */
    public static final Duration DEFAULT_MAX_RETRY_INTERVAL = Defaults.MAX_RETRY_INTERVAL;
    /** How many distinct paths each cache node may owe in memory, by default: about 19 MB per node at the cap. */
    public static final int DEFAULT_MAX_OWED_PATHS = Defaults.MAX_OWED_PATHS;
    /** The name of the outbox table in durable mode unless {@link Builder#outboxTable(String)} sets another. */
    public static final String DEFAULT_OUTBOX_TABLE = Defaults.OUTBOX_TABLE;
    /** How often, by default, each Roan in durable mode sweeps the outbox table and renews the leases of its rows. */
    public static final Duration DEFAULT_OUTBOX_SWEEP_INTERVAL = Defaults.OUTBOX_SWEEP_INTERVAL;
    /** How long, by default, an outbox row stays claimed by the Roan that wrote or claimed it without a renewal. */
    public static final Duration DEFAULT_OUTBOX_LEASE = Defaults.OUTBOX_LEASE;
    /** How many tracked pages the in-memory page index knows at most, by default (see {@link #track}). */
    public static final int DEFAULT_MAX_TRACKED_PAGES = Defaults.MAX_TRACKED_PAGES;

    private final Engine engine;

    Roan(Settings settings) {
        this(settings, new Delivery(settings));
    }

    /** A Roan delivering through {@code delivery}, built on the same settings: tests give it a fake clock. */
    Roan(Settings settings, Delivery delivery) {
        this.engine = new Engine(settings, delivery);
    }

    /**
     * Returns a builder of a {@code Roan} purging {@link #DEFAULT_PURGE_URL} unless a purge URL is set.
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder(new SettingsBuilder());
    }

    /**
     * Creates a {@code Roan} with default settings, purging the URL (or comma-separated URLs) of the system property
     * {@value #PURGE_URL_PROPERTY}, else the environment variable {@value #PURGE_URL_ENV}, else {@value #DEFAULT_PURGE_URL}.
     * @return a new Roan
     * @throws IllegalArgumentException if the configured URL is not an absolute http or https URL
     */
    public static Roan create() {
        return new Builder(SettingsBuilder.fromEnvironment(PURGE_URL_PROPERTY, PURGE_URL_ENV)).build();
    }

    /**
     * Returns Roan's default retry configuration: {@link #DEFAULT_MAX_ATTEMPTS} attempts, waiting {@link
     * #DEFAULT_INITIAL_BACKOFF} first, doubling with 50% jitter up to {@link #DEFAULT_MAX_BACKOFF}.
     * @return a new default retry configuration
     */
    public static RetryConfig defaultRetryConfig() {
        return Checks.defaultRetryConfig();
    }

    /**
     * Returns a retry configuration of the default shape with other numbers, for {@link Builder#retryConfig}: waits
     * doubling with 50% jitter up to {@link #DEFAULT_MAX_BACKOFF} (or {@code initialBackoff} when longer).
     * @param maxAttempts    attempts per purge and node, the first included; at least 1
     * @param initialBackoff the first wait, a positive duration such as {@code Duration.ofMillis(200)}
     * @return a new retry configuration
     * @throws IllegalArgumentException if {@code maxAttempts} is below 1 or {@code initialBackoff} is not positive
     */
    public static RetryConfig retryConfig(int maxAttempts, Duration initialBackoff) {
        return Checks.retryConfig(maxAttempts, initialBackoff, DEFAULT_MAX_BACKOFF);
    }

    /**
     * Returns the DDL of the outbox table of durable mode ({@link Builder#outbox}) for a migration tool such as Flyway:
     * {@code CREATE TABLE} and {@code CREATE INDEX} statements separated by {@code ";\n"}.
     * @param dialect the database: a PostgreSQL, MariaDB, MySQL or H2 dialect
     * @param table   the table name, {@link #DEFAULT_OUTBOX_TABLE} unless set with {@link Builder#outboxTable(String)}
     * @return the statements, each ending with {@code ;}
     * @throws IllegalArgumentException if the dialect is none of those or the table name is not a plain SQL name
     * @since 0.1.0
     */
    public static String outboxDdl(SQLDialect dialect, String table) {
        return OutboxSql.of(dialect, Checks.tableName(table, "table")).ddl();
    }

    /**
     * Returns the DDL of the outbox table under its default name: see {@link #outboxDdl(SQLDialect, String)}.
     * @param dialect the database: a PostgreSQL, MariaDB, MySQL or H2 dialect
     * @return the statements, each ending with {@code ;}
     * @throws IllegalArgumentException if the dialect is none of those
     * @since 0.1.0
     */
    public static String outboxDdl(SQLDialect dialect) {
        return outboxDdl(dialect, DEFAULT_OUTBOX_TABLE);
    }

    /**
     * Returns a URL as Roan shows it in messages: credentials replaced by {@code ***}, also in a mistyped URL such as
     * {@code http:/user:pw@host/purge}, and control characters escaped; for frameworks that show a configured URL.
     * @param url a URL as given, valid or not
     * @return the URL without credentials
     */
    public static String maskUrl(@Nullable String url) {
        return Checks.maskUrl(url);
    }

    /**
     * Returns the rule for a page path, creating it on first use; add tables to it with its {@code on...} methods.
     * See the README, "Rules".
     * @param path the page path as readers request it, starting with {@code /}, such as {@code "/posts"};
     *             characters that a URI does not allow (spaces, non-ASCII) are percent-encoded
     * @return the rule for this path, the same one for the same path
     * @throws IllegalArgumentException if the path does not start with {@code /}, holds a control character,
     *                                  {@code #}, a lone surrogate, a dot segment ({@code /a/../b}) or leading or
     *                                  trailing whitespace, or makes a purge request longer than a cache accepts
     *                                  (8,000 characters with the purge URL's path)
     */
    public PurgeRule purge(String path) {
        return engine.rule(path);
    }

    /**
     * Returns a configuration derived from {@code configuration} with Roan's listeners appended and its transaction
     * provider wrapped so that purges wait for the commit; the argument is not changed. Rules registered later apply to
     * it too: Roan adds no record listener, which jOOQ would call for every record a read loads. A configuration
     * derived from it with jOOQ 3.19's {@code derive(ExecuteListenerProvider...)} has no Roan: check with
     * {@link #isAttached}.
     * @param configuration the application's jOOQ configuration
     * @return the derived configuration
     * @throws IllegalArgumentException if {@code configuration} is null
     * @throws IllegalStateException    if this Roan is closed
     */
    public Configuration attach(Configuration configuration) {
        return engine.attach(configuration);
    }

    /**
     * Attaches Roan to {@code configuration} itself, as {@link #attach} does to the configuration it derives: for a
     * framework hook that ignores what it returns, such as Spring Boot's {@code DefaultConfigurationCustomizer}
     * ({@code roan::attachInPlace}). Calling it again adds only what is missing.
     * @param configuration the configuration to change
     * @throws IllegalArgumentException if {@code configuration} is null
     * @throws IllegalStateException    if this Roan is closed
     */
    public void attachInPlace(Configuration configuration) {
        engine.attachInPlace(configuration);
    }

    /**
     * Tells whether writes through {@code configuration} purge as the rules say (Roan's listeners are there, purges
     * wait for jOOQ's commits): assert it in your own tests, {@code assertThat(roan.isAttached(dsl.configuration()))}.
     * @param configuration a jOOQ configuration, such as {@code dsl.configuration()}
     * @return true if {@link #attach} would add nothing to it
     * @throws IllegalArgumentException if {@code configuration} is null
     */
    public boolean isAttached(Configuration configuration) {
        return engine.isAttached(configuration);
    }

    /**
     * Tells, without executing or sending anything, which paths the query would purge if it executed and committed,
     * such as {@code assertThat(roan.explain(update).paths()).containsExactly("/posts", "/posts/new")}. What only
     * execution tells (generated keys, RETURNING results) is not known: see {@link Explanation#rowsUnknown()} and the
     * README, "Checking your rules".
     * @param query a query, typically built with a {@code DSLContext}; plain SQL is parsed
     * @return the paths it would purge and the templated rules whose rows it does not name
     * @throws IllegalArgumentException if {@code query} is null
     */
    public Explanation explain(Query query) {
        return engine.explain(query);
    }

    /**
     * Waits until every purge owed for writes committed before this call has been delivered to every cache node,
     * re-purges and purges held for the coalescing window included; in durable mode not those waiting in the outbox
     * table beyond {@link Builder#maxOwedPaths(int)}.
     * @param timeout how long to wait at most
     * @return true if all of them were delivered in time; false on timeout or interrupt, or if one of them was
     *     dropped ({@link Builder#giveUpAfter(Duration)}, {@link Builder#maxOwedPaths(int)})
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     */
    public boolean flush(Duration timeout) {
        return engine.flush(timeout);
    }

    /**
     * Purges these paths after the current transaction commits, as if a rule had matched a write in it: held with the
     * transaction's other purges (in a {@code dsl.transaction(...)} on this thread, or the
     * {@linkplain Builder#transactionBoundary transaction boundary}'s), dropped by its rollback, sent at once outside
     * any transaction Roan can see. On a closed Roan it purges nothing and logs one warning. See the README, "Purging
     * by hand", for savepoints, durable mode and transactions Roan cannot see.
     * @param paths the filled paths, such as {@code "/owners/6"}, each starting with {@code /}; at least one
     * @throws IllegalArgumentException if no path is given, or one is refused as {@link #purge(String)} refuses a
     *                                  path or has a placeholder; nothing is held then
     * @since 0.1.0
     */
    public void purgeAfterCommit(String... paths) {
        engine.purgeAfterCommit(paths);
    }

    /**
     * Waits, at most {@code timeout}, until every purge caused by the calling thread's commits since its previous call
     * has been delivered to every cache node: read-your-writes for the writer's next request, without waiting for
     * everyone's as {@link #flush(Duration)} does. Tracking starts with the first call, which waits as {@code flush}
     * does; see the README, "Read your writes", for what it covers and what it costs.
     * @param timeout how long to wait at most, such as {@code Duration.ofSeconds(2)}; zero only checks
     * @return true if every such purge was delivered (or none was owed); false on timeout, if one was given up or
     *     dropped, if one was not tracked (beyond 10,000 paths not yet delivered), if this Roan is closed, or if the
     *     thread was interrupted (its interrupt flag is then set again); never an exception for a cache node down
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     * @since 0.1.0
     */
    public boolean awaitPurges(Duration timeout) {
        return engine.awaitPurges(timeout);
    }

    /**
     * Stops taking purges, delivers those pending within the {@linkplain Builder#closeTimeout close timeout} (held
     * ones at once, cache nodes that are down probed at once), logs per node what is still owed after it, and
     * releases Roan's threads. Writes after this call purge nothing and are logged once. Calling it again has no
     * effect.
     */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Tells whether {@link #close()} was called.
     * @return true once closing began
     */
    public boolean isClosed() {
        return engine.isClosed();
    }

    /**
     * Returns how many purges (per cache node and path) are waiting, in flight, or due for a re-purge: a gauge; 0 when
     * Roan is idle.
     * @return the number of pending purges
     */
    public int pendingPurges() {
        return engine.pendingPurges();
    }

    /**
     * Returns how many statements wrote a table of a rule with placeholders without Roan being able to tell which
     * rows, since this Roan was built: each purged only {@linkplain PurgeRule#whenRowsUnknown the rule's fallback}. The
     * log names each such SQL once.
     * @return the number of such statements
     */
    public long rowsUnknownCount() {
        return engine.rowsUnknownCount();
    }

    /**
     * Returns what each cache node owes now, in the order of {@link #purgeUrls()}: a snapshot for health checks and
     * metrics.
     * @return one status per cache node
     * @since 0.1.0
     */
    public List<CacheNodeStatus> cacheNodes() {
        return engine.cacheNodes();
    }

    /**
     * Returns how many purges (per cache node and path) were dropped since this Roan was built, after
     * {@link Builder#giveUpAfter(Duration)} or beyond {@link Builder#maxOwedPaths(int)}: a counter for alerts.
     * @return the number of dropped purges
     * @since 0.1.0
     */
    public long droppedPurges() {
        return engine.droppedPurges();
    }

    /**
     * Returns the purge URLs, without trailing slash, in the order given to the builder.
     * @return the purge URLs
     */
    public List<String> purgeUrls() {
        return engine.settings().purgeUrls();
    }

    /** What delivers this Roan's purges; for tests. */
    Delivery delivery() {
        return engine.delivery();
    }

    /** Durable mode's outbox, or null in memory mode: for tests. */
    @Nullable Outbox outbox() {
        return engine.outbox();
    }

    @Override
    public String toString() {
        return engine.toString();
    }

    /**
     * Renders a page while recording what it reads, so that Roan purges {@code url} whenever a committed write could
     * change what those reads returned: no rule to register. Every SELECT executed on this thread through a
     * configuration this Roan is attached to while {@code render} runs adds to the page's dependencies: the rows it
     * pins by key ({@code WHERE id = ?}, {@code IN}, joins carrying a value) or, for any other read, the whole table. A
     * page rendered again replaces its dependencies; an inner {@code track} call's reads count for the outer page too;
     * a render that throws still depends on what it read (a cached error page goes when its data changes). On a closed
     * Roan the render runs and nothing is recorded. See the README, "Automatic dependencies".
     *
     * <pre>{@code
     * String body = roan.track("/owners/4", () -> renderOwnerPage(4));
     * }</pre>
     * @param url    the page path as readers request it, starting with {@code /}, with its query string if the cache
     *               keys on it, such as {@code "/owners?lastName=Davis"}
     * @param render renders the page
     * @param <T>    what the render returns
     * @return what {@code render} returned
     * @throws IllegalArgumentException if {@code url} is not a page path a purge can name (checked before the render,
     *                                  as {@link #purgeAfterCommit(String...)} checks its paths)
     * @since 0.1.0
     */
    public <T> T track(String url, Supplier<T> render) {
        return engine.track(url, render, null);
    }

    /**
     * {@link #track(String, Supplier)}, handing over the response headers the page must carry: after the render,
     * {@code responseHeader} is called once for each, such as the cache's tag header, or {@code Cache-Control:
     * no-store} for a page that a write committed during its render may have made stale. For frameworks that set the
     * headers on the response (Roan's Spring Boot starter). Not called when the render throws.
     * @param url            the page path, as for {@link #track(String, Supplier)}
     * @param render         renders the page
     * @param responseHeader receives each header's name and value, on the calling thread, before this method returns
     * @param <T>            what the render returns
     * @return what {@code render} returned
     * @throws IllegalArgumentException if {@code url} is not a page path a purge can name
     * @since 0.1.0
     */
    public <T> T track(String url, Supplier<T> render, BiConsumer<String, String> responseHeader) {
        if (responseHeader == null) {
            throw new IllegalArgumentException("responseHeader is null: pass what sets a header on the response, such"
                    + " as response::setHeader, or call track(url, render)");
        }
        return engine.track(url, render, responseHeader);
    }

    /** What tracked renders know: for tests. */
    Tracking tracking() {
        return engine.tracking();
    }

    /** The name of the shared page index's table unless {@link Builder#pageIndexTable(String)} sets another. */
    public static final String DEFAULT_PAGE_INDEX_TABLE = Defaults.PAGE_INDEX_TABLE;

    /**
     * Returns the DDL of the page index table that instances share ({@link Builder#pageIndex}) for a database, for a
     * migration tool such as Flyway: {@code CREATE TABLE} and, except on MariaDB/MySQL where the table's statement
     * holds it, {@code CREATE INDEX}, separated by {@code ";\n"}. Roan creates the table itself when it is missing
     * unless {@link Builder#createPageIndexTable(boolean)} turns that off.
     * @param dialect the database: a PostgreSQL, MariaDB, MySQL or H2 dialect
     * @param table   the table name, {@link #DEFAULT_PAGE_INDEX_TABLE} unless set with
     *                {@link Builder#pageIndexTable(String)}
     * @return the statements, each ending with {@code ;}
     * @throws IllegalArgumentException if the dialect is none of those or the table name is not a plain SQL name
     * @since 0.1.0
     */
    public static String pageIndexDdl(SQLDialect dialect, String table) {
        return DatabasePageIndex.ddl(dialect, Checks.tableName(table, "table"));
    }

    /**
     * Returns the DDL of the page index table under its default name, {@link #DEFAULT_PAGE_INDEX_TABLE}: see
     * {@link #pageIndexDdl(SQLDialect, String)}.
     * @param dialect the database: a PostgreSQL, MariaDB, MySQL or H2 dialect
     * @return the statements, each ending with {@code ;}
     * @throws IllegalArgumentException if the dialect is none of those
     * @since 0.1.0
     */
    public static String pageIndexDdl(SQLDialect dialect) {
        return pageIndexDdl(dialect, DEFAULT_PAGE_INDEX_TABLE);
    }

    /** The page index shared through the database, or null: for tests. */
    @Nullable DatabasePageIndex sharedIndex() {
        return engine.sharedIndex();
    }

    /**
     * Builds a {@link Roan}. Every setting has a default (the README's "Configuration" lists them); each setter checks
     * its value at once, refuses a bad one with a message that says what to write instead, and leaves the builder as
     * it was.
     * @since 0.1.0
     */
    public static final class Builder {

        private final SettingsBuilder settings;

        private Builder(SettingsBuilder settings) {
            this.settings = settings;
        }

        /**
         * Purges one cache node: each purge is {@code GET {purgeUrl}{path}}. A trailing slash is ignored.
         * @param purgeUrl an absolute http or https URL, such as {@code "http://localhost/purge"}, without
         *                 credentials, query or fragment; its host must be one {@code java.net.URI} reads (no {@code _})
         * @return this builder
         */
        public Builder purgeUrl(String purgeUrl) {
            settings.purgeUrls(purgeUrl);
            return this;
        }

        /**
         * Purges several cache nodes: every purge goes to each of them.
         * @param purgeUrls absolute http or https URLs, at least one, as for {@link #purgeUrl(String)}
         * @return this builder
         */
        public Builder purgeUrls(String... purgeUrls) {
            settings.purgeUrls(purgeUrls);
            return this;
        }

        /**
         * Sets the HTTP method of purges, sent in upper case; default {@code GET}, for ngx_cache_purge's separate
         * purge location. {@code "PURGE"} suits Varnish and nginx sites that route it: see the README, "Purging the
         * way your cache wants it".
         * @param purgeMethod an HTTP method name, such as {@code "GET"} or {@code "PURGE"}
         * @return this builder
         */
        public Builder purgeMethod(String purgeMethod) {
            settings.purgeMethod(purgeMethod);
            return this;
        }

        /**
         * Adds a header to every purge request, such as an authentication token; setting a name again replaces its
         * value. Values are never logged nor printed. Values must be printable ASCII; headers the HTTP client manages
         * are refused, and {@code Host} needs a JVM flag: see the README, "Configuration".
         * @param name  the header name, a token such as {@code "Authorization"}
         * @param value the value, printable ASCII
         * @return this builder
         * @throws IllegalArgumentException if the header is refused, with a message that names it, never its value
         */
        public Builder header(String name, String value) {
            settings.header(name, value);
            return this;
        }

        /**
         * Sends every purge once more, {@code delay} after it was delivered, against a slow read that put the old page
         * back; choose a delay longer than the slowest page render. Off by default. See the README, "The stale
         * re-fill race".
         * @param delay a positive duration, such as {@code Duration.ofSeconds(2)}
         * @return this builder
         */
        public Builder repurgeAfter(Duration delay) {
            settings.repurgeAfter(delay);
            return this;
        }

        /**
         * Sets the coalescing window; default {@link Roan#DEFAULT_COALESCE_WINDOW}: a path written while its purge is
         * on the wire is purged once more at least this long after that purge was sent, so a path written over and
         * over is purged about once per window and its last purge still follows its last commit. Keep it short: it is
         * how stale such a page may be. See the README, "How it works", step 4.
         * @param window zero (send as soon as the purge on the wire completes) or a positive duration
         * @return this builder
         */
        public Builder coalesceWindow(Duration window) {
            settings.coalesceWindow(window);
            return this;
        }

        /**
         * Lets Roan purge after the commit of transactions jOOQ does not manage, such as Spring's: see
         * {@link TransactionBoundary}.
         * @param transactionBoundary the boundary, such as the Spring module's
         * @return this builder
         */
        public Builder transactionBoundary(TransactionBoundary transactionBoundary) {
            settings.transactionBoundary(transactionBoundary);
            return this;
        }

        /**
         * Adds a listener told of every purge's outcome, called in the order added: see {@link PurgeListener}.
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(PurgeListener listener) {
            settings.listener(listener);
            return this;
        }

        /**
         * Sets the quick retries of one purge while its cache node is up (attempts and waits; what is retried stays
         * Roan's rule); default {@link Roan#defaultRetryConfig()}, other numbers with
         * {@link Roan#retryConfig(int, Duration)}. After them a purge stays owed: see the README, "Outages".
         * @param retryConfig the retry configuration
         * @return this builder
         */
        public Builder retryConfig(RetryConfig retryConfig) {
            settings.retryConfig(retryConfig);
            return this;
        }

        /**
         * Sets how long connecting to a cache node may take; default {@link Roan#DEFAULT_CONNECT_TIMEOUT}.
         * @param connectTimeout a positive duration
         * @return this builder
         */
        public Builder connectTimeout(Duration connectTimeout) {
            settings.connectTimeout(connectTimeout);
            return this;
        }

        /**
         * Sets how long one purge request may take before it counts as failed and is retried; default
         * {@link Roan#DEFAULT_REQUEST_TIMEOUT}.
         * @param requestTimeout a positive duration
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            settings.requestTimeout(requestTimeout);
            return this;
        }

        /**
         * Sets how long {@link Roan#close()}, and the shutdown hook, wait for pending purges; default
         * {@link Roan#DEFAULT_CLOSE_TIMEOUT}.
         * @param closeTimeout zero or a positive duration
         * @return this builder
         */
        public Builder closeTimeout(Duration closeTimeout) {
            settings.closeTimeout(closeTimeout);
            return this;
        }

        /**
         * Drops a purge that a cache node has owed this long, with an ERROR line and a count in
         * {@link Roan#droppedPurges()}; checked at each probe, so up to {@link #maxRetryInterval(Duration)} later.
         * Off by default: a purge stays owed until the node takes it.
         * @param giveUpAfter a positive duration, such as {@code Duration.ofHours(1)}
         * @return this builder
         * @since 0.1.0
         */
        public Builder giveUpAfter(Duration giveUpAfter) {
            settings.giveUpAfter(giveUpAfter);
            return this;
        }

        /**
         * Sets the longest wait between two probes of a cache node that is down (doubling from one second, with
         * jitter; a {@code Retry-After} is capped by it too); default {@link Roan#DEFAULT_MAX_RETRY_INTERVAL}.
         * @param maxRetryInterval a positive duration
         * @return this builder
         * @since 0.1.0
         */
        public Builder maxRetryInterval(Duration maxRetryInterval) {
            settings.maxRetryInterval(maxRetryInterval);
            return this;
        }

        /**
         * Caps how many distinct paths each cache node may owe in memory; default {@link Roan#DEFAULT_MAX_OWED_PATHS}.
         * Beyond it a node owes the {@linkplain #onOverflowPurge(String...) overflow purge}, or the purge is dropped
         * and counted in {@link Roan#droppedPurges()}: see the README, "Bounded memory".
         * @param maxOwedPaths at least 1
         * @return this builder
         * @since 0.1.0
         */
        public Builder maxOwedPaths(int maxOwedPaths) {
            settings.maxOwedPaths(maxOwedPaths);
            return this;
        }

        /**
         * Sets the paths a cache node purges instead of those beyond {@link #maxOwedPaths(int)}, such as {@code "/"}:
         * a broad purge that covers every page the dropped ones would have. Off by default. Fastly and Cloudflare
         * purge each of them as one URL on the {@link #publicOrigin}, which {@link #build()} then requires.
         * @param paths one or more page paths, each starting with {@code /}
         * @return this builder
         * @since 0.1.0
         */
        public Builder onOverflowPurge(String... paths) {
            settings.onOverflowPurge(paths);
            return this;
        }

        /**
         * Turns on durable mode: a transaction's purges are written to an outbox table in that transaction and
         * deleted once every cache node confirmed them; see the README, "Durable mode: a transactional outbox".
         * @param dataSource the application's DataSource, on a PostgreSQL, MariaDB 10.6+, MySQL 8 or H2 2.x database
         * @return this builder
         * @since 0.1.0
         */
        public Builder outbox(DataSource dataSource) {
            settings.outbox(dataSource);
            return this;
        }

        /**
         * Sets the outbox table's name, written unquoted; default {@link Roan#DEFAULT_OUTBOX_TABLE}.
         * @param table a plain SQL name, optionally schema-qualified, such as {@code "app.roan_outbox"}
         * @return this builder
         * @since 0.1.0
         */
        public Builder outboxTable(String table) {
            settings.outboxTable(table);
            return this;
        }

        /**
         * Sets whether Roan creates the outbox table when it is missing; default true. Turn it off when a migration
         * tool owns the schema: {@link Roan#outboxDdl(SQLDialect, String)} gives the DDL.
         * @param create false to leave the schema alone
         * @return this builder
         * @since 0.1.0
         */
        public Builder createOutboxTable(boolean create) {
            settings.createOutboxTable(create);
            return this;
        }

        /**
         * Sets how often this Roan sweeps the outbox for rows no live Roan delivers and renews its own rows' leases
         * (and once when built); default {@link Roan#DEFAULT_OUTBOX_SWEEP_INTERVAL}. Keep it well below the
         * {@linkplain #outboxLease lease}: a lease not renewed in time lets another Roan send the same purges again.
         * @param interval a positive duration, such as {@code Duration.ofSeconds(15)}
         * @return this builder
         * @since 0.1.0
         */
        public Builder outboxSweepInterval(Duration interval) {
            settings.outboxSweepInterval(interval);
            return this;
        }

        /**
         * Sets how long an outbox row stays claimed by the Roan that wrote or claimed it, by the database's clock;
         * default {@link Roan#DEFAULT_OUTBOX_LEASE}. A dead process's rows are delivered about {@code lease + sweep
         * interval} later.
         * @param lease at least one second, such as {@code Duration.ofSeconds(30)}
         * @return this builder
         * @since 0.1.0
         */
        public Builder outboxLease(Duration lease) {
            settings.outboxLease(lease);
            return this;
        }

        /**
         * Sets whether a JVM that exits without {@link Roan#close()} first delivers the purges still owed, within the
         * close timeout; default true. Turn it off only where something else closes Roan: see the README, "Crashes,
         * deploys and shutdown".
         * @param on false to register no shutdown hook
         * @return this builder
         * @since 0.1.0
         */
        public Builder shutdownHook(boolean on) {
            settings.shutdownHook(on);
            return this;
        }

        /**
         * Caps how many pages the in-memory page index of {@link Roan#track} knows; default
         * {@link Roan#DEFAULT_MAX_TRACKED_PAGES}. A page rendered beyond the cap makes Roan forget the page rendered
         * longest ago and purge it, so that no write can miss it (the cache renders it again and Roan learns it again);
         * each such page is counted ({@code pageIndex} in {@code toString()}) and the first logged at INFO. About 500
         * bytes per page read by key, 900 for a page of five keys (see the README, "Automatic dependencies").
         * @param maxTrackedPages at least 1
         * @return this builder
         * @since 0.1.0
         */
        public Builder maxTrackedPages(int maxTrackedPages) {
            settings.maxTrackedPages(maxTrackedPages);
            return this;
        }

        /**
         * Shares the page index of tracked renders ({@link Roan#track}) between the instances of an application,
         * through a table of its database, so that a write committed on one instance purges a page rendered on
         * another: several instances need it behind nginx, and behind caches that purge by tag too (the table then
         * holds only the columns tracked reads pin); one instance does without. A page's keys are written after its
         * render, in a short transaction of their own: the DataSource needs a connection to spare beside the one a
         * request may hold. See the README, "Several instances: the page index in the database".
         * @param dataSource the application's DataSource, on a PostgreSQL, MariaDB, MySQL or H2 database
         * @return this builder
         * @since 0.1.0
         */
        public Builder pageIndex(javax.sql.DataSource dataSource) {
            settings.pageIndex(dataSource);
            return this;
        }

        /**
         * Sets the shared page index table's name; default {@link Roan#DEFAULT_PAGE_INDEX_TABLE}. It is written
         * unquoted, so the database folds its case as in a migration written by hand.
         * @param table a plain SQL name, optionally schema-qualified, such as {@code "app.roan_page_index"}
         * @return this builder
         * @since 0.1.0
         */
        public Builder pageIndexTable(String table) {
            settings.pageIndexTable(table);
            return this;
        }

        /**
         * Sets whether Roan creates the shared page index table when it is missing; default true. Turn it off when a
         * migration tool owns the schema: {@link Roan#pageIndexDdl(SQLDialect, String)} gives the DDL.
         * @param create false to leave the schema alone
         * @return this builder
         * @since 0.1.0
         */
        public Builder createPageIndexTable(boolean create) {
            settings.createPageIndexTable(create);
            return this;
        }

        /**
         * Builds the Roan. Its delivery threads are daemon threads, started on first use; the JDK's {@code HttpClient}
         * keeps one selector thread of its own until it is garbage collected.
         * @return a new Roan
         * @throws IllegalArgumentException if the outbox's sweep interval is not shorter than its lease
         * @throws IllegalStateException    in durable mode, if the outbox table cannot be reached or created
         */
        public Roan build() {
            return new Roan(settings.build());
        }

        /** The settings so far, frozen; for tests that build a Roan around a delivery of their own. */
        Settings settings() {
            return settings.settings();
        }

        @Override
        public String toString() {
            return "Roan.Builder[" + settings.settings() + "]";
        }

        // ---- caches that purge by tag: see the README, "Caches that purge by tag"

        /**
         * Adds a tag header that tracked pages carry; each cache purged by tag brings its own by default. Set it for a
         * cache Roan does not purge, such as Akamai's, or to choose among them; called again, pages carry both.
         * @param header the cache's header, such as {@link CacheTagHeader#VARNISH_XKEY}
         * @return this builder
         * @since 0.1.0
         */
        public Builder tagHeader(CacheTagHeader header) {
            settings.tagHeader(header);
            return this;
        }

        /**
         * Purges Varnish nodes with varnish-modules' xkey: a dependency with {@code PURGE {url}/} and
         * {@code xkey-purge: <tag>}, a rule's path with {@code PURGE {url}{path}} (the README's VCL does both). They
         * come beside {@link #purgeUrls}; without a call to that, there is no other node.
         * @param urls Varnish addresses, such as {@code "http://cache:6081"}
         * @return this builder
         * @since 0.1.0
         */
        public Builder xkeyPurgeUrls(String... urls) {
            settings.xkeyPurgeUrls(urls);
            return this;
        }

        /**
         * Sets whether tag purges mark pages stale rather than remove them ({@code xkey-softpurge},
         * {@code Fastly-Soft-Purge: 1}); default false. Cloudflare has no soft purge.
         * @param soft true for soft purges
         * @return this builder
         * @since 0.1.0
         */
        public Builder softPurge(boolean soft) {
            settings.softPurge(soft);
            return this;
        }

        /**
         * Purges a Fastly service through its API: dependencies by {@code Surrogate-Key}, a rule's path by its URL
         * on the {@link #publicOrigin}. The token is sent as {@code Fastly-Key}, never shown; {@link #header}s are
         * not sent to Fastly.
         * @param serviceId the service's id, letters and digits
         * @param apiToken  an API token with the {@code purge_select} scope
         * @return this builder
         * @since 0.1.0
         */
        public Builder fastly(String serviceId, String apiToken) {
            settings.fastly(serviceId, apiToken);
            return this;
        }

        /**
         * Sets Fastly's API base URL; default {@code https://api.fastly.com}.
         * @param apiUrl an absolute http or https URL
         * @return this builder
         * @since 0.1.0
         */
        public Builder fastlyApiUrl(String apiUrl) {
            settings.fastlyApiUrl(apiUrl);
            return this;
        }

        /**
         * Purges a Cloudflare zone through its API's {@code purge_cache}: dependencies as {@code tags}, a rule's path
         * as {@code files} on the {@link #publicOrigin}; done when the answer says {@code "success": true}. The token
         * is sent as {@code Authorization: Bearer}, never shown; {@link #header}s are not sent to Cloudflare.
         * @param zoneId   the zone's id, letters and digits
         * @param apiToken an API token with the Cache Purge permission on the zone
         * @return this builder
         * @since 0.1.0
         */
        public Builder cloudflare(String zoneId, String apiToken) {
            settings.cloudflare(zoneId, apiToken);
            return this;
        }

        /**
         * Sets Cloudflare's API base URL; default {@code https://api.cloudflare.com}.
         * @param apiUrl an absolute http or https URL
         * @return this builder
         * @since 0.1.0
         */
        public Builder cloudflareApiUrl(String apiUrl) {
            settings.cloudflareApiUrl(apiUrl);
            return this;
        }

        /**
         * Sets the site's public origin, which a CDN's purge of a page path names ({@code https://www.example.com}
         * {@code /owners/4}). Without it, a rule's path is refused at registration when Fastly or Cloudflare is set.
         * @param origin scheme, host and optional port, such as {@code "https://www.example.com"}
         * @return this builder
         * @since 0.1.0
         */
        public Builder publicOrigin(String origin) {
            settings.publicOrigin(origin);
            return this;
        }
    }
}
