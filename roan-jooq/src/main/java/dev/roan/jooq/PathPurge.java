package dev.roan.jooq;

import java.net.URI;
import java.net.http.HttpRequest;

import org.jspecify.annotations.Nullable;

/**
 * The purges of today's caches: one bodiless request per page path, to {@code {purgeUrl}{path}}. 2xx means purged;
 * 404 and 412 mean the page was not cached (ngx_cache_purge's answers: 404 up to 2.3, 412 from 2.5 on; Roan sends
 * no conditional header, so 412 cannot mean a failed precondition of its own). Every other answer gets a hint of its
 * own family; the words that depend on the cache come from the subclass.
 */
abstract class PathPurge extends HintedProtocol {

    private final String purgeUrl;
    private final String method;

    PathPurge(String purgeUrl, String method) {
        this.purgeUrl = purgeUrl;
        this.method = method;
    }

    @Override
    public final URI uri(String path) {
        return URI.create(purgeUrl + path);
    }

    @Override
    public final HttpRequest.Builder request(HttpRequest.Builder base, String path) {
        return base.uri(uri(path)).method(method, HttpRequest.BodyPublishers.noBody());
    }

    @Override
    public final String method() {
        return method;
    }

    @Override
    final @Nullable String doneRemark(int status) {
        return status == 404 || status == 412 ? "was not cached" : null;
    }

    @Override
    final String rateHint() {
        return "the cache limits the rate of requests from this host: " + rateLimitHint();
    }

    @Override
    final String failedHint() {
        return "the cache node failed each time: see its error log";
    }

    @Override
    final String redirectHint() {
        return "point the purge URL at the cache's purge location itself";
    }

    @Override
    final String refusedHint(int status) {
        return switch (status) {
            case 401, 403 -> "the cache refused this host or its credentials: " + accessHint()
                    + ", or send the header it expects with Roan.Builder.header";
            case 405 -> "the cache does not accept " + method + " purges at this URL: " + methodHint();
            case 414 -> "the path is too long for the cache's request line: keep page paths shorter, such as with"
                    + " shorter placeholder values, or raise " + requestLineLimit();
            case 431 -> "the purge's headers are too large for the cache: send fewer or shorter headers with"
                    + " Roan.Builder.header, or raise " + headerLimit();
            default -> locationHint();
        };
    }

    /** How to let this host purge, for 401 and 403. */
    abstract String accessHint();

    /** How to make the cache accept the method, for 405. */
    abstract String methodHint();

    /** What limits the request line, for 414. */
    abstract String requestLineLimit();

    /** What limits the headers, for 431. */
    abstract String headerLimit();

    /** How to exempt purges from a rate limit, for 429. */
    abstract String rateLimitHint();

    /** What a purge location that works looks like, for any other answer. */
    abstract String locationHint();

    @Override
    public String toString() {
        return method + " " + purgeUrl + "{path}";
    }
}
