package dev.roan.jooq;

import java.net.URI;
import java.net.http.HttpRequest;

/**
 * Deliver, the protocol: how one kind of cache wants a purge asked for, which of its answers mean done, and what to
 * tell the user when they do not. One class per kind of cache, in the manner of FOSHttpCache's proxy clients; all of
 * them travel over the same {@link HttpTransport}, which owns headers, timeouts and retries.
 *
 * <p>A target is what the dispatcher coalesces and sends: a page path today ({@link NginxPurgeLocation},
 * {@link PurgeMethod}). A tag purge (Varnish xkey, Fastly surrogate keys) is one more class whose target is a tag
 * (say {@code PURGE} with an {@code xkey-purge} header); a CDN client (Cloudflare, Fastly) is one whose request
 * names the target in an API call's URI or body, with its own verdicts and hints. Neither touches the transport nor
 * the dispatcher.
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

    /**
     * What an answer means. The transport retries 5xx and 429 first, so those arrive here only when every attempt
     * got one (a probe of a node that is down makes one attempt). An answer not done keeps the purge owed.
     */
    Verdict verdict(int status);

    /** How purges are sent, for log lines, such as {@code "GET"}. */
    String method();

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
