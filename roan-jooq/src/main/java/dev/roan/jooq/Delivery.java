package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.retry.RetryConfig;

/**
 * Owns what delivering purges needs and everything that must be released with it: the delivery threads, the retry
 * timer, the JDK {@code HttpClient}, one {@link CacheNode} per purge URL and the {@link Dispatcher} over them.
 * {@link #close()} is the one place that stops them, in order.
 */
final class Delivery {

    private static final System.Logger LOG = Log.LOGGER;
    private static final int DELIVERY_THREADS = 2;

    private final List<CacheNode> nodes;
    private final Dispatcher dispatcher;
    private final ExecutorService executor;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Duration closeTimeout;

    Delivery(Settings settings) {
        this.closeTimeout = settings.closeTimeout();
        // Two threads start purges and complete the HttpClient's futures; none of that blocks, and more threads
        // only compete with the application for the cores (see BENCHMARKS.md). Idle, they go away.
        ThreadPoolExecutor delivery = new ThreadPoolExecutor(DELIVERY_THREADS, DELIVERY_THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("roan-purge-"));
        delivery.allowCoreThreadTimeOut(true);
        this.executor = delivery;
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads("roan-retry-"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.connectTimeout())
                .executor(executor)
                .build();
        RetryConfig retryConfig = CacheNode.withRoanPredicates(settings.retry());
        Listeners listeners = new Listeners(settings.listeners());
        List<CacheNode> list = new ArrayList<>();
        for (String url : settings.purgeUrls()) {
            list.add(new CacheNode(url, client, settings.purgeMethod(), settings.headers(), settings.requestTimeout(),
                    retryConfig, scheduler, listeners));
        }
        this.nodes = List.copyOf(list);
        this.dispatcher = new Dispatcher(nodes, executor, Scheduler.of(scheduler), Ticker.system(), settings);
    }

    List<CacheNode> nodes() {
        return nodes;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    /**
     * Stops taking purges, waits up to the close timeout for those pending, then stops the threads. Called once, by
     * {@link Roan#close()}.
     */
    void close() {
        dispatcher.stopAccepting();
        if (!dispatcher.flush(closeTimeout)) {
            Map<String, List<String>> pending = dispatcher.pending();
            LOG.log(Level.WARNING, () -> "Roan closed after waiting " + Ticker.saturatedNanos(closeTimeout) / 1_000_000
                    + " ms with purges"
                    + " still pending, their pages may be stale: " + pending);
        }
        scheduler.shutdownNow();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(100, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
