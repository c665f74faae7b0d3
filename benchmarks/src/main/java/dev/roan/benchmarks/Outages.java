package dev.roan.benchmarks;

import static dev.roan.benchmarks.Tables.POST;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.sun.net.httpserver.HttpServer;
import dev.roan.jooq.CacheNodeStatus;
import dev.roan.jooq.PurgeEvent;
import dev.roan.jooq.Roan;
import dev.roan.testkit.Nginx;
import dev.roan.testkit.Upstream;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.InsertValuesStep2;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;

/**
 * 6. The days something is unhealthy: how fast a backlog drains once a cache node is back, and how long a purge takes
 * from its commit under a saturating write load. Measured in this JVM with {@code System.nanoTime()}, default settings
 * unless said.
 */
final class Outages {

    private final boolean quick;
    private final Report report;

    Outages(boolean quick, Report report) {
        this.quick = quick;
        this.report = report;
    }

    // ---------------------------------------------------------------- 6a. drain rate after an outage

    void drain() throws Exception {
        int paths = quick ? 20_000 : 50_000;
        report.section("6a. Backlog drain after an outage: " + paths + " distinct paths owed, then the node comes back");
        // Warm-up, not reported: the first of these runs in a fresh JVM would otherwise pay for the JIT.
        try (Report quiet = Report.discarding()) {
            int port = freePort();
            AutoCloseable up = serve(port);
            try {
                new Outages(quick, quiet).delivery("warm-up", "http://127.0.0.1:" + port + "/purge", paths);
            } finally {
                up.close();
            }
        }
        String load = loadAverage();
        report.line("| Endpoint | Paths | First purge after the node is back, ms | Drain, s | Paths/s |");
        report.line("|---|---:|---:|---:|---:|");
        for (int run = 0; run < (quick ? 1 : 3); run++) {
            int port = freePort();
            drain("JDK HttpServer", "http://127.0.0.1:" + port + "/purge", paths, () -> serve(port));
            AutoCloseable up = serve(port);
            try {
                delivery("JDK HttpServer", "http://127.0.0.1:" + port + "/purge", paths);
            } finally {
                up.close();
            }
        }
        try (Upstream upstream = Upstream.start(path -> "page " + path)) {
            for (int run = 0; run < (quick ? 1 : 3); run++) {
                Nginx nginx = Nginx.builder(upstream.address()).start();
                try {
                    nginx.stopKeepingCache();
                    drain("nginx + ngx_cache_purge", nginx.purgeUrl(), paths, () -> {
                        nginx.startAgain();
                        return () -> { };
                    });
                    delivery("nginx + ngx_cache_purge", nginx.purgeUrl(), paths);
                } finally {
                    nginx.close();
                }
            }
        }
        report.line("");
        report.line("Load average (1 min) before and after: " + load + " and " + loadAverage() + " (2 cores; other builds share them).");
        report.line("");
        report.line("The node is down while the writes commit (a closed port), so every path is owed; then it answers"
                + " again. \"First purge\": from the node answering to the first delivered purge (the next probe;"
                + " `maxRetryInterval` 1 s here, so that the wait for the probe does not dominate). \"Drain\": from the"
                + " first to the last delivered purge. \"No outage\": the same paths owed by one commit while the node is"
                + " up, from the first to the last delivered purge, right after (one warm-up of that kind runs first,"
                + " unreported). Issue 12 measured 1,818 paths/s before this change.");
    }

    private interface Start {
        AutoCloseable start() throws Exception;
    }

    private void drain(String name, String purgeUrl, int paths, Start node) throws Exception {
        AtomicInteger delivered = new AtomicInteger();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        try (Connection connection = Tables.open(0);
             Roan roan = Roan.builder().purgeUrl(purgeUrl).maxRetryInterval(Duration.ofSeconds(1))
                     .listener(event -> {
                         if (event.outcome() == PurgeEvent.Outcome.DELIVERED) {
                             long now = System.nanoTime();
                             first.compareAndSet(0, now);
                             last.set(now);
                             delivered.incrementAndGet();
                         }
                     }).build()) {
            roan.purge("/p/{slug}").onWrite(POST);
            DSLContext dsl = DSL.using(roan.attach(new DefaultConfiguration().set(connection).set(SQLDialect.H2)));
            insert(dsl, 0, paths);
            await("all " + paths + " owed", () -> roan.cacheNodes().get(0).owedPurges() == paths
                    && roan.cacheNodes().get(0).isDown(), Duration.ofSeconds(60));
            AutoCloseable started = node.start();
            long back = System.nanoTime();
            try {
                await("drained", () -> delivered.get() >= paths, Duration.ofMinutes(5));
            } finally {
                started.close();
            }
            double seconds = (last.get() - first.get()) / 1e9;
            report.line(String.format(Locale.ROOT, "| %s | %d | %d | %.2f | %.0f |", name, paths,
                    (first.get() - back) / 1_000_000, seconds, paths / seconds));
        }
    }

    /** The same paths with the node up: one transaction owes them all at its commit, and they are delivered. */
    private void delivery(String name, String purgeUrl, int paths) throws Exception {
        AtomicInteger delivered = new AtomicInteger();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        try (Connection connection = Tables.open(0);
             Roan roan = Roan.builder().purgeUrl(purgeUrl).listener(event -> {
                 if (event.outcome() == PurgeEvent.Outcome.DELIVERED) {
                     long now = System.nanoTime();
                     first.compareAndSet(0, now);
                     last.set(now);
                     delivered.incrementAndGet();
                 }
             }).build()) {
            roan.purge("/p/{slug}").onWrite(POST);
            DSLContext dsl = DSL.using(roan.attach(new DefaultConfiguration().set(connection).set(SQLDialect.H2)));
            long committed = System.nanoTime();
            dsl.transaction(tx -> insert(tx.dsl(), 0, paths));
            await("delivered", () -> delivered.get() >= paths, Duration.ofMinutes(5));
            double seconds = (last.get() - first.get()) / 1e9;
            report.line(String.format(Locale.ROOT, "| %s, no outage: one commit owing them all | %d | (%d from the start of"
                    + " the transaction) | %.2f | %.0f |", name, paths, (first.get() - committed) / 1_000_000, seconds,
                    paths / seconds));
        }
    }

    /** Inserts rows with slugs {@code p<from>..}, 1,000 to a statement, one statement per transaction. */
    private static void insert(DSLContext dsl, int from, int count) {
        for (int start = from; start < from + count; start += 1_000) {
            int begin = start;
            int end = Math.min(from + count, start + 1_000);
            dsl.transaction(tx -> {
                InsertValuesStep2<Record, String, String> insert = tx.dsl().insertInto(POST, POST.SLUG, POST.TITLE);
                for (int i = begin; i < end; i++) {
                    insert = insert.values("p" + i, "t");
                }
                insert.execute();
            });
        }
    }

    private static AutoCloseable serve(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return () -> {
            server.stop(0);
            threads.shutdownNow();
        };
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    // ---------------------------------------------------------------- 6b. commit to purge under load

    void underLoad() throws Exception {
        Duration duration = Duration.ofSeconds(quick ? 5 : 15);
        int rate = 2_000;
        report.section("6b. Commit to purge under load: writer threads committing one-row transactions for "
                + duration.toSeconds() + " s (after 2 s of warm-up), each to a new page path, real nginx");
        String load = loadAverage();
        report.line("| Writers | Load | Commits/s | Purges delivered/s | p50 ms | p90 ms | p99 ms | max ms | Owed at the end |");
        report.line("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        try (Upstream upstream = Upstream.start(path -> "page " + path);
             Nginx nginx = Nginx.builder(upstream.address()).start()) {
            for (int writers : new int[] {1, 4, 8}) {
                underLoad(nginx.purgeUrl(), writers, duration, rate);
            }
            for (int writers : new int[] {1, 4, 8}) {
                underLoad(nginx.purgeUrl(), writers, duration, 0);
            }
        }
        report.line("");
        report.line("Load average (1 min) before and after: " + load + " and " + loadAverage() + " (2 cores; other builds share them).");
        report.line("");
        report.line("Every commit owes one purge of a path of its own, never coalesced. \"" + rate + "/s\": the"
                + " writers together commit at that rate (each on a fixed schedule); \"saturating\": as fast as"
                + " they can, so the backlog grows for as long as commits outpace purges and the latency is mostly"
                + " the time spent in it (the delivered/s column is the capacity). Latency: from just before the"
                + " transaction (a one-row insert into H2, tens of microseconds) to the DELIVERED event of its purge"
                + " (the answer seen by Roan), for every commit in the measured window; delivered/s counts purges"
                + " answered within the window. \"Owed at the end\": the backlog when the writers stopped.");
    }

    private void underLoad(String purgeUrl, int writers, Duration duration, int rate) throws Exception {
        ConcurrentHashMap<String, Long> committed = new ConcurrentHashMap<>();
        long[] latencies = new long[4_000_000];
        AtomicInteger samples = new AtomicInteger();
        AtomicInteger delivered = new AtomicInteger();
        AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
        AtomicLong measureTo = new AtomicLong(Long.MAX_VALUE);
        try (Connection keep = Tables.open(0);
             Roan roan = Roan.builder().purgeUrl(purgeUrl).listener(event -> {
                 if (event.outcome() != PurgeEvent.Outcome.DELIVERED) {
                     return;
                 }
                 long now = System.nanoTime();
                 if (now >= measureFrom.get() && now < measureTo.get()) {
                     delivered.incrementAndGet();
                 }
                 Long at = committed.remove(event.path());
                 if (at != null && at >= measureFrom.get() && at < measureTo.get()) {
                     int i = samples.getAndIncrement();
                     if (i < latencies.length) {
                         latencies[i] = now - at;
                     }
                 }
             }).build()) {
            roan.purge("/p/{slug}").onWrite(POST);
            String url = keep.getMetaData().getURL();
            AtomicInteger next = new AtomicInteger();
            AtomicInteger commits = new AtomicInteger();
            openWindow(measureFrom, measureTo, duration);
            runWriters(url, roan, writers, rate, measureTo.get(), (dsl, random) -> {
                String slug = "s" + next.incrementAndGet();
                // Stamped before the transaction, as its purge may be delivered before the line after it.
                long now = System.nanoTime();
                committed.put("/p/" + slug, now);
                dsl.transaction(tx -> tx.dsl().insertInto(POST, POST.SLUG, POST.TITLE).values(slug, "t").execute());
                if (now >= measureFrom.get()) {
                    commits.incrementAndGet();
                }
            });
            int owed = roan.cacheNodes().stream().mapToInt(CacheNodeStatus::owedPurges).sum();
            roan.flush(Duration.ofMinutes(5));
            int n = Math.min(samples.get(), latencies.length);
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            double seconds = duration.toNanos() / 1e9;
            report.line(String.format(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f | %d |", writers,
                    rate == 0 ? "saturating" : rate + "/s", commits.get() / seconds, delivered.get() / seconds, ms(sorted, 0.50), ms(sorted, 0.90),
                    ms(sorted, 0.99), n == 0 ? Double.NaN : sorted[n - 1] / 1e6, owed));
        }
    }

    // ---------------------------------------------------------------- 6c. staleness under load, a site's shape

    /**
     * 6c. The shape of a real site under load: 1,000 posts, rules {@code /posts} (the list every write changes) and
     * {@code /posts/{id}}; writers update random posts. Idle: one writer, 20 commits a second; then 1, 4 and 8 writers
     * as fast as they can, in the same JVM and the same nginx. Staleness: each delivered purge's latency as Roan reports it
     * ({@link PurgeEvent#latency()}: from the earliest write the purge covers, so the longest staleness of the writes
     * it clears), the figure Roan's own metrics show.
     */
    void shape() throws Exception {
        Duration duration = Duration.ofSeconds(quick ? 5 : 10);
        report.section("6c. Staleness under load, a site's shape: 1,000 posts, rules /posts and /posts/{id}, writers"
                + " updating random posts for " + duration.toSeconds() + " s (after 2 s of warm-up), real nginx");
        String load = loadAverage();
        report.line("| Writers | Load | Commits/s | Purges delivered/s | /posts p50 ms | /posts p99 ms | /posts/{id} p50 ms"
                + " | /posts/{id} p99 ms | p99 / idle p99 | Owed when the writers stopped |");
        report.line("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        try (Upstream upstream = Upstream.start(path -> "page " + path);
             Nginx nginx = Nginx.builder(upstream.address()).start()) {
            // Warm-up run, not reported: the first run in a JVM would pay for the JIT.
            try (Report quiet = Report.discarding()) {
                new Outages(true, quiet).shape(nginx.purgeUrl(), 1, Duration.ofSeconds(3), 0, null);
            }
            double[] idle = shape(nginx.purgeUrl(), 1, duration, 20, null);
            for (int writers : new int[] {1, 4, 8}) {
                shape(nginx.purgeUrl(), writers, duration, 0, idle);
            }
        }
        report.line("");
        report.line("Load average (1 min) before and after: " + load + " and " + loadAverage() + " (2 cores).");
        report.line("");
        report.line("\"20/s\": one writer commits 20 one-row UPDATEs a second (the idle reference); \"saturating\": as"
                + " fast as they can. Each commit owes /posts and /posts/{id}: /posts is written by every commit, so it"
                + " is purged about once per coalescing window (10 ms by default) and its staleness is bounded by the"
                + " window plus a round trip, by design; /posts/{id} is written about once per 1,000 commits. \"p99 /"
                + " idle p99\": the worse of the two pages' p99 over the same page's idle p99. \"Owed\": purges still"
                + " owed when the writers stopped. Staleness: each purge delivered in the measured window, from the earliest"
                + " write it covers to its answer (its event's latency, as Roan's metrics show it): the longest"
                + " staleness among the commits it clears.");
    }

    private double[] shape(String purgeUrl, int writers, Duration duration, int rate, double[] idleP99) throws Exception {
        int posts = 1_000;
        long[] list = new long[4_000_000];
        long[] item = new long[4_000_000];
        AtomicInteger lists = new AtomicInteger();
        AtomicInteger items = new AtomicInteger();
        AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
        AtomicLong measureTo = new AtomicLong(Long.MAX_VALUE);
        try (Connection keep = Tables.open(posts);
             Roan roan = Roan.builder().purgeUrl(purgeUrl).listener(event -> {
                 if (event.outcome() != PurgeEvent.Outcome.DELIVERED) {
                     return;
                 }
                 long now = System.nanoTime();
                 if (now < measureFrom.get() || now >= measureTo.get()) {
                     return;
                 }
                 // The event's latency runs from the earliest write its purge covers: that write's staleness, the
                 // longest of the writes it clears.
                 boolean isList = event.path().equals("/posts");
                 int i = (isList ? lists : items).getAndIncrement();
                 long[] into = isList ? list : item;
                 if (i < into.length) {
                     into[i] = event.latency().toNanos();
                 }
             }).build()) {
            roan.purge("/posts").onWrite(POST);
            roan.purge("/posts/{id}").onWrite(POST);
            String url = keep.getMetaData().getURL();
            AtomicInteger commits = new AtomicInteger();
            openWindow(measureFrom, measureTo, duration);
            runWriters(url, roan, writers, rate, measureTo.get(), (dsl, random) -> {
                long id = 1 + random.nextInt(posts);
                dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "t").where(POST.ID.eq(id)).execute());
                long now = System.nanoTime();
                if (now >= measureFrom.get() && now < measureTo.get()) {
                    commits.incrementAndGet();
                }
            });
            int owed = roan.cacheNodes().stream().mapToInt(CacheNodeStatus::owedPurges).sum();
            roan.flush(Duration.ofMinutes(5));
            long[] listSorted = Arrays.copyOf(list, Math.min(lists.get(), list.length));
            long[] itemSorted = Arrays.copyOf(item, Math.min(items.get(), item.length));
            Arrays.sort(listSorted);
            Arrays.sort(itemSorted);
            double seconds = duration.toNanos() / 1e9;
            double[] p99 = {ms(listSorted, 0.99), ms(itemSorted, 0.99)};
            report.line(String.format(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %s | %d |",
                    writers, rate == 0 ? "saturating" : rate + "/s", commits.get() / seconds,
                    (lists.get() + items.get()) / seconds, ms(listSorted, 0.50), ms(listSorted, 0.99),
                    ms(itemSorted, 0.50), ms(itemSorted, 0.99), idleP99 == null ? "(idle)"
                            : String.format(Locale.ROOT, "%.1fx", Math.max(p99[0] / idleP99[0], p99[1] / idleP99[1])),
                    owed));
            return p99;
        }
    }

    /** One commit of a writer thread, on its own connection's {@code dsl}. */
    private interface Commit {
        void run(DSLContext dsl, java.util.SplittableRandom random);
    }

    /** Opens the measured window: two seconds of warm-up from now, then {@code duration}. */
    private static void openWindow(AtomicLong from, AtomicLong to, Duration duration) {
        long start = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        from.set(start);
        to.set(start + duration.toNanos());
    }

    /**
     * Runs {@code writers} threads, each on its own connection to {@code url} attached to {@code roan}, committing until
     * {@code until} ({@code System.nanoTime()}): together {@code rate} commits a second on a fixed schedule, or as fast
     * as they can when {@code rate} is 0. Returns when all have stopped.
     */
    private static void runWriters(String url, Roan roan, int writers, int rate, long until, Commit commit)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(writers);
        for (int w = 0; w < writers; w++) {
            Thread thread = new Thread(() -> {
                try (Connection connection = DriverManager.getConnection(url)) {
                    DSLContext dsl = DSL.using(roan.attach(new DefaultConfiguration().set(connection)
                            .set(SQLDialect.H2)));
                    java.util.SplittableRandom random = new java.util.SplittableRandom();
                    long interval = rate == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) * writers / rate;
                    long due = System.nanoTime();
                    while (System.nanoTime() < until) {
                        if (interval > 0) {
                            due += interval;
                            LockSupport.parkNanos(due - System.nanoTime());
                        }
                        commit.run(dsl, random);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    done.countDown();
                }
            }, "writer-" + w);
            thread.start();
        }
        done.await();
    }

    /** The 1-minute load average from {@code /proc/loadavg}, with what else this machine was doing. */
    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static double ms(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }

    private static void await(String what, java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + timeout + ": " + what);
            }
            Thread.sleep(5);
        }
    }
}
