package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jooq.ExecuteContext;
import org.jooq.Query;
import org.jooq.Select;
import org.jspecify.annotations.Nullable;

/**
 * Tracked renders ({@link Roan#track}): what each page read, and the purge of the pages a committed write changed.
 *
 * <p><b>Read side.</b> A render is a frame on a per-Roan, per-thread stack; every SELECT executed on the thread while
 * it runs ({@link #read}, from the listener's {@code executeStart}) is analysed into keys ({@link ReadAnalysis}),
 * which count for the render and for every render enclosing it (a page that includes a fragment depends on what the
 * fragment read). A read outside any render costs one {@code ThreadLocal.get()}. After the render, the page's keys
 * replace its previous ones in the {@link PageIndex}, even when the render threw: a cached error page (a 404) must be
 * purged when the row it missed appears.
 *
 * <p><b>Write side.</b> Each table and pinned column a tracked read touched is registered with {@link Rules#track}, so
 * that every later write of it produces its keys through the rules' machinery (old values read before an UPDATE,
 * records, batch binds); the keys travel as {@link Dependency#target()} strings where paths travel (held until the
 * commit, written to the outbox), and the dispatcher asks {@link #expand} for the URLs they stand for just before it
 * owes them: in the releasing thread, a map lookup in the in-memory index.
 *
 * <p><b>The render/commit race.</b> A render that read before a write committed, but registers its keys only after
 * that write's keys were expanded, would leave its page cached stale forever. Every expansion first appends its keys
 * to a short log of recently committed keys ({@link Recent}), numbered; every render notes the log's number when it
 * starts and, after registering its keys, looks for a key of its own committed since. The index and the log are each
 * guarded by a lock, so either the expansion sees the render's keys (and purges the page as usual) or the render sees
 * the committed key: then the page may be stale, and Roan asks the cache not to store it ({@code Cache-Control:
 * no-store}, through the 3-argument {@code track}), purges it (by URL, and by its keys where a node purges by tag) at
 * once and once more after a delay (the re-purge delay, or {@link #RACE_REPURGE_DELAY}), after the response has
 * reached the cache. A log that wrapped since the render started cannot tell, and counts as a hit. This log sees only this instance's
 * commits; an index shared through the database keeps one of its own for the other instances' ({@code
 * DatabasePageIndex}, "the log of committed keys"), which {@link PageIndex#replace(String, Set, long)} consults.
 */
final class Tracking {

    private static final System.Logger LOG = Log.LOGGER;
    /** How long after a render that overlapped a commit of its keys Roan purges its page again, by default. */
    static final Duration RACE_REPURGE_DELAY = Duration.ofSeconds(1);
    /** Committed keys remembered for renders in progress. */
    static final int RECENT_KEYS = 8_192;

    private final ThreadLocal<@Nullable Render> current = new ThreadLocal<>();
    private final Rules rules;
    private final Dispatcher dispatcher;
    private final ReadAnalysis analysis = new ReadAnalysis();
    /**
     * The page index, or null where the caches purge keys themselves (tags) and no instance shares the pins; with
     * tags only and a shared index, the database's index in its pins-only form.
     */
    private final @Nullable PageIndex index;
    private final Duration raceDelay;
    private final List<String> restartPurge;
    private final Recent recent = new Recent(RECENT_KEYS);
    private final AtomicBoolean started = new AtomicBoolean();
    private final LongAdder overlapped = new LongAdder();
    private final AtomicBoolean warnedFailure = new AtomicBoolean();
    private final AtomicBoolean warnedRoutine = new AtomicBoolean();
    /**
     * The headers a tracked page carries for caches that purge by tag, name to value for the page's keys ({@code
     * TagHeader}s); empty without such caches. With them, keys are also kept among the targets for the nodes that take
     * them.
     */
    private final Function<Set<Dependency>, Map<String, String>> tagHeaders;
    private final boolean keepKeys;

    /**
     * @param index        the page index; null for caches that take the keys themselves
     * @param raceDelay    how long after a render that overlapped a commit its page is purged again
     * @param restartPurge purged at the first render of this process, for the pages an in-memory index forgot
     */
    Tracking(Rules rules, Dispatcher dispatcher, @Nullable PageIndex index, Duration raceDelay,
            List<String> restartPurge) {
        this(rules, dispatcher, index, raceDelay, restartPurge, keys -> Map.of(), false);
    }

    /**
     * @param tagHeaders the headers for caches that purge by tag (name to value for a page's keys)
     * @param keepKeys   whether some node purges by tag, so that keys stay among the targets next to their URLs
     */
    Tracking(Rules rules, Dispatcher dispatcher, @Nullable PageIndex index, Duration raceDelay,
            List<String> restartPurge, Function<Set<Dependency>, Map<String, String>> tagHeaders, boolean keepKeys) {
        this.tagHeaders = tagHeaders;
        this.keepKeys = keepKeys || index == null;
        this.rules = rules;
        this.dispatcher = dispatcher;
        this.index = index;
        this.raceDelay = raceDelay;
        this.restartPurge = List.copyOf(restartPurge);
        // Always: an outbox row written by a previous process may hold keys before this one tracks anything.
        dispatcher.keys(this::expand);
    }

    /**
     * Runs a render as a tracked page; see {@link Roan#track(String, Supplier, BiConsumer)}.
     *
     * @param url     the checked page path
     * @param headers receives the headers the response must carry; null for none
     */
    <T> T track(String url, Supplier<T> render, @Nullable BiConsumer<String, String> headers) {
        if (started.compareAndSet(false, true)) {
            firstRender();
        }
        Render parent = current.get();
        Render frame = new Render(url, recent.last(), parent, dispatcher.ticker().read());
        current.set(frame);
        T result;
        try {
            result = render.get();
        } catch (RuntimeException | Error e) {
            end(parent);
            // The application may turn the exception into a cached page (a 404): it carries its tags too.
            finish(frame, headers);
            throw e;
        }
        end(parent);
        finish(frame, headers);
        return result;
    }

    private void end(@Nullable Render parent) {
        if (parent == null) {
            current.remove();
        } else {
            current.set(parent);
        }
    }

    /** The restart story of an in-memory index: it cannot know what the cache stored before this process. */
    private void firstRender() {
        if (index == null) {
            LOG.log(Level.INFO, "Roan learns which columns tracked reads pin from this instance's renders only: behind"
                    + " a cache that purges by tag, a write on another instance that never rendered such a page"
                    + " produces no key for it, and the page stays stale. Behind several instances, set"
                    + " Roan.Builder.pageIndex(dataSource), which shares the pins through a table of the application's"
                    + " database. (Logged once.)");
            return;
        }
        if (!(index instanceof MemoryPageIndex)) {
            return;
        }
        if (!restartPurge.isEmpty()) {
            LOG.log(Level.INFO, () -> "Roan tracks pages in memory: pages the cache stored before this process started"
                    + " are unknown to it, so Roan purges " + restartPurge + " (onOverflowPurge) at its first tracked"
                    + " render.");
            dispatcher.submit(restartPurge);
        } else {
            LOG.log(Level.INFO, "Roan tracks pages in memory: pages the cache stored before this process started are"
                    + " unknown to it, and no write purges them. Clear the cache when the application starts, set"
                    + " Roan.Builder.onOverflowPurge to a purge that covers every page (Roan sends it at the first"
                    + " tracked render), or share the index through the database. (Logged once.)");
        }
    }

    private void finish(Render frame, @Nullable BiConsumer<String, String> headers) {
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, describe(frame.url, frame.keys));
        }
        boolean elsewhere = index != null && index.replace(frame.url, frame.keys, frame.startedNanos);
        if (recent.touchedSince(frame.since, frame.keys) || elsewhere) {
            overlapped.increment();
            LOG.log(Level.DEBUG, () -> "Roan: a write committed keys of " + frame.url + " while it rendered; purging it"
                    + " after the response");
            if (headers != null) {
                headers.accept("Cache-Control", "no-store");
            }
            Collection<String> page = keepKeys ? new RacePurge(frame) : Set.of(frame.url);
            dispatcher.submit(page);
            dispatcher.submitAfter(page, raceDelay);
        }
        if (headers != null && !frame.keys.isEmpty()) {
            tagHeaders.apply(frame.keys).forEach(headers);
        }
    }

    /** Keys shown in a render's DEBUG line at most; the rest are counted. */
    static final int KEYS_SHOWN = 20;

    /**
     * A render's DEBUG line: {@code Roan tracked /owners/4: owners.id=4, pets.owner_id=4, types}, the first {@link
     * #KEYS_SHOWN} keys and how many more, printable whatever the URL and the values hold.
     */
    static String describe(String url, Set<Dependency> keys) {
        StringBuilder sb = new StringBuilder(64).append("Roan tracked ").append(url).append(':');
        int shown = 0;
        int all = 0;
        for (Dependency key : keys) {
            // A row key's table also stands for its writes of rows Roan cannot tell: implied, not worth a word.
            if (key.isAnyRow()) {
                continue;
            }
            all++;
            if (shown < KEYS_SHOWN) {
                sb.append(shown++ == 0 ? " " : ", ").append(key);
            }
        }
        if (all == 0) {
            sb.append(" no key (the render read nothing Roan sees)");
        } else if (all > shown) {
            sb.append(", ... (").append(all).append(" keys)");
        }
        return PurgePaths.printable(sb.toString());
    }

    /**
     * The listener's hook at each statement's start: one {@code ThreadLocal.get()} outside a render. A read inside one
     * adds its keys to the render and those enclosing it; failures are logged once and add {@link
     * Dependency#EVERYTHING} (when in doubt, depend on more).
     */
    void read(ExecuteContext ctx) {
        Render frame = current.get();
        if (frame == null) {
            return;
        }
        Query query = ctx.query();
        if (query == null) {
            if (ctx.batchQueries().length > 0 && ctx.routine() == null) {
                return;
            }
            // A stored procedure or function call (or a statement jOOQ shows no query of): what it reads is unknown.
            if (warnedRoutine.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Roan cannot tell what a stored procedure call (or a statement without a"
                        + " jOOQ query) inside a tracked render reads, so its page depends on every write. (Logged"
                        + " once.)");
            }
            rules.trackEverything();
            if (index != null) {
                index.pinned("*", null);
            }
            for (Render r = frame; r != null; r = r.parent) {
                r.keys.add(Dependency.EVERYTHING);
            }
            return;
        }
        if (!(query instanceof Select) && !SqlText.isPlainSql(query)) {
            return;
        }
        Set<Dependency> keys;
        try {
            ReadAnalysis.Keys read = analysis.analyse(query, ctx.sql(), ctx.dialect(), ctx.connection());
            if (read == null) {
                return;
            }
            learn(read);
            keys = read.keys();
        } catch (RuntimeException | LinkageError e) {
            if (warnedFailure.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Roan failed to analyse a tracked read, so its page depends on every write."
                        + " Please report this with the stack trace (logged once).", e);
            }
            rules.trackEverything();
            if (index != null) {
                index.pinned("*", null);
            }
            keys = Set.of(Dependency.EVERYTHING);
        }
        for (Render r = frame; r != null; r = r.parent) {
            r.keys.addAll(keys);
        }
    }

    /** Makes the writes of what a read touched produce its keys from now on. */
    private void learn(ReadAnalysis.Keys read) {
        for (ReadAnalysis.Pin pin : read.pins()) {
            rules.track(pin.table(), pin.column());
            if (index != null) {
                index.pinned(Tables.unaliased(pin.table()).getName(), pin.column());
            }
        }
        if (read.keys().contains(Dependency.EVERYTHING)) {
            rules.trackEverything();
            if (index != null) {
                index.pinned("*", null);
            }
        }
    }

    /** The keys a read gives, without recording them: for tests and {@code explain}. */
    ReadAnalysis.@Nullable Keys analyse(Query query) {
        return analysis.analyse(query, null, query.configuration() == null ? org.jooq.SQLDialect.DEFAULT
                : query.configuration().dialect());
    }

    /**
     * The dispatcher's hook: the targets with each key replaced by the URLs of the pages that depend on it (none
     * known: nothing); every key is first logged for renders in progress. Targets without keys are returned as they
     * are, at the cost of a look at each one's first character.
     */
    Collection<String> expand(Collection<String> targets) {
        if (targets instanceof RacePurge) {
            return targets;
        }
        List<Dependency> keys = null;
        for (String target : targets) {
            if (Dependency.isTarget(target)) {
                if (keys == null) {
                    keys = new ArrayList<>(targets.size());
                }
                keys.add(Dependency.ofTarget(target));
            }
        }
        if (keys == null) {
            return targets;
        }
        recent.append(keys);
        if (index == null) {
            return targets;
        }
        Set<String> paths = new LinkedHashSet<>();
        for (String target : targets) {
            if (keepKeys || !Dependency.isTarget(target)) {
                paths.add(target);
            }
        }
        return index.expand(paths, keys);
    }

    /** Renders that overlapped a commit of one of their keys, since this Roan was built. */
    long overlappedRenders() {
        return overlapped.sum();
    }

    @Nullable
    PageIndex index() {
        return index;
    }

    void close() {
        if (index != null) {
            index.close();
        }
    }

    /**
     * The purge of a render that overlapped a commit, where some node purges by tag: its URL for the nodes that take
     * paths, and its keys for those that take keys (Fastly and Cloudflare refuse a URL outside their zone). Neither
     * expanded through the index (other pages did not overlap) nor logged as committed keys, so that it cannot make
     * renders in progress count as overlapped in turn.
     */
    private static final class RacePurge extends AbstractCollection<String> {
        private final List<String> targets;

        RacePurge(Render frame) {
            List<String> all = new ArrayList<>(frame.keys.size() + 1);
            all.add(frame.url);
            for (Dependency key : frame.keys) {
                all.add(key.target());
            }
            this.targets = List.copyOf(all);
        }

        @Override
        public Iterator<String> iterator() {
            return targets.iterator();
        }

        @Override
        public int size() {
            return targets.size();
        }
    }

    /** One tracked render in progress on a thread. */
    private static final class Render {
        final String url;
        /** The number of the last committed key when the render started. */
        final long since;
        final @Nullable Render parent;
        final Set<Dependency> keys = new LinkedHashSet<>();
        /** When it started, by the dispatcher's ticker: how far back a shared index looks for other commits. */
        final long startedNanos;

        Render(String url, long since, @Nullable Render parent, long startedNanos) {
            this.url = url;
            this.since = since;
            this.parent = parent;
            this.startedNanos = startedNanos;
        }
    }

    /** The last {@code size} committed keys, numbered from 1. */
    static final class Recent {
        private final Dependency[] keys;
        /** The number of the next key appended. Guarded by this. */
        private long next = 1;

        Recent(int size) {
            this.keys = new Dependency[size];
        }

        synchronized long last() {
            return next - 1;
        }

        synchronized void append(Collection<Dependency> committed) {
            for (Dependency key : committed) {
                keys[(int) (next % keys.length)] = key;
                next++;
            }
        }

        /** Whether a key of {@code page} was committed after number {@code since}; true if the log cannot tell. */
        synchronized boolean touchedSince(long since, Set<Dependency> page) {
            if (next - 1 == since || page.isEmpty()) {
                return false;
            }
            if (next - since - 1 > keys.length) {
                return true;
            }
            boolean all = page.contains(Dependency.EVERYTHING);
            for (long n = since + 1; n < next; n++) {
                if (all || page.contains(keys[(int) (n % keys.length)])) {
                    return true;
                }
            }
            return false;
        }
    }
}
