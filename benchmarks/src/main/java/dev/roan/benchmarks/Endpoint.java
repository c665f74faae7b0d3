package dev.roan.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A purge endpoint in this JVM (JDK {@code HttpServer}): answers every request 200, optionally after a delay, and
 * notes when each path was last received ({@code System.nanoTime()}, comparable with the writer's clock).
 */
final class Endpoint implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;
    private final long delayMillis;
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicLong lastReceived = new AtomicLong();
    private final ConcurrentHashMap<String, Long> receivedAt = new ConcurrentHashMap<>();

    private Endpoint(long delayMillis) throws IOException {
        this.delayMillis = delayMillis;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "endpoint");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Answers at once. */
    static Endpoint start() {
        return start(0);
    }

    /** Answers after {@code delayMillis} (a slow cache). */
    static Endpoint start(long delayMillis) {
        try {
            return new Endpoint(delayMillis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            receivedAt.put(path, now);
            lastReceived.set(now);
            received.incrementAndGet();
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(200, -1);
        }
    }

    String purgeUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/purge";
    }

    int received() {
        return received.get();
    }

    long lastReceivedNanos() {
        return lastReceived.get();
    }

    /** When a request for {@code rawPath} (such as {@code /purge/posts}) last arrived, or 0. */
    long receivedAt(String rawPath) {
        Long t = receivedAt.get(rawPath);
        return t == null ? 0 : t;
    }

    void reset() {
        received.set(0);
        lastReceived.set(0);
        receivedAt.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** A purge URL on a loopback port where nothing listens: every purge is refused at once and retried later. */
    static String closedPortPurgeUrl() {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort() + "/purge";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
