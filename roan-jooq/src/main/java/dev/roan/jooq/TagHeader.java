package dev.roan.jooq;

import java.util.Set;

/**
 * The response header that carries a tracked page's dependencies to a cache that purges by tag: Varnish's
 * {@code xkey} (varnish-modules), Fastly's {@code Surrogate-Key}, Cloudflare's {@code Cache-Tag}, Akamai's
 * {@code Edge-Cache-Tag}. The tokens are {@link Dependency#tag()}; a write purges {@code Dependency.ofTarget(t).tag()}
 * on the same cache, so the two meet.
 *
 * <p>{@link #value} never drops a dependency: when the tags of every key would not fit the cache's limit, row keys
 * collapse to their table's key (the page is then purged by any write to that table: more purges, never a stale
 * page). {@code Settings.tagHeaders()} holds the headers a Roan's pages carry, one per kind of cache it purges by
 * tag; see {@link CacheTagHeader} for the limits of each.
 */
interface TagHeader {

    /** The header's name, such as {@code "xkey"} or {@code "Surrogate-Key"}. */
    String name();

    /**
     * The header's value for a page that depends on {@code keys}: their tags, separated as the cache expects, within
     * its limit; row keys of a table whose key is among them are left out (the table's tag covers them).
     *
     * @param keys what the page read; not empty
     * @return the value, printable ASCII
     */
    String value(Set<Dependency> keys);
}
