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
     * The URLs of the pages that depend on one of {@code keys}: what a committed write owes to purge. Called where
     * purges are released (a map lookup for the in-memory index).
     *
     * @return the URLs, empty if no known page depends on them
     */
    Set<String> urls(Collection<Dependency> keys);

    /** Releases what the index holds (a connection pool's statements, threads); the in-memory index forgets. */
    @Override
    default void close() {}
}
