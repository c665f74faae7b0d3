package dev.roan.jooq;

import org.jspecify.annotations.Nullable;

/**
 * The one skeleton that turns a cache's answer into a {@link CacheProtocol.Verdict}, so that a protocol says only the
 * facts of its own cache: which answers besides 2xx mean done, and the hint for each family of refusal. Every verdict
 * reads {@code HTTP <status>[ on every attempt][<the API's errors>] (<hint>)}, the same words for every cache, so a
 * user who has read one knows how to read the others.
 */
abstract class HintedProtocol implements CacheProtocol {

    @Override
    public final Verdict verdict(int status) {
        return verdict(status, null);
    }

    @Override
    public final Verdict verdict(int status, @Nullable String body) {
        if (status / 100 == 2) {
            return succeeded(status, body);
        }
        String remark = doneRemark(status);
        if (remark != null) {
            return Verdict.done(remark);
        }
        String http = "HTTP " + status;
        String errors = errors(body);
        if (status == 429) {
            return Verdict.refused(http + (rateLimitRetried() ? " on every attempt" : "") + errors + " ("
                    + rateHint() + ")");
        }
        if (status >= 500) {
            return Verdict.refused(http + " on every attempt" + errors + " (" + failedHint() + ")");
        }
        if (status / 100 == 3) {
            return Verdict.refused(http + " (a redirect, which Roan does not follow: " + redirectHint() + ")");
        }
        return Verdict.refused(http + errors + " (" + refusedHint(status) + ")");
    }

    /** What a 2xx means: done, unless the cache's body says otherwise (a CDN API's {@code "success": false}). */
    Verdict succeeded(int status, @Nullable String body) {
        return Verdict.done("");
    }

    /** The remark of an answer other than 2xx that still means done (such as "was not cached"), or null. */
    @Nullable String doneRemark(int status) {
        return null;
    }

    /**
     * The errors an answer's body names, as a verdict quotes them ({@code ": error 1134: ..."}), or empty: only a
     * protocol that {@linkplain #readsBody() reads bodies} has any.
     */
    String errors(@Nullable String body) {
        return "";
    }

    /**
     * Whether a 429 reached the verdict after every attempt: true for a cache's own rate limit, which the transport
     * retries; false for an API whose 429 says when to come back (the dispatcher waits that long).
     */
    boolean rateLimitRetried() {
        return true;
    }

    /** Who limits the rate, and how to lift it, for 429. */
    abstract String rateHint();

    /** What failed, and where to look, for 5xx on every attempt. */
    abstract String failedHint();

    /** Where the URL should point instead, for 3xx. */
    abstract String redirectHint();

    /** What to fix, for any other answer (4xx), by status. */
    abstract String refusedHint(int status);
}
