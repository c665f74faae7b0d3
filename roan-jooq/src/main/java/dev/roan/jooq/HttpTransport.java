package dev.roan.jooq;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.jspecify.annotations.Nullable;

/**
 * Deliver, the transport: how a request reaches one cache node, whatever the request means to the cache. The JDK
 * {@code HttpClient}, the configured headers (whose values never reach a message), the request timeout, and retries
 * through Resilience4j of what is worth retrying: 5xx, 429, I/O errors and timeouts. What a request looks like and
 * what its answer means are the {@link CacheProtocol}'s.
 */
final class HttpTransport {

    private static final System.Logger LOG = Log.LOGGER;
    /** The most of an answer's body a protocol sees: a CDN API's answer is a few hundred characters. */
    static final int MAX_BODY = 16_384;
    /** A scheme and credentials, as in {@code Authorization: Bearer <token>}; credentials of 8 characters or more. */
    private static final Pattern CREDENTIALS = Pattern.compile("[A-Za-z][A-Za-z0-9._~+/-]* +(\\S{8,})");
    /** What {@link #send} tells the retry of an answer that asked to wait: a status it does not retry. */
    private static final int NOT_RETRIED = 0;

    private final String node;
    private final HttpClient client;
    /** Threads that send with the blocking {@code send}, or null to send with {@code sendAsync}: see {@link Delivery}. */
    private final @Nullable Executor senders;
    private final Retry retry;
    private final ScheduledExecutorService scheduler;
    /** The configured headers and timeout, checked once; each request starts from a copy. */
    private final HttpRequest.Builder base;
    /** Which header the JDK refuses, if any, as a message may say it: every request fails, saying so. */
    private final @Nullable String refusedHeader;
    /** What no message may show: header values and the URL's user-info. */
    private final List<String> secrets;
    /** Whether answers' bodies are read, for a protocol whose verdict needs them; else they are discarded. */
    private final boolean readBody;
    /**
     * Whether the dispatcher knows the node is down: an attempt that fails then ends its purge at once, and the purge
     * waits in the dispatcher's queue for the probe rather than in a retry's backoff.
     */
    private volatile boolean nodeDown;
    /** Purges whose last attempt failed and that may wait for another: handed back at once when the node goes down. */
    private final Set<Retrying> retrying = ConcurrentHashMap.newKeySet();

    /**
     * A transport to one node.
     *
     * @param node the node's name for log lines (its purge URL)
     */
    HttpTransport(String node, HttpClient client, List<Map.Entry<String, String>> headers, Duration requestTimeout,
            RetryConfig retryConfig, ScheduledExecutorService scheduler) {
        this(node, client, null, headers, requestTimeout, retryConfig, scheduler);
    }

    /**
     * A transport to one node.
     *
     * @param node the node's name for log lines (its purge URL)
     * @param senders where each attempt waits for its answer with the client's blocking {@code send}; null to use
     *     {@code sendAsync} instead, which waits on no thread
     */
    HttpTransport(String node, HttpClient client, @Nullable Executor senders, List<Map.Entry<String, String>> headers,
            Duration requestTimeout, RetryConfig retryConfig, ScheduledExecutorService scheduler) {
        this(node, client, senders, headers, requestTimeout, retryConfig, scheduler, false);
    }

    /**
     * A transport to one node.
     *
     * @param node the node's name for log lines (its purge URL, or a CDN API's service or zone)
     * @param headers the node's headers: the builder's, or a CDN API's token header; their values are secrets
     * @param readBody whether an attempt keeps the answer's body (up to {@link #MAX_BODY} characters) for the verdict
     */
    HttpTransport(String node, HttpClient client, @Nullable Executor senders, List<Map.Entry<String, String>> headers,
            Duration requestTimeout, RetryConfig retryConfig, ScheduledExecutorService scheduler, boolean readBody) {
        this.node = node;
        this.readBody = readBody;
        this.client = client;
        this.senders = senders;
        this.scheduler = scheduler;
        this.secrets = secrets(node, headers);
        HttpRequest.Builder builder = HttpRequest.newBuilder().timeout(requestTimeout);
        String refused = null;
        for (int i = 0; i < headers.size(); i++) {
            Map.Entry<String, String> header = headers.get(i);
            try {
                builder.header(header.getKey(), header.getValue());
            } catch (IllegalArgumentException e) {
                // The JDK's message quotes the value: keep only the name, and not even that when it is no header
                // name (such as "Authorization: Bearer ..." typed as a name). Roan's builder checks headers too,
                // so this is the last line of defence, reported on every purge rather than thrown here.
                refused = nameIsSendable(header.getKey()) ? "the value of header " + header.getKey()
                        : "header number " + (i + 1) + ", whose name it refuses too";
                break;
            }
        }
        this.base = builder;
        this.refusedHeader = refused;
        this.retry = Retry.of("roan " + node, retryConfig);
        retry.getEventPublisher().onRetry(event -> LOG.log(Level.DEBUG, () -> "Retrying purge on " + node
                + " (attempt " + (event.getNumberOfRetryAttempts() + 1) + ", waiting "
                + event.getWaitInterval().toMillis() + " ms)"
                + (event.getLastThrowable() == null ? "" : ": " + describe(event.getLastThrowable()))));
    }

    /** Adds Roan's rules of what to retry to a user's (or the default) retry configuration. */
    static RetryConfig withRoanPredicates(RetryConfig base) {
        return RetryConfig.<Integer>from(base)
                .retryExceptions()
                .ignoreExceptions()
                .retryOnException(HttpTransport::isRetryable)
                .retryOnResult(HttpTransport::isRetryableStatus)
                .build();
    }

    /** An answer worth asking again for: the node or its backend failed, or it asks to slow down. */
    static boolean isRetryableStatus(int status) {
        return status >= 500 || status == 429;
    }

    /** A failure worth trying again: the network (refused, reset, timed out), not a request the JDK refuses. */
    static boolean isRetryable(Throwable t) {
        return unwrap(t) instanceof IOException;
    }

    /**
     * A new request with the configured headers and timeout, for a protocol to complete.
     *
     * @throws IllegalArgumentException naming the header (never its value) if the JDK refuses a header's value
     */
    HttpRequest.Builder newRequest() {
        if (refusedHeader != null) {
            throw new RefusedHeaderException(refusedHeader);
        }
        return base.copy();
    }

    /**
     * Sends a request, again while the answer or failure is worth retrying and attempts remain; an answer with a
     * {@code Retry-After} of a positive wait ends the attempts at once. The returned stage completes normally, with the
     * last attempt's answer or failure.
     *
     * @param beforeRetry told of each attempt that failed and is tried again, just before the next attempt
     */
    CompletionStage<Attempt> send(HttpRequest request, Consumer<Attempt> beforeRetry) {
        // Attempts run one after the other; each next one is scheduled after the previous completed, which orders
        // these writes before the next read.
        Retrying purge = new Retrying();
        Retry.decorateCompletionStage(retry, scheduler, () -> {
            Attempt previous = purge.last;
            int number = previous == null ? 1 : previous.number() + 1;
            if (previous != null) {
                retrying.remove(purge);
                if (purge.result.isDone()) {
                    // Handed back to the dispatcher during the backoff: the purge is owed there, not tried here.
                    return CompletableFuture.completedFuture(NOT_RETRIED);
                }
                beforeRetry.accept(previous);
            }
            return attempt(request, number).thenApply(attempt -> {
                purge.last = attempt;
                if (!isRetryableEnd(attempt)) {
                    // The caller gets the attempt itself; the retry only learns that it ends here.
                    return NOT_RETRIED;
                }
                // Registered before the flag is read: either nodeDown(true) finds this purge, or it sees the flag.
                retrying.add(purge);
                if (nodeDown) {
                    retrying.remove(purge);
                    return NOT_RETRIED;
                }
                if (attempt.error() != null) {
                    throw new CompletionException(attempt.error());
                }
                return attempt.status();
            });
        }).get().whenComplete((status, error) -> {
            retrying.remove(purge);
            Attempt attempt = purge.last;
            purge.result.complete(attempt != null ? attempt
                    : new Attempt(1, status, error == null ? null : unwrap(error)));
        });
        return purge.result;
    }

    /**
     * Whether an attempt failed in a way the retry may try again: an I/O error or a retryable status. An answer that
     * says how long to wait (a CDN API's 429, a 503 with Retry-After) is not asked again at once: quick retries would
     * spend the wait it asked for (and a rate limit's budget); the purge fails now, and the dispatcher probes the node
     * once that wait is over.
     */
    private static boolean isRetryableEnd(Attempt attempt) {
        Throwable error = attempt.error();
        if (error != null) {
            return isRetryable(error);
        }
        Integer status = attempt.status();
        return status != null && attempt.retryAfterNanos() <= 0 && isRetryableStatus(status);
    }

    /**
     * Tells whether the dispatcher knows the node is down. Going down hands back at once every purge waiting out a
     * retry's backoff (with its last failed attempt), and while down an attempt that fails is not retried: the
     * dispatcher's probe, not a backoff of its own, then decides when each owed purge goes again, so the first
     * delivered probe releases the whole backlog. Called under the dispatcher's lock: it only records, and hands the
     * purges back on the retry timer's thread.
     */
    void nodeDown(boolean down) {
        nodeDown = down;
        if (!down || retrying.isEmpty()) {
            return;
        }
        try {
            scheduler.execute(this::handBack);
        } catch (RejectedExecutionException e) {
            // Closing: the retries end on their own, and close waits a bounded time.
        }
    }

    private void handBack() {
        for (Retrying purge : retrying) {
            if (!nodeDown) {
                // Up again before this ran: a purge handed back now would fail, and take the node down again.
                return;
            }
            retrying.remove(purge);
            Attempt last = purge.last;
            if (last != null) {
                purge.result.complete(last);
            }
        }
    }

    /** One purge through its attempts: the last one's end, and the stage its caller waits on. */
    private static final class Retrying {
        final CompletableFuture<Attempt> result = new CompletableFuture<>();
        volatile @Nullable Attempt last;
    }

    /**
     * Sends a request once, without retries: the probe of a node that is down. The returned stage completes normally,
     * with the answer or failure.
     */
    CompletionStage<Attempt> sendOnce(HttpRequest request) {
        return attempt(request, 1);
    }

    /** One attempt; its stage completes normally, with the answer (and any {@code Retry-After}) or the failure. */
    private CompletionStage<Attempt> attempt(HttpRequest request, int number) {
        CompletionStage<HttpResponse<String>> stage;
        try {
            Executor threads = senders;
            stage = threads == null ? client.sendAsync(request, bodyHandler())
                    : CompletableFuture.supplyAsync(() -> sendBlocking(request), threads);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.handle((response, error) -> error != null ? new Attempt(number, null, unwrap(error))
                : new Attempt(number, response.statusCode(), null,
                        retryAfterNanos(response.headers().firstValue("Retry-After").orElse(null),
                                System.currentTimeMillis()), truncated(response.body())));
    }

    /** The body as a string for a protocol that reads it, else discarded (null). */
    private HttpResponse.BodyHandler<String> bodyHandler() {
        return readBody ? HttpResponse.BodyHandlers.ofString() : HttpResponse.BodyHandlers.replacing(null);
    }

    private static @Nullable String truncated(@Nullable String body) {
        return body == null || body.length() <= MAX_BODY ? body : body.substring(0, MAX_BODY);
    }

    private HttpResponse<String> sendBlocking(HttpRequest request) {
        try {
            return client.send(request, bodyHandler());
        } catch (IOException e) {
            throw new CompletionException(e);
        } catch (InterruptedException e) {
            // Closing gave up waiting: the purge stays owed, as for any failure that is not retried.
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    /**
     * How long a {@code Retry-After} value asks to wait: delay-seconds or an HTTP date (RFC 9110 10.2.3), from
     * {@code nowMillis}; -1 when absent or unreadable, 0 for a date already past.
     */
    static long retryAfterNanos(@Nullable String value, long nowMillis) {
        if (value == null || value.isBlank()) {
            return -1;
        }
        String v = value.strip();
        if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // More digits than a long holds is "very long": the dispatcher caps it anyway.
            return v.length() > 9 ? Long.MAX_VALUE : TimeUnit.SECONDS.toNanos(Long.parseLong(v));
        }
        try {
            long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return TimeUnit.MILLISECONDS.toNanos(Math.max(0, at - nowMillis));
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    /**
     * An exception as a message may show it: its type, and its message only if that holds no header value nor the
     * URL's user-info (the JDK quotes refused values, and a message may quote the URL).
     */
    String describe(Throwable error) {
        Throwable cause = unwrap(error);
        String name = cause.getClass().getSimpleName();
        if (cause instanceof RefusedHeaderException) {
            return cause.getMessage();
        }
        String message = cause.getMessage();
        if (message == null || message.isEmpty()) {
            return name;
        }
        for (String secret : secrets) {
            if (message.contains(secret)) {
                return name + " (its message is not shown: it holds a header value or credentials)";
            }
        }
        return name + " (" + message + ")";
    }

    /**
     * A text from the node, such as an API's error message, as a message may show it: any header value or credential
     * it quotes replaced by {@code ***}.
     */
    String hide(String text) {
        String shown = text;
        // The longest first: a header's whole value before the token inside it.
        for (String secret : secrets.stream().sorted(Comparator.comparingInt(String::length).reversed())
                .toList()) {
            shown = shown.replace(secret, "***");
        }
        return shown;
    }

    private static List<String> secrets(String url, List<Map.Entry<String, String>> headers) {
        List<String> secrets = new ArrayList<>();
        for (Map.Entry<String, String> header : headers) {
            addSecret(secrets, header.getValue());
            // The JDK sends the value trimmed, and an echo of it may show it so.
            addSecret(secrets, header.getValue().strip());
            // An Authorization-like value, "Bearer <token>": an API's error message may quote the token alone.
            Matcher credentials = CREDENTIALS.matcher(header.getValue().strip());
            if (credentials.matches()) {
                addSecret(secrets, credentials.group(1));
            }
        }
        try {
            String userInfo = URI.create(url).getRawUserInfo();
            if (userInfo != null) {
                addSecret(secrets, userInfo);
                addSecret(secrets, URLDecoder.decode(userInfo, StandardCharsets.UTF_8));
            }
        } catch (IllegalArgumentException e) {
            // Not a URI: no request can be sent to it, and no message shows its parts.
        }
        return List.copyOf(secrets);
    }

    private static void addSecret(List<String> secrets, String secret) {
        // A blank value is in every message and hides nothing.
        if (!secret.isBlank() && !secrets.contains(secret)) {
            secrets.add(secret);
        }
    }

    /** Whether the JDK sends a header of this name: then its value is what it refused, and the name may be shown. */
    private static boolean nameIsSendable(String name) {
        try {
            HttpRequest.newBuilder().header(name, "x");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Override
    public String toString() {
        return node;
    }

    /**
     * One attempt's end: the status if the node answered, else the failure.
     *
     * @param number the attempt, from 1
     * @param body the answer's body for a transport that reads bodies, else null
     */
    record Attempt(int number, @Nullable Integer status, @Nullable Throwable error, long retryAfterNanos,
            @Nullable String body) {

        /** An attempt whose answer, if any, had no {@code Retry-After}. */
        Attempt(int number, @Nullable Integer status, @Nullable Throwable error) {
            this(number, status, error, -1);
        }

        /** An attempt whose body was not read. */
        Attempt(int number, @Nullable Integer status, @Nullable Throwable error, long retryAfterNanos) {
            this(number, status, error, retryAfterNanos, null);
        }
    }

    /** A header the JDK will not send; the message names it and never shows its value. */
    static final class RefusedHeaderException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        RefusedHeaderException(String which) {
            super("the JDK's HttpClient refuses " + which + " (a character beyond U+00FF or a control character): correct the value given to Roan.Builder.header");
        }
    }
}
