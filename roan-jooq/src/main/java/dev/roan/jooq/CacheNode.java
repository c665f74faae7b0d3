package dev.roan.jooq;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.jspecify.annotations.Nullable;

/**
 * Deliver: one cache node, reached at its purge URL, with retries and a health state for the log.
 *
 * <p>A purge is {@code GET {purgeUrl}{path}} (or another method, such as {@code PURGE}), with the
 * configured headers, whose values are never logged. 2xx means purged; 404 and 412 mean the page was not
 * cached (ngx_cache_purge's answers: 404 up to 2.3, 412 from 2.5 on): all are done. 5xx, 429, I/O errors and timeouts are retried through
 * Resilience4j; other answers are reported at once. The log gets one warning when the node starts
 * failing and one line when it recovers, not one per purge.
 */
final class CacheNode implements PurgeTarget {

    private static final System.Logger LOG = System.getLogger(Roan.class.getName());

    private final String purgeUrl;
    private final HttpClient client;
    private final String method;
    private final List<Map.Entry<String, String>> headers;
    private final Duration requestTimeout;
    private final Retry retry;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean failing = new AtomicBoolean();
    private final Listeners listeners;

    CacheNode(String purgeUrl, HttpClient client, String method, List<Map.Entry<String, String>> headers,
            Duration requestTimeout, RetryConfig retryConfig, ScheduledExecutorService scheduler, Listeners listeners) {
        this.listeners = listeners;
        this.purgeUrl = purgeUrl;
        this.client = client;
        this.method = method;
        this.headers = List.copyOf(headers);
        this.requestTimeout = requestTimeout;
        this.scheduler = scheduler;
        this.retry = Retry.of("roan " + purgeUrl, retryConfig);
        retry.getEventPublisher().onRetry(event -> LOG.log(Level.DEBUG, () -> "Retrying purge on " + purgeUrl
                + " (attempt " + (event.getNumberOfRetryAttempts() + 1) + ", waiting " + event.getWaitInterval().toMillis()
                + " ms)" + (event.getLastThrowable() == null ? "" : ": " + describe(event.getLastThrowable()))));
    }

    /** Adds Roan's own rules of what to retry to a user's (or the default) retry configuration. */
    static RetryConfig withRoanPredicates(RetryConfig base) {
        return RetryConfig.<Integer>from(base)
                .retryExceptions()
                .ignoreExceptions()
                .retryOnException(CacheNode::isRetryable)
                .retryOnResult(status -> status >= 500 || status == 429)
                .build();
    }

    /** The URI a purge of {@code path} is sent to; {@code path} is already normalised. */
    URI uri(String path) {
        return URI.create(purgeUrl + path);
    }

    /**
     * Purges a path on this node. The returned stage always completes normally, once the purge was
     * delivered or given up; the outcome is logged here.
     */
    @Override
    public CompletionStage<Void> purge(String path, long requestedNanos) {
        long start = System.nanoTime();
        CompletionStage<Integer> outcome;
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path))
                    .timeout(requestTimeout)
                    .method(method, HttpRequest.BodyPublishers.noBody());
            for (Map.Entry<String, String> header : headers) {
                builder.header(header.getKey(), header.getValue());
            }
            HttpRequest request = builder.build();
            boolean[] first = {true};
            outcome = Retry.decorateCompletionStage(retry, scheduler, () -> {
                if (!first[0]) {
                    listeners.retried(purgeUrl, path);
                }
                first[0] = false;
                return client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
            }).get();
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        return outcome.handle((status, error) -> {
            report(path, status, error, start, requestedNanos);
            return null;
        });
    }

    private void report(String path, @Nullable Integer status, @Nullable Throwable error, long start, long requestedNanos) {
        long now = System.nanoTime();
        long millis = (now - start) / 1_000_000;
        if (error == null && status != null && (status / 100 == 2 || notCached(status))) {
            listeners.delivered(purgeUrl, path, status, Duration.ofNanos(now - requestedNanos));
            LOG.log(Level.DEBUG, () -> "Purged " + path + " on " + purgeUrl + " (" + method + ", HTTP " + status
                    + (notCached(status) ? ", was not cached" : "") + ") in " + millis + " ms");
            if (failing.compareAndSet(true, false)) {
                LOG.log(Level.INFO, () -> "Cache node " + purgeUrl + " recovered: purge of " + path
                        + " succeeded");
            }
            return;
        }
        String reason = error != null ? describe(error) : describeStatus(status);
        listeners.failed(purgeUrl, path, reason);
        String message = method + " purge of " + path + " on " + purgeUrl + " failed after " + millis + " ms: " + reason;
        if (failing.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, () -> "Cache node " + purgeUrl + " is failing, its pages may be stale: "
                    + message + ". Further failures are logged at DEBUG until it recovers.");
        } else {
            LOG.log(Level.DEBUG, () -> capitalize(message));
        }
    }

    /**
     * ngx_cache_purge's answer for a key that is not in the cache: 404 up to version 2.3, 412 from 2.5 on (Roan
     * sends no conditional header, so 412 cannot mean a failed precondition of its own).
     */
    private static boolean notCached(int status) {
        return status == 404 || status == 412;
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static boolean isRetryable(Throwable t) {
        return unwrap(t) instanceof IOException;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String describe(Throwable error) {
        Throwable cause = unwrap(error);
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }

    private static String describeStatus(@Nullable Integer status) {
        if (status == null) {
            return "no answer";
        }
        if (status >= 500 || status == 429) {
            return "HTTP " + status + " on every attempt";
        }
        if (status / 100 == 3) {
            return "HTTP " + status + " (a redirect: point the purge URL at the cache's purge location itself)";
        }
        return "HTTP " + status + " (not retried: check that the cache has a purge location at this URL that accepts "
                + "this method from this host, e.g. nginx 'location ~ ^/purge(/.*)$ { allow 127.0.0.1; deny all;"
                + " proxy_cache_purge <zone> $1$is_args$args; }' (see the README for the PURGE form); Varnish: a"
                + " vcl_recv that returns (purge) for PURGE from allowed clients)";
    }

    @Override
    public String toString() {
        return purgeUrl;
    }
}
