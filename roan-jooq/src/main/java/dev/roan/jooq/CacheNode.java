package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

import dev.roan.jooq.CacheProtocol.Verdict;
import dev.roan.jooq.HttpTransport.Attempt;
import dev.roan.jooq.PurgeTarget.Outcome;
import io.github.resilience4j.retry.RetryConfig;
import org.jspecify.annotations.Nullable;

/**
 * Deliver: one cache node, a {@link CacheProtocol} (what a purge looks like to this kind of cache, and what its
 * answers mean) over an {@link HttpTransport} (headers, timeout, retries), and the outcome: the user's listeners, a
 * DEBUG line per purge, and whether it was delivered for the {@link Dispatcher}, which keeps a failed purge owed and
 * logs once when the node goes down and once when it recovers.
 */
final class CacheNode implements PurgeTarget {

    private static final System.Logger LOG = Log.LOGGER;

    private final String purgeUrl;
    private final CacheProtocol protocol;
    private final HttpTransport transport;
    private final Listeners listeners;

    /** A node purged with {@code method}: {@code GET} for ngx_cache_purge's location, else that method (PURGE). */
    CacheNode(String purgeUrl, HttpClient client, String method, List<Map.Entry<String, String>> headers,
            Duration requestTimeout, RetryConfig retryConfig, ScheduledExecutorService scheduler, Listeners listeners) {
        this(purgeUrl, client, null, method, headers, requestTimeout, retryConfig, scheduler, listeners);
    }

    /**
     * A node purged with {@code method}, whose requests wait for their answers on {@code senders} with the client's
     * blocking {@code send}, or with {@code sendAsync} when null (see {@link Delivery}).
     */
    CacheNode(String purgeUrl, HttpClient client, @Nullable Executor senders, String method,
            List<Map.Entry<String, String>> headers, Duration requestTimeout, RetryConfig retryConfig,
            ScheduledExecutorService scheduler, Listeners listeners) {
        this(purgeUrl, protocolFor(purgeUrl, method),
                new HttpTransport(purgeUrl, client, senders, headers, requestTimeout, retryConfig, scheduler),
                listeners);
    }

    CacheNode(String purgeUrl, CacheProtocol protocol, HttpTransport transport, Listeners listeners) {
        this.purgeUrl = purgeUrl;
        this.protocol = protocol;
        this.transport = transport;
        this.listeners = listeners;
    }

    /** Adds Roan's own rules of what to retry to a user's (or the default) retry configuration. */
    static RetryConfig withRoanPredicates(RetryConfig base) {
        return HttpTransport.withRoanPredicates(base);
    }

    /** The URI a purge of {@code path} is sent to; {@code path} is already normalised. */
    URI uri(String path) {
        return protocol.uri(path);
    }

    /** Whether this node purges {@code target}, a page path or a dependency: see {@link CacheProtocol#takes}. */
    @Override
    public boolean takes(String target) {
        return protocol.takes(target);
    }

    /**
     * Purges a path on this node: with the configured quick retries, or once for a probe. The returned stage always
     * completes normally, with whether the node confirmed the purge; listeners and the DEBUG log are told here.
     */
    @Override
    public CompletionStage<Outcome> purge(String path, long requestedNanos, boolean probe) {
        return purge(List.of(path), new long[] {requestedNanos}, probe);
    }

    @Override
    public int batchLimit(String target) {
        return protocol.batchLimit(target);
    }

    /** Purges several targets with one request, with the quick retries; each is told to listeners on its own. */
    @Override
    public CompletionStage<Outcome> purge(List<String> targets, long[] requestedNanos) {
        return purge(targets, requestedNanos, false);
    }

    private CompletionStage<Outcome> purge(List<String> paths, long[] requestedNanos, boolean probe) {
        long start = System.nanoTime();
        HttpRequest request;
        try {
            request = protocol.request(transport.newRequest(), paths).build();
        } catch (HttpTransport.RefusedHeaderException e) {
            // Every request of this node fails so until the header is fixed: the node is down, the purge owed.
            return CompletableFuture.completedFuture(report(paths, new Attempt(1, null, e), start, requestedNanos));
        } catch (RuntimeException e) {
            Attempt refused = new Attempt(1, null, e);
            if (paths.size() > 1) {
                // The targets may still go one by one: the dispatcher sends each alone, and tells listeners then.
                return CompletableFuture.completedFuture(Outcome.undeliverable(describe(refused)));
            }
            report(paths, refused, start, requestedNanos);
            return CompletableFuture.completedFuture(Outcome.undeliverable(describe(refused)));
        }
        CompletionStage<Attempt> sent = probe ? transport.sendOnce(request)
                : transport.send(request, failed -> retrying(paths, failed, requestedNanos));
        return sent.thenApply(last -> report(paths, last, start, requestedNanos));
    }

    @Override
    public void nodeDown(boolean down) {
        transport.nodeDown(down);
    }

    @Override
    public void dropped(String path, long requestedNanos, String reason) {
        if (!listeners.isEmpty()) {
            listeners.tell(new PurgeEvent(purgeUrl, path, PurgeEvent.Outcome.DROPPED, null,
                    since(requestedNanos, System.nanoTime()), 0, reason));
        }
    }

    private void retrying(List<String> paths, Attempt failed, long[] requestedNanos) {
        if (!listeners.isEmpty()) {
            long now = System.nanoTime();
            String reason = describe(failed);
            for (int i = 0; i < paths.size(); i++) {
                listeners.tell(new PurgeEvent(purgeUrl, paths.get(i), PurgeEvent.Outcome.RETRIED, failed.status(),
                        since(requestedNanos[i], now), failed.number(), reason));
            }
        }
    }

    private Outcome report(List<String> paths, Attempt last, long start, long[] requestedNanos) {
        long now = System.nanoTime();
        long millis = (now - start) / 1_000_000;
        Integer status = last.status();
        Verdict verdict = status != null && last.error() == null ? protocol.verdict(status, last.body()) : null;
        if (verdict != null && verdict.done()) {
            if (!listeners.isEmpty()) {
                for (int i = 0; i < paths.size(); i++) {
                    listeners.tell(new PurgeEvent(purgeUrl, paths.get(i), PurgeEvent.Outcome.DELIVERED, status,
                            since(requestedNanos[i], now), last.number(), null));
                }
            }
            LOG.log(Level.DEBUG, () -> "Purged " + shown(paths) + " on " + purgeUrl + " (" + protocol.method()
                    + ", HTTP " + status + (verdict.detail().isEmpty() ? "" : ", " + verdict.detail()) + ") in "
                    + millis + " ms");
            return Outcome.DELIVERED;
        }
        // A verdict may quote the node's answer (a CDN API's errors): never a header value it echoes.
        String reason = verdict != null ? transport.hide(verdict.detail()) : describe(last);
        if (!listeners.isEmpty()) {
            for (int i = 0; i < paths.size(); i++) {
                listeners.tell(new PurgeEvent(purgeUrl, paths.get(i), PurgeEvent.Outcome.FAILED, status,
                        since(requestedNanos[i], now), last.number(), reason));
            }
        }
        LOG.log(Level.DEBUG, () -> protocol.method() + " purge of " + shown(paths) + " on " + purgeUrl
                + " failed after " + millis + " ms, " + (paths.size() == 1 ? "it stays" : "they stay") + " owed: "
                + reason);
        return Outcome.failed(reason, last.retryAfterNanos());
    }

    /** The targets of one request as a log line names them: the path alone, or the count and the keys. */
    private static String shown(List<String> paths) {
        return paths.size() == 1 ? paths.get(0) : paths.size() + " targets " + paths;
    }

    /** An attempt's failure in a few words, never a header value: the status, or the error as the transport shows it. */
    private String describe(Attempt attempt) {
        Throwable error = attempt.error();
        if (error != null) {
            return transport.describe(error);
        }
        return attempt.status() == null ? "no answer" : "HTTP " + attempt.status();
    }

    private static Duration since(long requestedNanos, long now) {
        return Duration.ofNanos(Math.max(0, now - requestedNanos));
    }

    @Override
    public String toString() {
        return purgeUrl;
    }

    /**
     * The protocol for a purge method: {@code GET} is ngx_cache_purge's separate location, any other method (such as
     * {@code PURGE}) a request of that method to the page's own URL on the cache.
     */
    static CacheProtocol protocolFor(String purgeUrl, String method) {
        return method.equals("GET") ? new NginxPurgeLocation(purgeUrl) : new PurgeMethod(purgeUrl, method);
    }
}
