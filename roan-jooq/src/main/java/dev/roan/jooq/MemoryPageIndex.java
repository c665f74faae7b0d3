package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The page index of one application instance, in memory: key to URLs and URL to keys, learnt from tracked renders.
 *
 * <p>Bounded by a number of pages: rendering a page beyond the bound forgets the page rendered longest ago, and
 * purges it (through {@code evicted}) as it is forgotten, so that no write can miss it: the cache renders it again on
 * the next request, and the index learns it again. Each eviction is counted ({@link #evictions()}); the first is
 * logged at INFO with what to do about it.
 *
 * <p>After a restart the index is empty: pages the cache stored while the previous process ran are unknown to it, so
 * a write does not purge them. {@link Tracking} purges the {@code onOverflowPurge} paths at the first tracked render of
 * a process, when they are set, and says so once otherwise (see the README, "Automatic dependencies").
 */
final class MemoryPageIndex implements PageIndex {

    private static final System.Logger LOG = Log.LOGGER;
    /** Pages known at most unless {@code Roan.Builder.maxTrackedPages} says otherwise. */
    static final int DEFAULT_MAX_PAGES = 100_000;
    /**
     * Row keys of one table a page keeps at most: beyond, they collapse to the table's key, which every write of the
     * table produces, so that a page reading rows one by one (N+1) costs a bounded number of keys.
     */
    static final int MAX_ROW_KEYS_PER_TABLE = ReadAnalysis.MAX_VALUES;

    private final int maxPages;
    private final Consumer<String> evicted;
    /** URL to its keys, in the order pages were last rendered (the eldest first). Guarded by this. */
    private final LinkedHashMap<String, Set<Dependency>> keysByUrl = new LinkedHashMap<>();
    /** Key to the URLs that depend on it. Guarded by this. */
    private final Map<Dependency, Set<String>> urlsByKey = new HashMap<>();
    /** Pages forgotten at the bound. Guarded by this. */
    private long evictions;

    /**
     * @param maxPages how many pages it knows at most, at least 1
     * @param evicted  purges a page forgotten at the bound; called outside the index's lock
     */
    MemoryPageIndex(int maxPages, Consumer<String> evicted) {
        if (maxPages < 1) {
            throw new IllegalArgumentException("maxPages must be at least 1, such as 100000");
        }
        this.maxPages = maxPages;
        this.evicted = evicted;
    }

    @Override
    public void replace(String url, Set<Dependency> keys) {
        List<String> forgotten = null;
        boolean first;
        synchronized (this) {
            Set<Dependency> old = keysByUrl.remove(url);
            if (old != null) {
                unlink(url, old);
            }
            if (keys.isEmpty()) {
                return;
            }
            Set<Dependency> copy = Set.copyOf(bounded(keys));
            keysByUrl.put(url, copy);
            for (Dependency key : copy) {
                urlsByKey.computeIfAbsent(key, k -> new LinkedHashSet<>(2)).add(url);
            }
            first = evictions == 0;
            Iterator<Map.Entry<String, Set<Dependency>>> eldest = keysByUrl.entrySet().iterator();
            while (keysByUrl.size() > maxPages) {
                Map.Entry<String, Set<Dependency>> e = eldest.next();
                eldest.remove();
                unlink(e.getKey(), e.getValue());
                if (forgotten == null) {
                    forgotten = new ArrayList<>(1);
                }
                forgotten.add(e.getKey());
                evictions++;
            }
        }
        if (forgotten != null) {
            if (first) {
                LOG.log(Level.INFO, "Roan's page index holds " + maxPages + " pages, its bound: each page rendered"
                        + " beyond it makes Roan forget and purge the page rendered longest ago, which the cache then"
                        + " renders again. Raise Roan.Builder.maxTrackedPages if this happens often (see"
                        + " Roan.toString(), pageEvictions). (Logged once.)");
            }
            for (String page : forgotten) {
                evicted.accept(page);
            }
        }
    }

    /** The keys with the row keys of each table that has more than {@link #MAX_ROW_KEYS_PER_TABLE} collapsed. */
    static Set<Dependency> bounded(Set<Dependency> keys) {
        if (keys.size() <= MAX_ROW_KEYS_PER_TABLE) {
            return keys;
        }
        Map<String, Integer> rows = new HashMap<>();
        for (Dependency key : keys) {
            if (!key.isTable()) {
                rows.merge(key.table(), 1, Integer::sum);
            }
        }
        rows.values().removeIf(n -> n <= MAX_ROW_KEYS_PER_TABLE);
        if (rows.isEmpty()) {
            return keys;
        }
        Set<Dependency> out = new LinkedHashSet<>();
        for (Dependency key : keys) {
            out.add(rows.containsKey(key.table()) ? key.tableKey() : key);
        }
        return out;
    }

    private void unlink(String url, Set<Dependency> keys) {
        for (Dependency key : keys) {
            Set<String> urls = urlsByKey.get(key);
            if (urls != null && urls.remove(url) && urls.isEmpty()) {
                urlsByKey.remove(key);
            }
        }
    }

    @Override
    public synchronized Set<String> urls(Collection<Dependency> keys) {
        Set<String> urls = null;
        for (Dependency key : keys) {
            Set<String> found = urlsByKey.get(key);
            if (found != null) {
                if (urls == null) {
                    urls = new LinkedHashSet<>();
                }
                urls.addAll(found);
            }
        }
        return urls == null ? Set.of() : urls;
    }

    /** The keys of a page, or an empty set if unknown: for tests. */
    synchronized Set<Dependency> keys(String url) {
        return keysByUrl.getOrDefault(url, Set.of());
    }

    /** Pages known now. */
    synchronized int size() {
        return keysByUrl.size();
    }

    /** Pages forgotten (and purged) at the bound since this index was made. */
    synchronized long evictions() {
        return evictions;
    }

    @Override
    public synchronized void close() {
        keysByUrl.clear();
        urlsByKey.clear();
    }

    @Override
    public synchronized String toString() {
        return "MemoryPageIndex[pages=" + keysByUrl.size() + ", keys=" + urlsByKey.size() + ", maxPages=" + maxPages
                + ", evictions=" + evictions + "]";
    }
}
