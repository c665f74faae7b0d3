package dev.roan.jooq;

import java.util.Collection;
import java.util.Set;

/**
 * For caches without tags (nginx): which page URLs depend on which {@link Dependency} keys, learnt from tracked renders
 * ({@code Roan.track}), so that a committed write's keys can be turned into the URLs to purge. One instance keeps it in
 * memory ({@code MemoryPageIndex}); several share one through the database.
 *
 * <p>Never a missed purge: an implementation that must forget a page (a bound reached) purges it as it forgets it,
 * through the {@code evicted} callback it was given, so that the page is rendered and learnt again.
 */
interface PageIndex extends AutoCloseable {

    /**
     * Records that the page at {@code url} depends on exactly {@code keys} now: a page rendered again replaces the
     * keys of its previous render. Called after each tracked render, on the rendering thread.
     *
     * @param url  a page path as {@code Roan.track} checked it, starting with {@code /}
     * @param keys the page's keys; empty for a page that read nothing (it is then forgotten)
     */
    void replace(String url, Set<Dependency> keys);

    /**
     * As {@link #replace}, after a render that started at {@code startedNanos} (by the dispatcher's {@link Ticker});
     * also tells whether a write of one of {@code keys} committed on another instance since then, so that the page may
     * be stale ({@code Tracking}'s own log sees this instance's commits only).
     *
     * @return true if such a write committed, or if the index cannot tell
     */
    default boolean replace(String url, Set<Dependency> keys, long startedNanos) {
        replace(url, keys);
        return false;
    }

    /**
     * The URLs of the pages that depend on one of {@code keys}: what a committed write owes to purge. Called where
     * purges are released (a map lookup for the in-memory index).
     *
     * @return the URLs, empty if no known page depends on them
     */
    Set<String> urls(Collection<Dependency> keys);

    /**
     * What the dispatcher owes now for released targets: {@code paths} (the targets that are page paths, a set of the
     * caller's) and the URLs of the pages that depend on {@code keys}. The in-memory index looks them up here, on the
     * releasing thread; an index that must not be read there (the database's) takes the keys to a thread of its own,
     * which submits their URLs later, and returns {@code paths} alone.
     *
     * @return what to owe now
     */
    default Collection<String> expand(Set<String> paths, java.util.List<Dependency> keys) {
        paths.addAll(urls(keys));
        return paths;
    }

    /**
     * A tracked read pinned {@code column} of {@code table}, or read the table alone ({@code column} null), or read
     * what Roan cannot analyse ({@code table} {@code "*"}): an index shared by instances tells the others, so that
     * their writes produce these keys too (each instance learns pins from its own renders only). Called at each
     * tracked read, after the pin is registered locally: cheap when known.
     *
     * @param table  the table's name as {@code Rules} registers it (unaliased, without schema)
     * @param column the pinned column, or null
     */
    default void pinned(String table, @org.jspecify.annotations.Nullable String column) {}

    /** Releases what the index holds (a connection pool's statements, threads); the in-memory index forgets. */
    @Override
    default void close() {}
}
