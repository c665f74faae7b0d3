package dev.roan.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for a CDN's purge API, in the manner of {@link PurgeServer}: the JDK's {@code HttpServer} on a free
 * loopback port that checks each request as the real API does (a subclass's {@link #answer}), records it with its
 * answer, and can answer {@code 429} with {@code Retry-After} as a rate limit does. Needs nothing installed and no
 * network.
 *
 * @since 0.1.0
 */
public abstract class RecordingApi implements AutoCloseable {

    /** A request as it arrived (its raw path with any query) and what it was answered. */
    public record Call(String method, String path, Map<String, List<String>> headers, String body, int status,
            String answer) {

        /**
         * The first value of a request header, or null.
         *
         * @param name a header name, in any case
         * @return its first value, or null
         */
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** An answer: a status and a JSON body. */
    protected record Answer(int status, String json) {}

    private static final Duration TAKE_WAIT = Duration.parse(System.getProperty("roan.test.delivery-wait", "PT10S"));

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "recording-api");
        thread.setDaemon(true);
        return thread;
    });
    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    private final List<Call> all = new ArrayList<>();
    private final AtomicInteger limitedLeft = new AtomicInteger();
    private volatile String retryAfter = "1";

    /** Starts the API on a free loopback port. */
    // The server calls back into the subclass (answer) only for requests, which come after construction.
    @SuppressWarnings("this-escape")
    protected RecordingApi() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /**
     * The API's base URL, {@code http://127.0.0.1:PORT}, to give Roan as the CDN's API URL.
     *
     * @return the base URL of this API
     */
    public String apiUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Answers the next {@code count} requests with 429 and {@code Retry-After: retryAfter}, as the API's rate limit
     * does, before looking at them.
     *
     * @param count how many requests get 429
     * @param retryAfter the {@code Retry-After} value, such as {@code "2"}
     * @return this API
     */
    public RecordingApi rateLimitNext(int count, String retryAfter) {
        this.retryAfter = retryAfter;
        limitedLeft.set(count);
        return this;
    }

    /**
     * What the API answers to a request that passed the rate limit.
     *
     * @param method the request method
     * @param path the raw path with any query
     * @param headers the request headers
     * @param body the request body as UTF-8
     * @return the status and JSON body to send
     */
    protected abstract Answer answer(String method, String path, Map<String, List<String>> headers, String body);

    /**
     * The answer of a rate-limited request.
     *
     * @return a JSON body
     */
    protected abstract String rateLimited();

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String method = exchange.getRequestMethod();
            String query = exchange.getRequestURI().getRawQuery();
            String path = exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query);
            Map<String, List<String>> headers = Map.copyOf(exchange.getRequestHeaders());
            Answer answer;
            if (limitedLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.getResponseHeaders().set("Retry-After", retryAfter);
                answer = new Answer(429, rateLimited());
            } else {
                try {
                    answer = answer(method, path, headers, body);
                } catch (RuntimeException e) {
                    answer = new Answer(500, "{\"msg\":" + Json.quote(String.valueOf(e)) + "}");
                }
            }
            Call call = new Call(method, path, headers, body, answer.status(), answer.json());
            synchronized (all) {
                all.add(call);
            }
            calls.add(call);
            byte[] bytes = answer.json().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /**
     * Takes the next request, waiting up to 10 seconds; fails if none arrives.
     *
     * @return the next request
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public Call take() throws InterruptedException {
        Call call = calls.poll(TAKE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        if (call == null) {
            throw new AssertionError("no request arrived within " + TAKE_WAIT);
        }
        return call;
    }

    /**
     * Every request so far, in arrival order.
     *
     * @return a copy, oldest first
     */
    public List<Call> received() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** Forgets the requests so far. */
    public void clear() {
        synchronized (all) {
            all.clear();
        }
        calls.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
