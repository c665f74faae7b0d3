package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jooq.Configuration;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.jooq.impl.DefaultTransactionListenerProvider;
import org.jspecify.annotations.Nullable;

/**
 * One {@link Roan}'s parts, wired along the pipeline (rules, the execute listener that detects and matches writes,
 * transaction scopes that hold purges until the commit, the outbox in durable mode, delivery), and what each of
 * Roan's public methods does with them. {@code Roan} is the documented public facade over it and holds no behaviour.
 */
final class Engine {

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
    /** The page index shared through the database ({@link Roan.Builder#pageIndex}), or null. */
    private final @Nullable DatabasePageIndex sharedIndex;
    private final TransactionScopes scopes;
    private final AtomicBoolean warnedByHandClosed = new AtomicBoolean();
    /** Tracked renders ({@link Roan#track}) and their page index. */
    private final Tracking tracking;

    Engine(Settings settings, Delivery delivery) {
        this.settings = settings;
        this.delivery = delivery;
        this.nodes = delivery.nodes();
        this.dispatcher = delivery.dispatcher();
        // Caches that purge by tag take the keys themselves, and tracked pages carry their tag headers; the page index
        // serves the nodes that purge URLs only, and is not kept without one.
        String key = Dependency.table("t").target();
        boolean tagNodes = delivery.nodes().stream().anyMatch(node -> node.takes(key));
        boolean pathNodes = delivery.nodes().stream().anyMatch(node -> !node.takes(key));
        try {
            // Without nodes that purge URLs, the table shares the pins only: each instance learns them from its
            // own renders, and a write on another one would produce no row key for the tag caches to purge.
            this.sharedIndex = settings.pageIndex() == null ? null
                    : new DatabasePageIndex(settings, dispatcher, pathNodes);
        } catch (RuntimeException e) {
            delivery.close();
            throw e;
        }
        try {
            this.outbox = settings.outbox() == null ? null : new Outbox(settings, dispatcher,
                    pathNodes ? sharedIndex : null);
        } catch (RuntimeException e) {
            if (sharedIndex != null) {
                sharedIndex.close();
            }
            delivery.close();
            throw e;
        }
        if (outbox != null && settings.transactionBoundary() != null) {
            warnIfBoundaryNotDurable(settings.transactionBoundary());
        }
        this.scopes = new TransactionScopes(dispatcher, settings.transactionBoundary(), outbox);
        scopes.pinsOf(rules);
        this.detector = new WriteDetector(rules);
        this.matcher = new Matcher(rules);
        if (sharedIndex != null) {
            sharedIndex.sharePins(this::registerPin);
        }
        this.tracking = new Tracking(rules, dispatcher,
                sharedIndex != null ? sharedIndex : !pathNodes ? null
                        : new MemoryPageIndex(settings.maxTrackedPages(), url -> dispatcher.submit(Set.of(url))),
                settings.repurgeAfter() != null ? settings.repurgeAfter() : Tracking.RACE_REPURGE_DELAY,
                settings.overflowPurge(), keys -> tagHeaders(settings.tagHeaders(), keys), tagNodes);
        this.listener = new RoanExecuteListener(detector, matcher, scopes, dispatcher,
                outbox, tracking);
        this.attachment = new Attachment(scopes, new DefaultExecuteListenerProvider(listener),
                new DefaultTransactionListenerProvider(new TransactionScopes.Listener(scopes)));
    }

    /** The tag headers a tracked page with these keys carries, name to value, in order. */
    private static java.util.Map<String, String> tagHeaders(java.util.List<TagHeader> headers,
            java.util.Set<Dependency> keys) {
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        for (TagHeader header : headers) {
            values.put(header.name(), header.value(keys));
        }
        return values;
    }

    private static void warnIfBoundaryNotDurable(TransactionBoundary boundary) {
        try {
            if (boundary.getClass().getMethod("hold", Set.class, Consumer.class, Function.class)
                    .getDeclaringClass() == TransactionBoundary.class) {
                Log.LOGGER.log(Level.WARNING, "Roan's transaction boundary " + boundary + " does not"
                        + " implement hold(paths, release, beforeCommit), so the purges of its transactions are not"
                        + " written to the outbox table: they are delivered from memory only, and lost in a crash");
            }
        } catch (NoSuchMethodException | SecurityException e) {
            // Cannot tell: say nothing.
        }
    }

    /** {@link Roan#purge}: everything is checked before the rule is registered, so a refused path leaves none. */
    PurgeRule rule(String path) {
        PathTemplate template = PathTemplate.parse(path);
        String sample = template.sample();
        int prefix = longestPrefix(sample, path);
        PurgePaths.checkLength(prefix + sample.length(), path);
        Rule rule = rules.rule(template, PurgePaths.MAX_REQUEST_TARGET - prefix);
        return handles.computeIfAbsent(rule, r -> new PurgeRule(r, rules));
    }

    /**
     * How many characters the longest purge URL adds to {@code sample} in a request target: the part of a cache's
     * request-line limit a path cannot use.
     *
     * @param path the path as the user wrote it, for the message
     */
    private int longestPrefix(String sample, String path) {
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
        return prefix;
    }

    Configuration attach(@Nullable Configuration configuration) {
        Configuration derived = attachable(configuration).derive();
        attachment.apply(derived);
        return derived;
    }

    void attachInPlace(@Nullable Configuration configuration) {
        attachment.apply(attachable(configuration));
    }

    private Configuration attachable(@Nullable Configuration configuration) {
        if (configuration == null) {
            throw new IllegalArgumentException("configuration is null: pass the jOOQ Configuration of your DSLContext,"
                    + " e.g. roan.attach(dsl.configuration())");
        }
        if (closed.get()) {
            throw new IllegalStateException("Roan is closed: attach a new Roan");
        }
        return configuration;
    }

    boolean isAttached(@Nullable Configuration configuration) {
        if (configuration == null) {
            throw new IllegalArgumentException("configuration is null: pass a jOOQ Configuration, such as"
                    + " dsl.configuration()");
        }
        return attachment.isOn(configuration);
    }

    Explanation explain(@Nullable Query query) {
        if (query == null) {
            throw new IllegalArgumentException("query is null: pass the jOOQ query to explain");
        }
        SQLDialect dialect = query.configuration() == null ? SQLDialect.DEFAULT : query.configuration().dialect();
        return matcher.explain(detector.written(query, dialect), dialect);
    }

    boolean flush(Duration timeout) {
        Checks.positiveOrZero(timeout, "timeout");
        if (sharedIndex != null) {
            // The keys the shared index still has to read: their URLs join the dispatcher's purges, awaited below.
            long start = System.nanoTime();
            if (!sharedIndex.flush(timeout)) {
                return false;
            }
            timeout = timeout.minusNanos(Math.min(Ticker.saturatedNanos(timeout), System.nanoTime() - start));
        }
        return dispatcher.flush(timeout);
    }

    void purgeAfterCommit(String @Nullable [] paths) {
        Set<String> checked = fixedPaths(paths);
        if (closed.get()) {
            if (warnedByHandClosed.compareAndSet(false, true)) {
                Log.LOGGER.log(Level.WARNING, () -> "Roan is closed: purgeAfterCommit" + checked
                        + " purges nothing (nor any later call). Close Roan after the last write.");
            }
            return;
        }
        scopes.byHand(checked);
    }

    /** The paths of {@link Roan#purgeAfterCommit}, checked as a rule's fixed paths are, normalised, in order. */
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
            PurgePaths.checkLength(longestPrefix(normalised, path) + normalised.length(), path);
            checked.add(normalised);
        }
        return checked;
    }

    /** {@link Roan#track}: the url checked before the render; on a closed Roan the render alone. */
    <T> T track(@Nullable String url, @Nullable Supplier<T> render, @Nullable BiConsumer<String, String> headers) {
        if (url == null) {
            throw new IllegalArgumentException("track() needs the page's url, such as track(\"/owners/4\", render)");
        }
        String page;
        try {
            page = fixedPaths(new String[] {url}).iterator().next();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("track() got an url it cannot purge: "
                    + String.valueOf(e.getMessage()).replace("purgeAfterCommit()", "track()"), e);
        }
        if (render == null) {
            throw new IllegalArgumentException("render is null: pass the code that renders the page, such as"
                    + " roan.track(\"/owners/4\", () -> renderOwner(4))");
        }
        if (closed.get()) {
            return render.get();
        }
        return tracking.track(page, render, headers);
    }

    Tracking tracking() {
        return tracking;
    }

    boolean awaitPurges(Duration timeout) {
        Checks.positiveOrZero(timeout, "timeout");
        if (closed.get()) {
            // Nothing more will be delivered by this Roan; the record is cleared all the same.
            scopes.awaitOwn(Duration.ZERO);
            return false;
        }
        return scopes.awaitOwn(timeout);
    }

    void close() {
        if (closed.compareAndSet(false, true)) {
            if (sharedIndex != null) {
                // First, so that the URLs of the keys it still owes reach the dispatcher before it stops taking them.
                sharedIndex.close(settings.closeTimeout());
            }
            delivery.close();
            if (outbox != null) {
                outbox.close(settings.closeTimeout());
            }
            tracking.close();
        }
    }

    /** A pin another instance's tracked read learnt, shared through the page index: writes here produce its keys. */
    private void registerPin(String pin) {
        if (pin.equals("*")) {
            rules.trackEverything();
            return;
        }
        int dot = pin.indexOf('.');
        String table = dot < 0 ? pin : pin.substring(0, dot);
        rules.track(org.jooq.impl.DSL.table(org.jooq.impl.DSL.name(table)), dot < 0 ? null : pin.substring(dot + 1));
    }

    boolean isClosed() {
        return closed.get();
    }

    int pendingPurges() {
        return dispatcher.pendingCount();
    }

    long rowsUnknownCount() {
        return listener.unknownRowsCount();
    }

    List<CacheNodeStatus> cacheNodes() {
        return dispatcher.status();
    }

    long droppedPurges() {
        return dispatcher.droppedPurges();
    }

    Settings settings() {
        return settings;
    }

    Delivery delivery() {
        return delivery;
    }

    @Nullable Outbox outbox() {
        return outbox;
    }

    @Nullable DatabasePageIndex sharedIndex() {
        return sharedIndex;
    }

    @Override
    public String toString() {
        return "Roan[purgeUrls=" + settings.purgeUrls() + ", purgeMethod=" + settings.purgeMethod() + ", rules=" + rules
                + (settings.repurgeAfter() == null ? "" : ", repurgeAfter=" + settings.repurgeAfter())
                + ", coalesceWindow=" + settings.coalesceWindow()
                + ", pending=" + dispatcher.pendingCount() + ", rowsUnknown=" + listener.unknownRowsCount()
                + (tracking.index() == null ? "" : ", pageIndex=" + tracking.index())
                + (closed.get() ? ", closed" : "") + "]";
    }
}
