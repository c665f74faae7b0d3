package dev.roan.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real local HTTP endpoint that receives purges, in the spirit of OkHttp's MockWebServer: exercise, then take the
 * requests. It answers 200 unless told otherwise ({@link #respond}, {@link #failNext}, {@link #delay}). Roan's own
 * tests use it; for tests of an application's rules, {@link dev.roan.test.RecordingCache} has assertions with clear
 * messages and waits for delivery itself.
 *
 * @since 0.1.0
 */
public final class PurgeServer implements AutoCloseable {

    /** A request as it arrived, with what {@link #onArrival} observed at that moment. */
    public record Request(String method, String path, long arrivedNanos, Object observed,
            Map<String, List<String>> headers) {

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

    /** What to answer: a status, after an optional delay, with optional headers. */
    public record Answer(int status, Duration delay, Map<String, String> headers) {

        /**
         * An answer without extra headers.
         *
         * @param status the HTTP status
         * @param delay how long to wait before answering
         */
        public Answer(int status, Duration delay) {
            this(status, delay, Map.of());
        }

        /**
         * An answer with {@code status}, at once.
         *
         * @param status the HTTP status
         * @return a new answer
         */
        public static Answer status(int status) {
            return new Answer(status, Duration.ZERO);
        }

        /**
         * This answer with a {@code Retry-After} header, such as {@code "2"} or an HTTP date.
         *
         * @param value the header value
         * @return a new answer
         */
        public Answer retryAfter(String value) {
            return new Answer(status, delay, Map.of("Retry-After", value));
        }
    }

    /**
     * How long {@link #take()} waits: 10 seconds, or the system property {@code roan.test.delivery-wait} (an ISO-8601
     * duration), which mutation testing shortens so that a mutant that stops purges fails its test quickly.
     */
    private static final Duration TAKE_WAIT = Duration.parse(System.getProperty("roan.test.delivery-wait", "PT10S"));

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final List<Request> all = new ArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile Function<String, Answer> respond = path -> Answer.status(200);
    private volatile Function<String, Object> onArrival = path -> "";

    /** Starts the endpoint on a free loopback port. */
    public PurgeServer() {
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
     * The purge URL of this endpoint: {@code http://127.0.0.1:PORT/purge}.
     *
     * @return the purge URL for {@code Roan.builder().purgeUrl(...)}
     */
    public String purgeUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/purge";
    }

    /**
     * How to answer each request, by path.
     *
     * @param respond the answer for a purge's path
     * @return this endpoint
     */
    public PurgeServer respond(Function<String, Answer> respond) {
        this.respond = respond;
        return this;
    }

    /**
     * Answers every request with 200 after {@code delay}.
     *
     * @param delay how long each answer waits
     * @return this endpoint
     */
    public PurgeServer delay(Duration delay) {
        return respond(path -> new Answer(200, delay));
    }

    /**
     * Answers the next {@code count} requests with 503 Service Unavailable, which Roan retries.
     *
     * @param count how many requests fail
     * @return this endpoint
     */
    public PurgeServer failNext(int count) {
        failuresLeft.set(count);
        return this;
    }

    /**
     * What to observe when a purge arrives, before it is answered, such as rows a separate connection sees.
     *
     * @param onArrival what to observe, from the purge's path; kept as {@link Request#observed()}
     * @return this endpoint
     */
    public PurgeServer onArrival(Function<String, Object> onArrival) {
        this.onArrival = onArrival;
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        long arrived = System.nanoTime();
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
        String rawPath = exchange.getRequestURI().getRawPath();
        String path = rawPath.startsWith("/purge") ? rawPath.substring("/purge".length()) : rawPath;
        Object observed = onArrival.apply(path);
        Request request = new Request(exchange.getRequestMethod(), path, arrived, observed,
                Map.copyOf(exchange.getRequestHeaders()));
        synchronized (all) {
            all.add(request);
        }
        requests.add(request);
        Answer answer = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? Answer.status(503)
                : respond.apply(path);
        if (!answer.delay().isZero()) {
            try {
                Thread.sleep(answer.delay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.sendResponseHeaders(answer.status(), -1);
        exchange.close();
    }

    /**
     * Takes the next request, waiting up to 10 seconds (see {@link #TAKE_WAIT}); fails if none arrives.
     *
     * @return the next request, in arrival order
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public Request take() throws InterruptedException {
        Request request = requests.poll(TAKE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        if (request == null) {
            throw new AssertionError("no purge arrived within " + TAKE_WAIT);
        }
        return request;
    }

    /**
     * All requests received so far, in arrival order.
     *
     * @return a copy, oldest first
     */
    public List<Request> received() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /**
     * The paths of all requests received so far, in arrival order.
     *
     * @return the paths after {@code /purge}, oldest first
     */
    public List<String> paths() {
        return received().stream().map(Request::path).toList();
    }

    /**
     * The number of requests received so far.
     *
     * @return the count
     */
    public int count() {
        synchronized (all) {
            return all.size();
        }
    }

    /** Forgets the requests received so far. */
    public void clear() {
        synchronized (all) {
            all.clear();
        }
        requests.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
