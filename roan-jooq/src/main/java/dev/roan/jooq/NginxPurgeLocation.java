package dev.roan.jooq;

/**
 * nginx with ngx_cache_purge in a separate location: {@code GET {purgeUrl}{path}}, such as
 * {@code GET http://localhost/purge/posts/1} for the page {@code /posts/1}.
 */
final class NginxPurgeLocation extends PathPurge {

    /**
     * A purge location that works, for every hint that points at the location: its parts, not a copy of the
     * README's, which alone shows how purges reach it.
     */
    private static final String LOCATION = "an nginx location with 'allow <this host's address>; deny all;"
            + " proxy_cache_purge <zone> <key>;' (see the README, \"Quick start\")";

    NginxPurgeLocation(String purgeUrl) {
        super(purgeUrl, "GET");
    }

    @Override
    String accessHint() {
        return "allow this host's address in the purge location, as in " + LOCATION;
    }

    @Override
    String methodHint() {
        return "point the purge URL at an ngx_cache_purge location, such as " + LOCATION + ", or set"
                + " purgeMethod(\"PURGE\") for a cache that purges with the PURGE method";
    }

    @Override
    String requestLineLimit() {
        return "nginx's large_client_header_buffers (8k by default)";
    }

    @Override
    String headerLimit() {
        return "nginx's large_client_header_buffers";
    }

    @Override
    String rateLimitHint() {
        return "exempt the purge location from limit_req";
    }

    @Override
    String locationHint() {
        return "check that the cache has a purge location at this URL that accepts GET from this host: "
                + LOCATION;
    }
}
