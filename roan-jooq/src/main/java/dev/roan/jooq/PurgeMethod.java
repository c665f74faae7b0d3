package dev.roan.jooq;

/**
 * A request of a purge method, usually {@code PURGE}, to the page's own URL on the cache:
 * {@code PURGE {purgeUrl}{path}}, such as {@code PURGE http://cache:6081/posts/1}. Varnish purges so with a
 * {@code vcl_recv} that returns {@code (purge)}; nginx with the PURGE form the README shows.
 */
final class PurgeMethod extends PathPurge {

    PurgeMethod(String purgeUrl, String method) {
        super(purgeUrl, method);
    }

    @Override
    String accessHint() {
        return "allow it to purge (Varnish: the ACL checked in vcl_recv; nginx: 'allow' in the purge location)";
    }

    @Override
    String methodHint() {
        return "Varnish needs a vcl_recv that returns (purge) for " + method() + ", with this host in the ACL it"
                + " checks (the README's VCL answers 405 to other clients); nginx needs the method routed to a purge"
                + " location (see the README, \"Purging the way your cache wants it\")";
    }

    @Override
    String requestLineLimit() {
        return "nginx's large_client_header_buffers (8k by default) or Varnish's http_req_size";
    }

    @Override
    String headerLimit() {
        return "nginx's large_client_header_buffers or Varnish's http_req_hdr_len";
    }

    @Override
    String rateLimitHint() {
        return "exempt purges from the rate limit";
    }

    @Override
    String locationHint() {
        return "check that the cache purges with " + method() + " at this URL from this host: Varnish, a vcl_recv"
                + " that returns (purge) for " + method() + " from allowed clients; nginx, the PURGE form in the README,"
                + " \"Purging the way your cache wants it\"";
    }
}
