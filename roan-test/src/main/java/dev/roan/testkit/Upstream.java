package dev.roan.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The application behind a cache in a test: the JDK's {@code HttpServer} on a free loopback port, answering
 * every GET with 200 and the page the test's function renders for the (decoded) path, such as the current titles
 * of a table. It counts the requests per path, so a test sees which reads reached it past the cache. Give its
 * {@link #address()} to {@link Nginx#builder(String)} or {@link Varnish#start(String)}; needs nothing installed.
 *
 * @since 0.1.0
 */
public final class Upstream implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Function<String, String> page;
    private final Function<String, Map<String, String>> headers;

    private Upstream(HttpServer server, ExecutorService threads, Function<String, String> page,
            Function<String, Map<String, String>> headers) {
        this.server = server;
        this.threads = threads;
        this.page = page;
        this.headers = headers;
    }

    /**
     * Starts the application.
     *
     * @param page renders the body of a page from its decoded path, such as {@code /tags/a b}
     * @return the started application; close it after the test
     */
    public static Upstream start(Function<String, String> page) {
        return start(page, path -> Map.of());
    }

    /**
     * Starts the application, which adds response headers to some pages, such as a {@code Set-Cookie}.
     *
     * @param page renders the body of a page from its decoded path, such as {@code /tags/a b}
     * @param headers the headers to add to the answer for a decoded path, name to value; empty for none
     * @return the started application; close it after the test
     */
    public static Upstream start(Function<String, String> page, Function<String, Map<String, String>> headers) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Requests are served concurrently, as by any application server: a slow page does not queue the others.
        ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "upstream");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        Upstream upstream = new Upstream(server, threads, page, headers);
        server.createContext("/", upstream::handle);
        server.start();
        return upstream;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            byte[] body;
            int status = 200;
            try {
                body = page.apply(path).getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                status = 500;
                body = ("page failed: " + e).getBytes(StandardCharsets.UTF_8);
            }
            headers.apply(path).forEach(exchange.getResponseHeaders()::set);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * The address a cache proxies to, {@code 127.0.0.1:PORT}.
     *
     * @return {@code 127.0.0.1:PORT}
     */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * How many requests for {@code path} (decoded) reached the application.
     *
     * @param path a decoded path, such as {@code /tags/a b}
     * @return the number of requests for it so far
     */
    public int requests(String path) {
        AtomicInteger count = requests.get(path);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
