package dev.roan.jooq;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Deliver, the protocol: how one kind of cache wants a purge asked for, which of its answers mean done, and what to
 * tell the user when they do not. One class per kind of cache, in the manner of FOSHttpCache's proxy clients; all of
 * them travel over the same {@link HttpTransport}, which owns headers, timeouts and retries.
 *
 * <p>A target is what the dispatcher coalesces and sends: a page path ({@link NginxPurgeLocation},
 * {@link PurgeMethod}), or a dependency's {@link Dependency#target()} that a cache purging by tag takes
 * ({@link VarnishXkeyPurge}: {@code PURGE} with an {@code xkey-purge} header); a CDN client ({@link FastlyPurge},
 * {@link CloudflarePurge}) names the target in an API call's URI or body, with its own verdicts and hints. None of
 * them touches the transport nor the dispatcher. Each says which targets it {@linkplain #takes takes}: the dispatcher
 * gives a node only those, so a Roan with nginx and Varnish xkey nodes purges URLs on the one and keys on the other.
 *
 * <p>Roan's protocols turn an answer into a verdict through one skeleton, {@link HintedProtocol}: a protocol gives
 * only its cache's facts (what else means done, the hint for each family of refusal); a CDN's API adds what APIs
 * share through {@link ApiPurge}.
 */
interface CacheProtocol {

    /**
     * The URI a purge of {@code target} goes to.
     *
     * @throws IllegalArgumentException if the target does not form a valid URI
     */
    URI uri(String target);

    /**
     * Completes a request into the purge of {@code target}: method, URI, and any header or body of the protocol's own.
     *
     * @param base the configured headers and timeout, from the transport
     */
    HttpRequest.Builder request(HttpRequest.Builder base, String target);

    /** How many keys one request may carry: 1 (the default), or a cache's limit when it purges several at once. */
    default int keysPerRequest() {
        return 1;
    }

    /**
     * How many targets like {@code target} one request may carry: page paths always go alone, keys up to
     * {@link #keysPerRequest()}. See {@link PurgeTarget#batchLimit}.
     */
    default int batchLimit(String target) {
        return Dependency.isTarget(target) ? keysPerRequest() : 1;
    }

    /**
     * Completes a request into the purge of {@code targets}: one alone, or several keys as {@link #keysRequest}.
     *
     * @throws IllegalArgumentException if they cannot go in one request
     */
    default HttpRequest.Builder request(HttpRequest.Builder base, List<String> targets) {
        return targets.size() == 1 ? request(base, targets.get(0)) : keysRequest(base, targets);
    }

    /**
     * Completes a request into the purge of several keys at once, at most {@link #keysPerRequest()}.
     *
     * @throws IllegalArgumentException for a target that is no key, or a protocol that purges one key a request
     */
    default HttpRequest.Builder keysRequest(HttpRequest.Builder base, List<String> keys) {
        throw new IllegalArgumentException(this + " purges one target per request");
    }

    /**
     * What an answer means. The transport retries 5xx and 429 first, so those arrive here only when every attempt
     * got one (a probe of a node that is down makes one attempt). An answer not done keeps the purge owed.
     */
    Verdict verdict(int status);

    /** How purges are sent, for log lines, such as {@code "GET"}. */
    String method();

    /**
     * Whether this protocol purges {@code target}: a page path, or a dependency's {@link Dependency#target()}. A cache
     * without tags takes paths only (the page index turns keys into the URLs that depend on them); a cache with tags
     * takes keys, and page paths too when it can purge a URL.
     */
    default boolean takes(String target) {
        return !Dependency.isTarget(target);
    }

    /** Whether {@link #verdict(int, String)} needs the answer's body: the transport reads it only then. */
    default boolean readsBody() {
        return false;
    }

    /**
     * What an answer means, from its status and, for a protocol that {@linkplain #readsBody() reads it}, its body
     * (such as Cloudflare's {@code "success": true}); the status alone by default.
     *
     * @param body the answer's body, at most {@link HttpTransport#MAX_BODY} characters, or null when not read
     */
    default Verdict verdict(int status, @Nullable String body) {
        return verdict(status);
    }

    /**
     * What the cache meant by an answer.
     *
     * @param done   whether the purge is confirmed (the page is gone, or was not cached)
     * @param detail for a confirmed purge a remark such as "was not cached", or empty; otherwise the reason, with a
     *               hint on what to fix
     */
    record Verdict(boolean done, String detail) {

        static Verdict done(String remark) {
            return new Verdict(true, remark);
        }

        static Verdict refused(String reason) {
            return new Verdict(false, reason);
        }
    }
}
