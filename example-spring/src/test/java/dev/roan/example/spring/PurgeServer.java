package dev.roan.example.spring;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
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
 * A real local HTTP endpoint that receives purges, standing in for nginx's purge location: exercise, then take the
 * requests. A copy of roan-spring-boot-starter's test {@code PurgeServer}, with {@link #clear()} for a server shared
 * by the tests of one Spring context.
 */
final class PurgeServer implements AutoCloseable {

    /** A request as it arrived, with what {@link #onArrival} observed at that moment. */
    record Request(String method, String path, String token, Object observed) {
    }

    /** The header whose value each request records. */
    static final String TOKEN_HEADER = "X-Roan-Token";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final List<Request> all = new ArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile Function<String, Object> onArrival = path -> "";

    PurgeServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** The purge URL of this endpoint: {@code http://127.0.0.1:PORT/purge}. */
    String purgeUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/purge";
    }

    /** Answers the next {@code count} requests with 503 Service Unavailable, which Roan retries. */
    PurgeServer failNext(int count) {
        failuresLeft.set(count);
        return this;
    }

    /** What to observe when a purge arrives, before it is answered, such as rows a separate connection sees. */
    PurgeServer onArrival(Function<String, Object> onArrival) {
        this.onArrival = onArrival;
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
        String rawPath = exchange.getRequestURI().getRawPath();
        String path = rawPath.startsWith("/purge") ? rawPath.substring("/purge".length()) : rawPath;
        String token = exchange.getRequestHeaders().getFirst(TOKEN_HEADER);
        Request request = new Request(exchange.getRequestMethod(), path, token == null ? "" : token,
                onArrival.apply(path));
        synchronized (all) {
            all.add(request);
        }
        requests.add(request);
        int status = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 503 : 200;
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    /** Takes the next request, waiting up to 10 seconds; fails if none arrives. */
    Request take() throws InterruptedException {
        Request request = requests.poll(10, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("no purge arrived within 10 s");
        }
        return request;
    }

    /** All requests received so far, in arrival order. */
    List<Request> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** The paths of all requests received so far, in arrival order. */
    List<String> paths() {
        return all().stream().map(Request::path).toList();
    }

    /** Forgets the requests received so far. */
    void clear() {
        synchronized (all) {
            all.clear();
            requests.clear();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
