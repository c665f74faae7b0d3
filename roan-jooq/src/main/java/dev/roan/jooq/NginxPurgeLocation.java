package dev.roan.jooq;

/**
 * nginx with ngx_cache_purge in a separate location: {@code GET {purgeUrl}{path}}, such as
 * {@code GET http://localhost/purge/posts/1} for the page {@code /posts/1}.
 */
final class NginxPurgeLocation extends PathPurge {

    NginxPurgeLocation(String purgeUrl) {
        super(purgeUrl, "GET");
    }

    @Override
    String accessHint() {
        return "allow it in the purge location (nginx: 'allow <this host's address>;' before 'deny all;')";
    }

    @Override
    String methodHint() {
        return "point the purge URL at an ngx_cache_purge location (see the README, \"Quick start\"), or set"
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
    String rateHint() {
        return "exempt the purge location from limit_req";
    }

    @Override
    String locationHint() {
        return "check that the cache has a purge location at this URL that accepts GET from this host, e.g. nginx"
                + " 'location ~ ^/purge(/.*)$ { allow 127.0.0.1; deny all; proxy_cache_purge <zone> $1$is_args$args; }'"
                + " (see the README, \"Quick start\")";
    }
}
