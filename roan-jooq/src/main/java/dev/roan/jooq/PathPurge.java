package dev.roan.jooq;

import java.net.URI;
import java.net.http.HttpRequest;

/**
 * The purges of today's caches: one bodiless request per page path, to {@code {purgeUrl}{path}}. 2xx means purged;
 * 404 and 412 mean the page was not cached (ngx_cache_purge's answers: 404 up to 2.3, 412 from 2.5 on; Roan sends
 * no conditional header, so 412 cannot mean a failed precondition of its own). Every other answer gets a hint of its
 * own family; the words that depend on the cache come from the subclass.
 */
abstract class PathPurge implements CacheProtocol {

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
    public final Verdict verdict(int status) {
        if (status / 100 == 2) {
            return Verdict.done("");
        }
        if (status == 404 || status == 412) {
            return Verdict.done("was not cached");
        }
        String http = "HTTP " + status;
        if (status == 429) {
            return Verdict.refused(http + " on every attempt (the cache limits the rate of requests from this host: "
                    + rateHint() + ")");
        }
        if (status >= 500) {
            return Verdict.refused(http + " on every attempt (the cache node failed each time: see its error log)");
        }
        if (status / 100 == 3) {
            return Verdict.refused(http + " (a redirect, which Roan does not follow: point the purge URL at the"
                    + " cache's purge location itself)");
        }
        return Verdict.refused(http + " (" + switch (status) {
            case 401, 403 -> "the cache refused this host or its credentials: " + accessHint()
                    + ", or send the header it expects with Roan.Builder.header";
            case 405 -> "the cache does not accept " + method + " purges at this URL: " + methodHint();
            case 414 -> "the path is too long for the cache's request line: keep page paths shorter, such as with"
                    + " shorter placeholder values, or raise " + requestLineLimit();
            case 431 -> "the purge's headers are too large for the cache: send fewer or shorter headers with"
                    + " Roan.Builder.header, or raise " + headerLimit();
            default -> locationHint();
        } + ")");
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
    abstract String rateHint();

    /** What a purge location that works looks like, for any other answer. */
    abstract String locationHint();

    @Override
    public String toString() {
        return method + " " + purgeUrl + "{path}";
    }
}
