package dev.roan.jooq;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.resilience4j.retry.RetryConfig;
import org.jooq.Configuration;
import org.jooq.Query;
import org.jooq.RecordListenerProvider;
import org.jooq.SQLDialect;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.jooq.impl.DefaultRecordListenerProvider;
import org.jooq.impl.DefaultTransactionListenerProvider;
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
    /** The longest wait between attempts in Roan's retry configurations (unless the first wait is longer). */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

    private final Settings settings;
    private final Rules rules = new Rules();
    /** The public handle of each rule, so that a path gives the same {@link PurgeRule} every time. */
    private final Map<Rule, PurgeRule> handles = new ConcurrentHashMap<>();
    private final Delivery delivery;
    private final List<CacheNode> nodes;
    private final Dispatcher dispatcher;
    private final WriteDetector detector;
    private final Matcher matcher;
    private final RoanExecuteListener listener;
    private final Attachment attachment;
    private final AtomicBoolean closed = new AtomicBoolean();

    Roan(Settings settings) {
        this.settings = settings;
        this.delivery = new Delivery(settings);
        this.nodes = delivery.nodes();
        this.dispatcher = delivery.dispatcher();
        TransactionScopes scopes = new TransactionScopes(dispatcher, settings.transactionBoundary());
        this.detector = new WriteDetector(rules);
        this.matcher = new Matcher(rules);
        RecordWrites recordWrites = new RecordWrites(rules);
        RecordListenerProvider recordListener = new DefaultRecordListenerProvider(recordWrites);
        this.listener = new RoanExecuteListener(detector, matcher, recordWrites, recordListener, scopes, dispatcher);
        this.attachment = new Attachment(rules, scopes, new DefaultExecuteListenerProvider(listener), recordListener,
                new DefaultTransactionListenerProvider(new TransactionScopes.Listener(scopes)));
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
     * Returns Roan's default retry configuration: {@link #DEFAULT_MAX_ATTEMPTS} attempts, waiting
     * {@link #DEFAULT_INITIAL_BACKOFF} first, then twice as long each time, with 50% jitter, up to
     * {@link #DEFAULT_MAX_BACKOFF}. What is retried is always Roan's rule, whatever predicates a configuration has.
     *
     * @return a new default retry configuration
     */
    public static RetryConfig defaultRetryConfig() {
        return retryConfig(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF);
    }

    /**
     * Returns a retry configuration of the default shape with other numbers: exponential backoff from
     * {@code initialBackoff}, doubling with 50% jitter, up to {@link #DEFAULT_MAX_BACKOFF} (or {@code initialBackoff}
     * when longer). For {@link Builder#retryConfig(RetryConfig)}.
     *
     * @param maxAttempts    attempts per purge and node, the first included; at least 1
     * @param initialBackoff the first wait, a positive duration such as {@code Duration.ofMillis(200)}
     * @return a new retry configuration
     * @throws IllegalArgumentException if {@code maxAttempts} is below 1 or {@code initialBackoff} is not positive
     */
    public static RetryConfig retryConfig(int maxAttempts, Duration initialBackoff) {
        return Checks.retryConfig(maxAttempts, initialBackoff, DEFAULT_MAX_BACKOFF);
    }

    /**
     * Returns a URL as Roan shows it in messages: credentials replaced by {@code ***}, also in a mistyped URL such as
     * {@code http:/user:pw@host/purge}, and control characters escaped. A valid purge URL holds no credentials and is
     * returned as it is. For frameworks that show a configured URL (Roan's Spring Boot starter).
     *
     * @param url a URL as given, valid or not
     * @return the URL without credentials
     */
    public static String maskUrl(@Nullable String url) {
        return Checks.maskUrl(url);
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
        Rule rule = rules.rule(template, PurgePaths.MAX_REQUEST_TARGET - prefix);
        return handles.computeIfAbsent(rule, r -> new PurgeRule(r, rules));
    }

    /**
     * Returns a configuration derived from {@code configuration} with Roan's listener appended to the
     * execute listeners already present, and its transaction provider wrapped so that purges wait for the
     * commit. The argument itself is not changed: use this when you create the {@code DSLContext} yourself,
     * {@code DSL.using(roan.attach(configuration))}. Attaching an attached configuration adds nothing, except
     * what the next paragraph says.
     *
     * <p>Register rules with placeholders ({@code /posts/{slug}}) before attaching: only then, or while no
     * rule is registered yet, does Roan also add a {@code RecordListener}, which reads the values of
     * {@code UpdatableRecord} writes. It is left out otherwise because jOOQ calls record listeners for every
     * record it loads, which would cost every read. A write to the table of a rule with placeholders through
     * a configuration without it is logged once; attaching that configuration again adds it.
     *
     * <p>jOOQ 3.19's {@code configuration.derive(ExecuteListenerProvider...)} <em>replaces</em> the listeners:
     * a configuration derived that way from an attached one has no Roan. Check with {@link #isAttached}.
     *
     * @param configuration the application's jOOQ configuration
     * @return the derived configuration
     * @throws IllegalArgumentException if {@code configuration} is null
     * @throws IllegalStateException    if this Roan is closed
     */
    public Configuration attach(Configuration configuration) {
        checkAttachable(configuration);
        Configuration derived = configuration.derive();
        attachment.apply(derived);
        return derived;
    }

    /**
     * Attaches Roan to {@code configuration} itself, as {@link #attach} does to the configuration it derives: for a
     * framework hook that hands over the configuration it will use and ignores what the hook returns, such as Spring
     * Boot's {@code DefaultConfigurationCustomizer} ({@code roan::attachInPlace}). Elsewhere prefer {@link #attach},
     * which leaves its argument alone. Calling it again adds only a record listener that new rules need.
     *
     * @param configuration the configuration to change
     * @throws IllegalArgumentException if {@code configuration} is null
     * @throws IllegalStateException    if this Roan is closed
     */
    public void attachInPlace(Configuration configuration) {
        checkAttachable(configuration);
        attachment.apply(configuration);
    }

    /**
     * Tells whether writes through {@code configuration} purge as the rules say: Roan's execute listener is there,
     * purges wait for jOOQ's commits, and Roan's record listener is there when a rule with placeholders needs it. False
     * for a configuration Roan was never attached to, and for one derived with jOOQ 3.19's
     * {@code derive(ExecuteListenerProvider...)}, which replaces the listeners. Assert it in your own tests:
     * {@code assertThat(roan.isAttached(dsl.configuration())).isTrue()}.
     *
     * @param configuration a jOOQ configuration, such as {@code dsl.configuration()}
     * @return true if {@link #attach} would add nothing to it
     * @throws IllegalArgumentException if {@code configuration} is null
     */
    public boolean isAttached(Configuration configuration) {
        if (configuration == null) {
            throw new IllegalArgumentException("configuration is null: pass a jOOQ Configuration, such as"
                    + " dsl.configuration()");
        }
        return attachment.isOn(configuration);
    }

    private void checkAttachable(@Nullable Configuration configuration) {
        if (configuration == null) {
            throw new IllegalArgumentException("configuration is null: pass the jOOQ Configuration of your DSLContext,"
                    + " e.g. roan.attach(dsl.configuration())");
        }
        if (closed.get()) {
            throw new IllegalStateException("Roan is closed: attach a new Roan");
        }
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
        Purges purges = matcher.match(detector.written(query, dialect), null, RecordWrites.none());
        return new Explanation(purges.paths(), purges.unknownRows());
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
        return dispatcher.flush(Checks.positiveOrZero(timeout, "timeout"));
    }

    /**
     * Stops taking purges, delivers those pending (waiting at most the close timeout of the builder,
     * {@link #DEFAULT_CLOSE_TIMEOUT} by default) and releases Roan's threads. Purges held for the coalescing
     * window are sent at once. Writes after this call purge nothing and are logged once. Calling it again has
     * no effect.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            delivery.close();
        }
    }

    /**
     * Tells whether {@link #close()} was called.
     *
     * @return true once closing began
     */
    public boolean isClosed() {
        return closed.get();
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
     * Returns how many statements, since this Roan was built, wrote a table of a rule with placeholders without Roan
     * being able to tell which rows: each purged only the rule's fallback, if any (see
     * {@link PurgeRule#whenRowsUnknown}). A counter for metrics and tests; the log names each such SQL once.
     *
     * @return the number of such statements
     */
    public long rowsUnknownCount() {
        return listener.unknownRowsCount();
    }

    /**
     * Returns the purge URLs, without trailing slash, in the order given to the builder.
     *
     * @return the purge URLs
     */
    public List<String> purgeUrls() {
        return settings.purgeUrls();
    }

    @Override
    public String toString() {
        return "Roan[purgeUrls=" + settings.purgeUrls() + ", purgeMethod=" + settings.purgeMethod() + ", rules=" + rules
                + (settings.repurgeAfter() == null ? "" : ", repurgeAfter=" + settings.repurgeAfter())
                + ", coalesceWindow=" + settings.coalesceWindow()
                + ", pending=" + dispatcher.pendingCount() + ", rowsUnknown=" + listener.unknownRowsCount()
                + (closed.get() ? ", closed" : "") + "]";
    }

    /**
     * Builds a {@link Roan}. Every setting has a default; each setter checks its value at once, with a message that
     * says what to write instead, and leaves the builder as it was when it refuses one.
     *
     * @since 0.1.0
     */
    // The setters live in SettingsBuilder so that this file stays a facade; javac adds a public bridge here for each.
    public static final class Builder extends SettingsBuilder {

        private Builder() {}
    }
}
