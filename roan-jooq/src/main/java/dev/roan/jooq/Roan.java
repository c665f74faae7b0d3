package dev.roan.jooq;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
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
    /**
     * How many distinct paths each cache node may owe in memory, by default: about 19 MB per node at the cap, at about
     * 190 bytes per path.
     */
    public static final int DEFAULT_MAX_OWED_PATHS = Defaults.MAX_OWED_PATHS;
    /** The name of the outbox table in durable mode unless {@link Builder#outboxTable(String)} sets another. */
    public static final String DEFAULT_OUTBOX_TABLE = Defaults.OUTBOX_TABLE;
    /** How often, by default, each Roan in durable mode sweeps the outbox table and renews the leases of its rows. */
    public static final Duration DEFAULT_OUTBOX_SWEEP_INTERVAL = Defaults.OUTBOX_SWEEP_INTERVAL;
    /** How long, by default, an outbox row stays claimed by the Roan that wrote or claimed it without a renewal. */
    public static final Duration DEFAULT_OUTBOX_LEASE = Defaults.OUTBOX_LEASE;

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
    /** Durable mode's outbox table, or null in memory mode. */
    private final @Nullable Outbox outbox;
    private final TransactionScopes scopes;
    private final AtomicBoolean warnedByHandClosed = new AtomicBoolean();
    private final Tracking tracking;

    Roan(Settings settings) {
        this(settings, new Delivery(settings));
    }

    /** A Roan delivering through {@code delivery}, built on the same settings: tests give it a fake clock. */
    Roan(Settings settings, Delivery delivery) {
        this.settings = settings;
        this.delivery = delivery;
        this.nodes = delivery.nodes();
        this.dispatcher = delivery.dispatcher();
        try {
            this.outbox = settings.outbox() == null ? null : new Outbox(settings, dispatcher);
        } catch (RuntimeException e) {
            delivery.close();
            throw e;
        }
        if (outbox != null && settings.transactionBoundary() != null) {
            warnIfBoundaryNotDurable(settings.transactionBoundary());
        }
        this.scopes = new TransactionScopes(dispatcher, settings.transactionBoundary(), outbox);
        this.detector = new WriteDetector(rules);
        this.matcher = new Matcher(rules);
        RecordWrites recordWrites = new RecordWrites(rules);
        RecordListenerProvider recordListener = new DefaultRecordListenerProvider(recordWrites);
        this.tracking = new Tracking(rules, dispatcher,
                new MemoryPageIndex(MemoryPageIndex.DEFAULT_MAX_PAGES, url -> dispatcher.submit(Set.of(url))),
                settings.repurgeAfter() != null ? settings.repurgeAfter() : Tracking.RACE_REPURGE_DELAY,
                settings.overflowPurge());
        this.listener = new RoanExecuteListener(detector, matcher, recordWrites, recordListener, scopes, dispatcher,
                outbox, tracking);
        this.attachment = new Attachment(rules, scopes, new DefaultExecuteListenerProvider(listener), recordListener,
                new DefaultTransactionListenerProvider(new TransactionScopes.Listener(scopes)));
    }

    /** Durable mode's outbox, or null in memory mode: for tests. */
    @Nullable
    Outbox outbox() {
        return outbox;
    }

    private static void warnIfBoundaryNotDurable(TransactionBoundary boundary) {
        try {
            if (boundary.getClass().getMethod("hold", java.util.Set.class, java.util.function.Consumer.class,
                    java.util.function.Function.class).getDeclaringClass() == TransactionBoundary.class) {
                Log.LOGGER.log(System.Logger.Level.WARNING, "Roan's transaction boundary " + boundary + " does not"
                        + " implement hold(paths, release, beforeCommit), so the purges of its transactions are not"
                        + " written to the outbox table: they are delivered from memory only, and lost in a crash");
            }
        } catch (NoSuchMethodException | SecurityException e) {
            // Cannot tell: say nothing.
        }
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
        return Checks.defaultRetryConfig();
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
     * Returns the DDL of the outbox table of durable mode ({@link Builder#outbox}) for a database, for a migration tool
     * such as Flyway: {@code CREATE TABLE} and {@code CREATE INDEX} statements, separated by {@code ";\n"}. Roan creates
     * the table itself when it is missing unless {@link Builder#createOutboxTable(boolean)} turns that off.
     *
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
     * Returns the DDL of the outbox table under its default name, {@link #DEFAULT_OUTBOX_TABLE}: see
     * {@link #outboxDdl(SQLDialect, String)}.
     *
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
        return matcher.explain(detector.written(query, dialect), dialect);
    }

    /**
     * Waits until every purge owed for writes committed before this call has been delivered: confirmed by every
     * cache node. A node that is down keeps it waiting until the timeout.
     * With {@link Builder#repurgeAfter(Duration)}, that includes their re-purges, so it lasts at least
     * the re-purge delay when a write is that recent. A purge held for the
     * {@linkplain Builder#coalesceWindow(Duration) coalescing window} is waited for too. In durable mode, purges
     * beyond {@link Builder#maxOwedPaths(int)} wait in the outbox table for a sweep, not in memory: this method does
     * not wait for those.
     *
     * @param timeout how long to wait at most
     * @return true if all of them were delivered in time; false on timeout or interrupt, or if one of them was
     *     dropped ({@link Builder#giveUpAfter(Duration)}, {@link Builder#maxOwedPaths(int)})
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     */
    public boolean flush(Duration timeout) {
        return dispatcher.flush(Checks.positiveOrZero(timeout, "timeout"));
    }

    /**
     * Purges these paths after the current transaction commits, as if a rule had matched a write in it: for a page no
     * rule can name, such as a related row's page. Inside {@code dsl.transaction(...)} of a configuration this Roan is
     * attached to, on the calling thread, the paths are held with that transaction's other purges: a rolled-back
     * nested transaction (savepoint) drops them, the outermost commit sends them (coalesced with the rest, one purge
     * per path and cache node; in durable mode written to the outbox table in the same transaction), and a rollback
     * drops them. Inside a transaction of the {@linkplain Builder#transactionBoundary transaction boundary} (a
     * Spring-managed one) they are held by the boundary the same way (a rolled-back {@code NESTED} savepoint drops
     * them too); in durable mode they are written to the outbox table with the purges of the transaction's jOOQ writes
     * (a transaction without any delivers them from memory). Outside any transaction they are sent at once; in durable
     * mode they are written to the outbox table first, in a transaction of their own, so that a crash cannot lose them
     * (the calling thread waits for that insert, as after an auto-commit write).
     *
     * <p>"Outside any transaction" means outside any Roan can see: inside a transaction it cannot see (Spring's
     * {@code @Transactional} without the transaction boundary, or a connection whose auto-commit was turned off by
     * hand) the paths are sent at once all the same, before that transaction commits, and a page re-filled in between
     * stays stale. Without a transaction boundary the first call sent at once logs a warning saying so, once.
     *
     * <pre>{@code
     * dsl.transaction(tx -> {
     *     tx.dsl().insertInto(VISITS).set(VISITS.PET_ID, petId).execute();
     *     roan.purgeAfterCommit("/owners/" + ownerId);
     * });
     * }</pre>
     *
     * <p>On a closed Roan nothing is purged and one warning is logged, as for a write after {@link #close()}: a request
     * still running while the application stops is not failed after its own commit.
     *
     * @param paths the filled paths, such as {@code "/owners/6"}, each starting with {@code /}; at least one
     * @throws IllegalArgumentException if no path is given, or one is null, has a placeholder (a purge by hand names
     *                                  the filled path, such as {@code /owners/6}), does not start with {@code /},
     *                                  holds a control character, {@code #}, a lone surrogate, a dot segment or
     *                                  leading or trailing whitespace, or makes a purge request longer than a cache
     *                                  accepts; nothing is held then
     * @since 0.1.0
     */
    public void purgeAfterCommit(String... paths) {
        Set<String> checked = fixedPaths(paths);
        if (closed.get()) {
            if (warnedByHandClosed.compareAndSet(false, true)) {
                Log.LOGGER.log(System.Logger.Level.WARNING, () -> "Roan is closed: purgeAfterCommit" + checked
                        + " purges nothing (nor any later call). Close Roan after the last write.");
            }
            return;
        }
        scopes.byHand(checked);
    }

    /** The paths of {@link #purgeAfterCommit}, checked as a rule's fixed paths are, normalised, in order. */
    private Set<String> fixedPaths(String @Nullable [] paths) {
        if (paths == null || paths.length == 0) {
            throw new IllegalArgumentException("purgeAfterCommit() needs at least one path, such as"
                    + " purgeAfterCommit(\"/owners/6\")");
        }
        Set<String> checked = new LinkedHashSet<>();
        for (String path : paths) {
            PathTemplate template = PathTemplate.parse(path);
            if (!template.isStatic()) {
                throw new IllegalArgumentException("purgeAfterCommit() got \"" + PurgePaths.printable(path) + "\", which"
                        + " has placeholders: a purge by hand names the filled path, such as /owners/6");
            }
            String normalised = template.pattern();
            for (CacheNode node : nodes) {
                int target;
                try {
                    target = PurgePaths.requestTarget(node.uri(normalised));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("path \"" + PurgePaths.printable(path) + "\" does not form a"
                            + " valid URL with purge URL " + node + ": "
                            + PurgePaths.printable(String.valueOf(e.getMessage())), e);
                }
                PurgePaths.checkLength(target, path);
            }
            checked.add(normalised);
        }
        return checked;
    }

    /**
     * Waits, at most {@code timeout}, until every purge caused by the calling thread's commits since its previous call
     * has been delivered to every cache node: read-your-writes for the writer's own next request, such as the redirect
     * after a POST, without waiting for everyone's purges as {@link #flush(Duration)} does. It covers the outermost
     * commits of {@code dsl.transaction(...)}, commits of the {@linkplain Builder#transactionBoundary transaction
     * boundary} released on this thread, auto-commit writes, and {@link #purgeAfterCommit(String...)} sent at once; in
     * durable mode it waits for their delivery, not for their outbox rows' deletion. The thread's record is cleared
     * either way, so a pooled thread does not wait for an earlier request's writes next time.
     *
     * <p>Roan tracks each thread's purges only from the first call of this method on: until then commits cost the
     * writer no more than before (a thread-local lookup), and that first call waits as {@link #flush(Duration)} does,
     * for every purge owed. Call {@code awaitPurges(Duration.ZERO)} once at startup to start tracking at once (the
     * Spring Boot starter does with {@code roan.read-your-writes.enabled}). Tracking costs each commit about 180
     * bytes for one path and cache node, freed once delivered, whether or not anyone still waits for it. So that
     * memory stays bounded however long a cache node is down, a Roan tracks at most 10,000 paths not yet delivered
     * at a time, over all threads: purges beyond that are still delivered but not tracked, and the next call of a
     * thread that had one returns false at once. A purge of this thread's that did not fit under
     * {@link Builder#maxOwedPaths(int)} is waited for through the {@linkplain Builder#onOverflowPurge(String...)
     * overflow purge} that covers it, or, without one, was dropped: the call returns false.
     *
     * <p>It covers commits on the calling thread only: work whose commit runs on another thread (an asynchronous
     * controller's {@code Callable} or {@code DeferredResult}, {@code transactionAsync}) is that thread's to wait for.
     *
     * <pre>{@code
     * dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, title).where(POST.ID.eq(id)).execute());
     * roan.awaitPurges(Duration.ofSeconds(2));   // the redirect's GET then sees the new page
     * }</pre>
     *
     * @param timeout how long to wait at most, such as {@code Duration.ofSeconds(2)}; zero only checks
     * @return true if every such purge was delivered (or none was owed); false on timeout, if one was given up or
     *     dropped, if one was not tracked (beyond 10,000 paths not yet delivered), if this Roan is closed, or if the
     *     thread was interrupted (its interrupt flag is then set again). A purge given up or dropped ends the wait at
     *     once.
     *     A cache node that is down never makes it throw.
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     * @since 0.1.0
     */
    public boolean awaitPurges(Duration timeout) {
        Checks.positiveOrZero(timeout, "timeout");
        if (closed.get()) {
            // Nothing more will be delivered by this Roan; the record is cleared all the same.
            scopes.awaitOwn(Duration.ZERO);
            return false;
        }
        return scopes.awaitOwn(timeout);
    }

    /**
     * Stops taking purges, delivers those pending (waiting at most the close timeout of the builder,
     * {@link #DEFAULT_CLOSE_TIMEOUT} by default) and releases Roan's threads. Purges held for the coalescing
     * window are sent at once, and a cache node that is down is probed at once rather than after its backoff; what
     * is still owed after the timeout is logged, with how many per node. Writes after this call purge nothing and are logged once. Calling it again has
     * no effect.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            delivery.close();
            if (outbox != null) {
                outbox.close(settings.closeTimeout());
            }
            tracking.close();
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
     * Returns what each cache node owes now, in the order of {@link #purgeUrls()}: a snapshot for health checks and
     * metrics (a node is DOWN while it fails, or after purges of it were dropped, until it owes nothing).
     *
     * @return one status per cache node
     * @since 0.1.0
     */
    public List<CacheNodeStatus> cacheNodes() {
        return dispatcher.status();
    }

    /**
     * Returns how many purges (per cache node and path) were dropped since this Roan was built: given up after
     * {@link Builder#giveUpAfter(Duration)}, or beyond {@link Builder#maxOwedPaths(int)} without
     * {@link Builder#onOverflowPurge(String...)}. Each such page may stay stale; a counter for metrics and alerts.
     *
     * @return the number of dropped purges, 0 unless one of those happened
     * @since 0.1.0
     */
    public long droppedPurges() {
        return dispatcher.droppedPurges();
    }

    /**
     * Returns the purge URLs, without trailing slash, in the order given to the builder.
     *
     * @return the purge URLs
     */
    public List<String> purgeUrls() {
        return settings.purgeUrls();
    }

    /** What delivers this Roan's purges; for tests. */
    Delivery delivery() {
        return delivery;
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
     * Renders a page while recording what it reads, so that Roan purges {@code url} whenever a committed write could
     * change what those reads returned: no rule to register. Every SELECT executed on this thread through a
     * configuration this Roan is attached to, while {@code render} runs, adds to the page's dependencies: the rows it
     * pins by key ({@code WHERE id = ?}, {@code IN}, joins carrying a value) or, for any other read (a scan, a range,
     * {@code LIKE}, an aggregate), the whole table. A page rendered again replaces its dependencies.
     *
     * <pre>{@code
     * String body = roan.track("/owners/4", () -> renderOwnerPage(4));
     * }</pre>
     *
     * <p>Reads Roan does not see (raw JDBC, {@code dsl.connection(...)}) add nothing: see the README, "Automatic
     * dependencies". On a closed Roan the render runs and nothing is recorded.
     *
     * @param url    the page path as readers request it, starting with {@code /}, with its query string if the cache
     *               keys on it, such as {@code "/owners?lastName=Davis"}
     * @param render renders the page
     * @param <T>    what the render returns
     * @return what {@code render} returned
     * @throws IllegalArgumentException if {@code url} is not a page path a purge can name (checked before the render,
     *                                  as {@link #purgeAfterCommit(String...)} checks its paths)
     * @since 0.1.0
     */
    public <T> T track(String url, java.util.function.Supplier<T> render) {
        return track(url, render, (name, value) -> { });
    }

    /**
     * {@link #track(String, java.util.function.Supplier)}, handing over the response headers the page must carry:
     * after the render, {@code responseHeader} is called once for each, such as the cache's tag header, or a header
     * that keeps the cache from storing a page a concurrent commit may have made stale. For frameworks that set the
     * headers on the response (Roan's Spring Boot starter).
     *
     * @param url            the page path, as for {@link #track(String, java.util.function.Supplier)}
     * @param render         renders the page
     * @param responseHeader receives each header's name and value, on the calling thread, before this method returns
     * @param <T>            what the render returns
     * @return what {@code render} returned
     * @throws IllegalArgumentException if {@code url} is not a page path a purge can name
     * @since 0.1.0
     */
    public <T> T track(String url, java.util.function.Supplier<T> render,
            java.util.function.BiConsumer<String, String> responseHeader) {
        String page = trackedUrl(url);
        if (render == null || responseHeader == null) {
            throw new IllegalArgumentException((render == null ? "render" : "responseHeader") + " is null: pass the"
                    + " code that renders the page, such as roan.track(\"/owners/4\", () -> renderOwner(4))");
        }
        if (closed.get()) {
            return render.get();
        }
        return tracking.track(page, render, responseHeader);
    }

    /** The url of {@link #track}, checked as a purge path is; the message names track. */
    private String trackedUrl(@Nullable String url) {
        if (url == null) {
            throw new IllegalArgumentException("track() needs the page's url, such as track(\"/owners/4\", render)");
        }
        try {
            return fixedPaths(new String[] {url}).iterator().next();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("track() got an url it cannot purge: "
                    + e.getMessage().replace("purgeAfterCommit()", "track()"), e);
        }
    }

    /** What tracked renders know: for tests. */
    Tracking tracking() {
        return tracking;
    }

    /**
     * Builds a {@link Roan}. Every setting has a default; each setter checks its value at once, with a message that
     * says what to write instead, and leaves the builder as it was when it refuses one.
     *
     * @since 0.1.0
     */
    public static final class Builder {

        private final SettingsBuilder settings = new SettingsBuilder();

        private Builder() {}

        /**
         * Purges one cache node: each purge is {@code GET {purgeUrl}{path}}. A trailing slash is ignored.
         *
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
         *
         * @param purgeUrls absolute http or https URLs, at least one
         * @return this builder
         */
        public Builder purgeUrls(String... purgeUrls) {
            settings.purgeUrls(purgeUrls);
            return this;
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
        public Builder purgeMethod(String purgeMethod) {
            settings.purgeMethod(purgeMethod);
            return this;
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
        public Builder header(String name, String value) {
            settings.header(name, value);
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
            settings.repurgeAfter(delay);
            return this;
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
        public Builder coalesceWindow(Duration window) {
            settings.coalesceWindow(window);
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
            settings.transactionBoundary(transactionBoundary);
            return this;
        }

        /**
         * Adds a listener told of every purge's outcome: delivered, retried, failed and still owed (for metrics,
         * health checks, tests). Listeners are called in the order added, on Roan's delivery threads.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(PurgeListener listener) {
            settings.listener(listener);
            return this;
        }

        /**
         * Sets the quick retries of one purge while its cache node is up: attempts and waits come from this
         * configuration (Resilience4j {@code RetryConfig}); what is retried is Roan's rule (5xx, 429, I/O errors,
         * timeouts), so predicates set on it are replaced. Default: {@link Roan#defaultRetryConfig()}; other numbers
         * of the same shape: {@link Roan#retryConfig(int, Duration)}. When those attempts run out, or the answer is
         * one not retried at once (such as 403), the purge is not given up: it stays owed and the node is down, probed
         * with one purge at a time until it answers (see {@link #maxRetryInterval(Duration)} and
         * {@link #giveUpAfter(Duration)}).
         *
         * @param retryConfig the retry configuration
         * @return this builder
         */
        public Builder retryConfig(RetryConfig retryConfig) {
            settings.retryConfig(retryConfig);
            return this;
        }

        /**
         * Sets how long connecting to a cache node may take; default {@link Roan#DEFAULT_CONNECT_TIMEOUT}.
         *
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
         *
         * @param requestTimeout a positive duration
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            settings.requestTimeout(requestTimeout);
            return this;
        }

        /**
         * Sets how long {@link Roan#close()} waits for pending purges; default {@link Roan#DEFAULT_CLOSE_TIMEOUT}.
         *
         * @param closeTimeout zero or a positive duration
         * @return this builder
         */
        public Builder closeTimeout(Duration closeTimeout) {
            settings.closeTimeout(closeTimeout);
            return this;
        }

        /**
         * Drops a purge that a cache node has owed this long without delivering it, with an ERROR line (one per node
         * and outage, with a count) and a count in {@link Roan#droppedPurges()}. Off by default: a purge stays owed
         * until the node takes it, however long it is down. The age is checked at each probe of a node that is down,
         * so a purge is dropped up to {@link #maxRetryInterval(Duration)} later than this.
         *
         * @param giveUpAfter a positive duration, such as {@code Duration.ofHours(1)}
         * @return this builder
         * @since 0.1.0
         */
        public Builder giveUpAfter(Duration giveUpAfter) {
            settings.giveUpAfter(giveUpAfter);
            return this;
        }

        /**
         * Sets the longest wait between two probes of a cache node that is down; default
         * {@link Roan#DEFAULT_MAX_RETRY_INTERVAL}. While a node is down Roan sends one purge at a time to it, waiting
         * longer after each failure (doubling from one second, with jitter) up to this; a {@code Retry-After} answer
         * sets the next wait, also capped by this. It bounds how long after a node's recovery its backlog starts to drain.
         *
         * @param maxRetryInterval a positive duration
         * @return this builder
         * @since 0.1.0
         */
        public Builder maxRetryInterval(Duration maxRetryInterval) {
            settings.maxRetryInterval(maxRetryInterval);
            return this;
        }

        /**
         * Caps how many distinct paths each cache node may owe in memory; default {@link Roan#DEFAULT_MAX_OWED_PATHS}
         * (see the README, "Bounded memory", for the bytes per path). Paths already owed cost nothing more. Beyond the
         * cap a node owes the {@linkplain #onOverflowPurge(String...) overflow purge} instead, or without one the
         * purge is dropped: an ERROR line, a count in {@link Roan#droppedPurges()}, and the node reports down.
         *
         * @param maxOwedPaths at least 1
         * @return this builder
         * @since 0.1.0
         */
        public Builder maxOwedPaths(int maxOwedPaths) {
            settings.maxOwedPaths(maxOwedPaths);
            return this;
        }

        /**
         * Sets the paths a cache node purges instead of those beyond {@link #maxOwedPaths(int)}, such as {@code "/"}
         * or a wildcard your cache understands: a broad purge that covers every page the dropped ones would have.
         * Off by default (paths beyond the cap are dropped and counted).
         *
         * @param paths one or more page paths, each starting with {@code /}
         * @return this builder
         * @since 0.1.0
         */
        public Builder onOverflowPurge(String... paths) {
            settings.onOverflowPurge(paths);
            return this;
        }

        /**
         * Turns on durable mode: the purges a transaction owes are written to an outbox table of this database inside
         * that transaction, on the writer's own connection, just before it commits, and deleted once every cache node
         * has confirmed them; rows a crashed process left are delivered by any Roan sweeping the table. See the README,
         * "Durable mode: a transactional outbox". The writes must run on this database (the table is written through
         * the writer's connection; the DataSource serves the sweeps, deletions and the table's creation).
         *
         * @param dataSource the application's DataSource, on a PostgreSQL, MariaDB 10.6+, MySQL 8 or H2 2.x database
         * @return this builder
         * @since 0.1.0
         */
        public Builder outbox(javax.sql.DataSource dataSource) {
            settings.outbox(dataSource);
            return this;
        }

        /**
         * Sets the outbox table's name; default {@link Roan#DEFAULT_OUTBOX_TABLE}. It is written unquoted, so the
         * database folds its case as in a migration written by hand.
         *
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
         *
         * @param create false to leave the schema alone
         * @return this builder
         * @since 0.1.0
         */
        public Builder createOutboxTable(boolean create) {
            settings.createOutboxTable(create);
            return this;
        }

        /**
         * Sets how often this Roan sweeps the outbox for rows no live Roan is delivering and renews the leases of the
         * rows it still owes; default {@link Roan#DEFAULT_OUTBOX_SWEEP_INTERVAL}. It also sweeps once when built. Keep
         * it well below the {@linkplain #outboxLease lease}: a lease not renewed in time lets another Roan send the same
         * purges again.
         *
         * @param interval a positive duration, such as {@code Duration.ofSeconds(15)}
         * @return this builder
         * @since 0.1.0
         */
        public Builder outboxSweepInterval(Duration interval) {
            settings.outboxSweepInterval(interval);
            return this;
        }

        /**
         * Sets how long an outbox row stays claimed by the Roan that wrote or claimed it, measured by the database's
         * clock; default {@link Roan#DEFAULT_OUTBOX_LEASE}. Rows of a process that died are delivered at most about
         * {@code lease + sweep interval} after it wrote them, once any Roan runs on the database.
         *
         * @param lease at least one second, such as {@code Duration.ofSeconds(30)}
         * @return this builder
         * @since 0.1.0
         */
        public Builder outboxLease(Duration lease) {
            settings.outboxLease(lease);
            return this;
        }

        /**
         * Sets whether a JVM that exits without {@link Roan#close()} (returning from {@code main}, {@code
         * System.exit}, SIGTERM) first delivers the purges still owed; default true. The hook waits up to the
         * {@linkplain #closeTimeout(Duration) close timeout} for them, keeps taking purges meanwhile (an application
         * that is stopping may still commit), and logs how many remain undelivered, if any: a WARNING naming them.
         * It is removed by {@link Roan#close()}, so a closed Roan holds no reference from the JVM. With false, a JVM
         * that exits without {@code close()} drops the purges it still owes without a word: turn it off only where
         * something else closes Roan when the application stops, such as a dependency-injection container. A
         * process that is killed ({@code kill -9}) or halted runs no hook at all.
         *
         * @param on false to register no shutdown hook
         * @return this builder
         * @since 0.1.0
         */
        public Builder shutdownHook(boolean on) {
            settings.shutdownHook(on);
            return this;
        }

        /**
         * Builds the Roan. Its delivery threads are daemon threads, started on first use; the JDK's
         * {@code HttpClient} keeps one selector thread of its own until it is garbage collected.
         *
         * @return a new Roan
         * @throws IllegalArgumentException if the outbox's sweep interval is not shorter than its lease
         * @throws IllegalStateException    in durable mode, if the outbox table cannot be reached or created
         */
        public Roan build() {
            settings.checkCombination();
            return new Roan(settings.settings());
        }

        /** The settings so far, frozen; for tests that build a Roan around a delivery of their own. */
        Settings settings() {
            return settings.settings();
        }

        @Override
        public String toString() {
            return "Roan.Builder[" + settings.settings() + "]";
        }

        // ---- caches that purge by tag (issue 14): see the README, "Purging the way your cache wants it"

        /**
         * Adds a tag header that tracked pages carry ({@code roan.track}): the header a cache in front reads to
         * learn what each page depends on, and purges by. Each cache purged by tag brings its own by default (
         * {@link #xkeyPurgeUrls} {@code xkey}, {@link #fastly} {@code Surrogate-Key}, {@link #cloudflare}
         * {@code Cache-Tag}); set it for a cache Roan does not purge itself, such as Akamai's
         * {@code Edge-Cache-Tag}, or to choose among them. Called again with another header, the pages carry both.
         *
         * @param header the cache's header, such as {@link CacheTagHeader#VARNISH_XKEY}
         * @return this builder
         * @throws IllegalArgumentException if {@code header} is null
         * @since 0.1.0
         */
        public Builder tagHeader(CacheTagHeader header) {
            settings.tagHeader(header);
            return this;
        }

        /**
         * Purges Varnish nodes with varnish-modules' xkey: a dependency is purged with {@code PURGE {url}/} and an
         * {@code xkey-purge} header naming its tag (or {@code xkey-softpurge}, see {@link #softPurge(boolean)}), a
         * rule's page path with {@code PURGE {url}{path}}. The VCL the README shows does both. Pages carry the
         * {@code xkey} header unless {@link #tagHeader} says otherwise. These nodes come in addition to
         * {@link #purgeUrls}; without a call to that, a Roan with these nodes has no other.
         *
         * @param urls the Varnish addresses, absolute http or https URLs such as {@code "http://cache:6081"}
         * @return this builder
         * @throws IllegalArgumentException if no URL is given or one is not an absolute http or https URL
         * @since 0.1.0
         */
        public Builder xkeyPurgeUrls(String... urls) {
            settings.xkeyPurgeUrls(urls);
            return this;
        }

        /**
         * Sets whether tag purges mark pages stale rather than remove them, where the cache can: Varnish's
         * {@code xkey-softpurge} and Fastly's {@code Fastly-Soft-Purge: 1} (the cache may serve the stale page while
         * it fetches the new one, with a grace or stale-while-revalidate period). Default false: pages are removed.
         * Cloudflare has no soft purge.
         *
         * @param soft true for soft purges
         * @return this builder
         * @since 0.1.0
         */
        public Builder softPurge(boolean soft) {
            settings.softPurge(soft);
            return this;
        }

        /**
         * Purges a Fastly service through Fastly's API: dependencies with
         * {@code POST /service/{serviceId}/purge} and a {@code Surrogate-Key} header, a rule's page path with
         * {@code POST /purge/{host}{path}} of the {@link #publicOrigin}. Pages carry the {@code Surrogate-Key} header
         * unless {@link #tagHeader} says otherwise. The token is sent as {@code Fastly-Key} and never shown; the
         * headers of {@link #header} are not sent to Fastly.
         *
         * @param serviceId the service's id, letters and digits, such as {@code "SU1Z0isxPaozGVKXdv0eY"}
         * @param apiToken  an API token with the {@code purge_select} scope, such as from an environment variable
         * @return this builder
         * @throws IllegalArgumentException if the id is not letters and digits, or the token is blank or holds a
         *                                  space or a character beyond ASCII (the message never shows it)
         * @since 0.1.0
         */
        public Builder fastly(String serviceId, String apiToken) {
            settings.fastly(serviceId, apiToken);
            return this;
        }

        /**
         * Sets the base URL of Fastly's API; default {@code https://api.fastly.com}. For tests against a local
         * endpoint, or a proxy in front of the API.
         *
         * @param apiUrl an absolute http or https URL
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http or https URL without credentials or query
         * @since 0.1.0
         */
        public Builder fastlyApiUrl(String apiUrl) {
            settings.fastlyApiUrl(apiUrl);
            return this;
        }

        /**
         * Purges a Cloudflare zone through Cloudflare's API ({@code POST /client/v4/zones/{zoneId}/purge_cache}):
         * dependencies as {@code {"tags": [...]}}, a rule's page path as {@code {"files": [...]}}, a URL of the
         * {@link #publicOrigin}. A purge is done when the answer says {@code "success": true}. Pages carry the
         * {@code Cache-Tag} header unless {@link #tagHeader} says otherwise (purging by tag needs Cloudflare's
         * Enterprise plan). The token is sent as {@code Authorization: Bearer} and never shown; the headers of
         * {@link #header} are not sent to Cloudflare.
         *
         * @param zoneId   the zone's id, such as {@code "023e105f4ecef8ad9ca31a8372d0c353"}
         * @param apiToken an API token with the Cache Purge permission on the zone
         * @return this builder
         * @throws IllegalArgumentException if the id is not letters and digits, or the token is blank or holds a
         *                                  space or a character beyond ASCII (the message never shows it)
         * @since 0.1.0
         */
        public Builder cloudflare(String zoneId, String apiToken) {
            settings.cloudflare(zoneId, apiToken);
            return this;
        }

        /**
         * Sets the base URL of Cloudflare's API; default {@code https://api.cloudflare.com}. For tests against a
         * local endpoint, or a proxy in front of the API.
         *
         * @param apiUrl an absolute http or https URL
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http or https URL without credentials or query
         * @since 0.1.0
         */
        public Builder cloudflareApiUrl(String apiUrl) {
            settings.cloudflareApiUrl(apiUrl);
            return this;
        }

        /**
         * Sets the site's public origin, which a CDN's purge of a page path names: Fastly's and Cloudflare's URL
         * purges take the full URL, {@code https://www.example.com/owners/4}. Needed by rules with a Fastly service
         * or a Cloudflare zone; a rule's path is refused at registration without it.
         *
         * @param origin scheme, host and optional port, such as {@code "https://www.example.com"}
         * @return this builder
         * @throws IllegalArgumentException if it is not an absolute http or https URL, or has a path or query
         * @since 0.1.0
         */
        public Builder publicOrigin(String origin) {
            settings.publicOrigin(origin);
            return this;
        }
    }
}
