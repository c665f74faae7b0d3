package dev.roan.jooq;

/**
 * Which tag header tracked pages carry ({@link Roan.Builder#tagHeader(CacheTagHeader)}): the header a cache that
 * purges by tag reads from the application's responses, with the limits of that cache. A page's dependencies are
 * written as short tokens ({@code roan-t-owners} for a table, {@code roan-r-} and 16 hex digits for a row key); when a
 * page has more than its cache's limit takes, the row keys of its largest tables collapse to their table's token, so
 * that no dependency is dropped: the page is purged more often, never left stale.
 *
 * @since 0.1.0
 */
public enum CacheTagHeader {

    /**
     * Varnish with varnish-modules' xkey: {@code xkey}, tokens separated by spaces, the header line
     * ({@code xkey: ...}) within Varnish's {@code http_resp_hdr_len}, 8,192 bytes by default (a longer one makes
     * Varnish answer 503 for the page). Purged by {@link Roan.Builder#xkeyPurgeUrls}.
     */
    VARNISH_XKEY("xkey", ' ', 8192 - "xkey: ".length(), Integer.MAX_VALUE, Integer.MAX_VALUE),

    /**
     * Fastly: {@code Surrogate-Key}, tokens separated by spaces, at most 16,384 bytes in all and 1,024 per key
     * (Fastly ignores the key that crosses a limit and every key after it). Purged by {@link Roan.Builder#fastly}.
     */
    FASTLY_SURROGATE_KEY("Surrogate-Key", ' ', 16_384, 1_024, Integer.MAX_VALUE),

    /**
     * Cloudflare: {@code Cache-Tag}, tokens separated by commas, at most 16 KB after the header's name, and 1,024
     * characters per tag (the longest tag its purge API takes). Purged by {@link Roan.Builder#cloudflare}.
     */
    CLOUDFLARE_CACHE_TAG("Cache-Tag", ',', 16_384 - 2, 1_024, Integer.MAX_VALUE),

    /**
     * Akamai: {@code Edge-Cache-Tag}, tokens separated by commas, at most 128 tags per object (Akamai ignores the
     * rest) of at most 128 characters each, within Akamai's 8,192 bytes of response headers. Roan writes the header;
     * purge through Akamai's Fast Purge API by tag yourself, or through a path cache in front.
     */
    AKAMAI_EDGE_CACHE_TAG("Edge-Cache-Tag", ',', 8192 - "Edge-Cache-Tag: ".length(), 128, 128);

    private final TagHeader header;

    CacheTagHeader(String name, char separator, int maxValueBytes, int maxTagBytes, int maxTags) {
        this.header = new LimitedTagHeader(name, separator, maxValueBytes, maxTagBytes, maxTags);
    }

    /**
     * Returns the header's name, such as {@code "xkey"} or {@code "Surrogate-Key"}.
     *
     * @return the name of the response header
     */
    public String headerName() {
        return header.name();
    }

    /** The header, with this cache's limits. */
    TagHeader header() {
        return header;
    }
}
