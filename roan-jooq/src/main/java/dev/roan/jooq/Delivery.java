package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.retry.RetryConfig;
import org.jspecify.annotations.Nullable;

/**
 * Owns what delivering purges needs and everything that must be released with it: the delivery threads, the retry
 * timer, the JDK {@code HttpClient}, one {@link CacheNode} per purge URL and the {@link Dispatcher} over them.
 * {@link #close()} is the one place that stops them, in order.
 */
final class Delivery {

    private static final System.Logger LOG = Log.LOGGER;
    private static final int DELIVERY_THREADS = 2;
    /** Paths a log line names per node; the rest are counted. */
    private static final int SHOWN_PATHS = 10;

    private final List<CacheNode> nodes;
    private final Dispatcher dispatcher;
    private final ThreadPoolExecutor executor;
    private final ScheduledThreadPoolExecutor scheduler;
    /** Threads that wait for answers with the client's blocking {@code send}; null where {@code sendAsync} is cheap. */
    private final @Nullable ThreadPoolExecutor senders;
    private final Duration closeTimeout;
    private final @Nullable Thread shutdownHook;
    private volatile boolean closing;

    Delivery(Settings settings) {
        this(settings, Ticker.system(), null);
    }

    /**
     * A delivery whose coalescing, probes and re-purges follow {@code ticker} and {@code timer} instead of the system
     * clock, so that a test drives real cache nodes over real HTTP through a long outage in little real time. The
     * transport's request timeouts stay real.
     *
     * @param timer the dispatcher's timer, or null for a scheduled thread of this delivery on the system clock
     */
    Delivery(Settings settings, Ticker ticker, @Nullable Scheduler timer) {
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
        this.senders = asyncStartsThreads(new CompletableFuture<Void>().defaultExecutor())
                ? senders(nodeCount(settings) * NodeBacklog.MAX_IN_FLIGHT_PER_NODE) : null;
        RetryConfig retryConfig = CacheNode.withRoanPredicates(settings.retry());
        Listeners listeners = new Listeners(settings.listeners());
        List<CacheNode> list = new ArrayList<>();
        for (String url : settings.purgeUrls()) {
            list.add(new CacheNode(url, client, senders, settings.purgeMethod(), settings.headers(),
                    settings.requestTimeout(), retryConfig, scheduler, listeners));
        }
        // Caches that purge by tag. The builder's headers go to the user's own Varnish nodes, never to a CDN's API:
        // a token meant for one's own cache is no business of Fastly's or Cloudflare's.
        for (String url : settings.xkeyPurgeUrls()) {
            list.add(node(url, new VarnishXkeyPurge(url, settings.softPurge()), settings.headers(), client,
                    settings, retryConfig, listeners));
        }
        Settings.CdnApi fastly = settings.fastly();
        if (fastly != null) {
            list.add(node(FastlyPurge.node(fastly.apiUrl(), fastly.id()),
                    new FastlyPurge(fastly.apiUrl(), fastly.id(), settings.publicOrigin(), settings.softPurge()),
                    List.of(Map.entry(FastlyPurge.TOKEN_HEADER, fastly.token())), client, settings, retryConfig,
                    listeners));
        }
        Settings.CdnApi cloudflare = settings.cloudflare();
        if (cloudflare != null) {
            list.add(node(CloudflarePurge.node(cloudflare.apiUrl(), cloudflare.id()),
                    new CloudflarePurge(cloudflare.apiUrl(), cloudflare.id(), settings.publicOrigin()),
                    List.of(Map.entry("Authorization", "Bearer " + cloudflare.token())), client, settings,
                    retryConfig, listeners));
        }
        this.nodes = List.copyOf(list);
        // Blocking sends complete their stages on Roan's sender threads, which may as well handle their ends: a
        // hand-off per purge less. The HttpClient's own threads must not (sendAsync's complete on a JDK pool).
        this.dispatcher = new Dispatcher(nodes, executor, senders != null ? Runnable::run : executor,
                timer != null ? timer : Scheduler.of(scheduler), ticker, settings);
        this.shutdownHook = settings.shutdownHook() ? register(new Thread(this::atExit, "roan-shutdown")) : null;
    }

    private static int nodeCount(Settings settings) {
        return settings.purgeUrls().size() + settings.xkeyPurgeUrls().size() + (settings.fastly() == null ? 0 : 1)
                + (settings.cloudflare() == null ? 0 : 1);
    }

    /** A node of a cache that purges by tag: its protocol over a transport with its own headers. */
    private CacheNode node(String name, CacheProtocol protocol, List<Map.Entry<String, String>> headers,
            HttpClient client, Settings settings, RetryConfig retryConfig, Listeners listeners) {
        return new CacheNode(name, protocol, new HttpTransport(name, client, senders, headers,
                settings.requestTimeout(), retryConfig, scheduler, protocol.readsBody()), listeners);
    }

    /**
     * Whether {@code HttpClient.sendAsync} starts a thread per answer: it completes the future it returns through
     * {@code CompletableFuture}'s default executor, which on JDK 17 is a new thread per task when the common pool has
     * fewer than two threads (a JVM that sees one or two processors, as in many containers; JDK 25 keeps a pool of
     * at least two). Then draining a backlog costs a thread per purge, and blocking sends on threads of Roan's own
     * drain it two to three times faster (BENCHMARKS.md, 6a').
     */
    static boolean asyncStartsThreads(Executor defaultExecutor) {
        return !(defaultExecutor instanceof ForkJoinPool);
    }

    /**
     * Up to {@code max} threads, one per purge in flight (the dispatcher starts no more), started as needed and gone
     * when idle.
     */
    private static ThreadPoolExecutor senders(int max) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(max, max, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemonThreads("roan-send-"));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Adds the hook, or none when the JVM is already exiting (a Roan built by another shutdown hook). */
    private static @Nullable Thread register(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return hook;
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /**
     * The shutdown hook: the JVM exits without {@link #close()}. Delivers what is owed within the close timeout but,
     * unlike close, keeps taking purges: the application's own shutdown (a web server draining its requests, a
     * container closing its beans, in hooks that run at the same time as this one) may still commit. Daemon delivery
     * threads run until every hook has returned.
     */
    void atExit() {
        if (closing) {
            return;
        }
        int owed = dispatcher.pendingCount();
        if (owed == 0) {
            return;
        }
        // A node that is down would be probed after its backoff, up to maxRetryInterval: too late for an exit.
        dispatcher.probeDownNodesNow();
        boolean delivered = dispatcher.flush(closeTimeout);
        if (closing) {
            return;
        }
        if (delivered) {
            LOG.log(Level.INFO, () -> "The JVM is exiting without Roan.close(): delivered the " + owed
                    + " purges it still owed.");
            return;
        }
        Map<String, List<String>> pending = dispatcher.pending();
        int left = pending.values().stream().mapToInt(List::size).sum();
        LOG.log(Level.WARNING, () -> "The JVM is exiting without Roan.close(): " + left + " purges still owed after"
                + " waiting " + Ticker.saturatedNanos(closeTimeout) / 1_000_000 + " ms (closeTimeout) are not delivered"
                + " by this JVM, their pages may be stale: " + summary(pending));
    }

    /** Per node, how many paths and the first few: a backlog can hold millions. */
    static String summary(Map<String, List<String>> pending) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, List<String>> node : pending.entrySet()) {
            List<String> paths = node.getValue();
            text.append(text.length() == 0 ? "" : "; ").append(node.getKey()).append(": ").append(paths.size())
                    .append(paths.size() == 1 ? " path " : " paths ")
                    .append(paths.subList(0, Math.min(SHOWN_PATHS, paths.size())));
            if (paths.size() > SHOWN_PATHS) {
                text.setLength(text.length() - 1);
                text.append(", ...]");
            }
        }
        return text.toString();
    }

    List<CacheNode> nodes() {
        return nodes;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    /** The delivery threads, which start purges and complete the client's futures; for tests. */
    ThreadPoolExecutor executor() {
        return executor;
    }

    /** The threads that wait for answers with blocking sends, or null where sendAsync is cheap; for tests. */
    @Nullable ThreadPoolExecutor senders() {
        return senders;
    }

    /** The timer of retries (and of the dispatcher's waits unless a test gives it another); for tests. */
    ScheduledThreadPoolExecutor scheduler() {
        return scheduler;
    }

    /** The registered shutdown hook, or null when turned off or removed; for tests. */
    @Nullable Thread shutdownHook() {
        return closing ? null : shutdownHook;
    }

    /**
     * Stops taking purges, waits up to the close timeout for those pending, then stops the threads. Called once, by
     * {@link Roan#close()}.
     */
    void close() {
        closing = true;
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // Closed by another shutdown hook (a container's): ours runs too, and leaves the report to close.
            }
        }
        dispatcher.stopAccepting();
        if (!dispatcher.flush(closeTimeout)) {
            Map<String, List<String>> pending = dispatcher.pending();
            LOG.log(Level.WARNING, () -> "Roan closed after waiting " + Ticker.saturatedNanos(closeTimeout) / 1_000_000
                    + " ms with purges"
                    + " still pending, their pages may be stale: " + summary(pending));
        }
        scheduler.shutdownNow();
        if (senders != null) {
            // Not shutdownNow: an interrupted send would fail its purge and report a node down that is only slow, as
            // a purge still on the wire with sendAsync is not cut short either. Its request timeout ends the wait.
            senders.shutdown();
        }
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
