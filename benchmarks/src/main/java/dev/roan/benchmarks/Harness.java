package dev.roan.benchmarks;

import static dev.roan.benchmarks.Tables.POST;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.roan.jooq.Roan;
import dev.roan.testkit.Nginx;
import dev.roan.testkit.Upstream;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;

/**
 * 2. Delivery latency, 3. throughput against wrk, 4. coalescing: measured in this JVM with {@code System.nanoTime()},
 * against a JDK HttpServer and a real nginx with ngx_cache_purge (the test kit's), each next to its baseline in the
 * same run.
 */
final class Harness {

    private static final Duration FLUSH = Duration.ofSeconds(30);

    private final boolean quick;
    private final Report report;

    Harness(boolean quick, Report report) {
        this.quick = quick;
        this.report = report;
    }

    // ---------------------------------------------------------------- 2. delivery latency

    void latency() throws Exception {
        // Long warm-ups: on 2 cores, C2 compiling the HttpClient's, Resilience4j's and Roan's paths shows up as a
        // millisecond tail in Roan's samples for the first 20,000 or so (measured), which is not what Roan costs.
        int warmup = quick ? 10_000 : 30_000;
        int samples = quick ? 3_000 : 20_000;
        report.section("2. Delivery latency: commit to purge, p50/p99 (" + samples + " samples each, interleaved, "
                + warmup + " warm-up)");
        report.line("| Endpoint | Measured | p50 us | p90 us | p99 us | max us | p99 / bare p99 |");
        report.line("|---|---|---:|---:|---:|---:|---:|");
        try (Endpoint endpoint = Endpoint.start()) {
            latency("JDK HttpServer", endpoint.purgeUrl(), null, endpoint, warmup, samples);
        }
        try (Upstream upstream = Upstream.start(path -> "page " + path);
             Nginx nginx = Nginx.builder(upstream.address()).start()) {
            latency("nginx", nginx.purgeUrl(), nginx.baseUrl(), null, warmup, samples);
        }
        report.line("");
        report.line("Roan: from just before the commit (end of the `dsl.transaction` lambda) until `roan.flush()` returns,"
                + " i.e. the purge's answer was seen by Roan's delivery thread and handed back. Bare: `HttpClient.send`"
                + " of the same GET with an HTTP/1.1 client like Roan's, until it returns. \"received\": until the"
                + " JDK HttpServer's handler ran. Before each nginx sample the page is cached again with a GET.");
    }

    private void latency(String name, String purgeUrl, String baseUrl, Endpoint endpoint, int warmup, int samples)
            throws Exception {
        HttpClient bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpClient reader = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest purge = HttpRequest.newBuilder(URI.create(purgeUrl + "/posts")).timeout(Duration.ofSeconds(5)).build();
        HttpRequest page = baseUrl == null ? null : HttpRequest.newBuilder(URI.create(baseUrl + "/posts")).build();
        try (Connection connection = Tables.open(1);
             Roan roan = Roan.builder().purgeUrl(purgeUrl).build()) {
            roan.purge("/posts").onWrite(POST);
            DSLContext dsl = DSL.using(roan.attach(new DefaultConfiguration().set(connection).set(SQLDialect.H2)));
            long[] roanDone = new long[samples];
            long[] roanReceived = new long[samples];
            long[] bareDone = new long[samples];
            long[] bareReceived = new long[samples];
            long[] start = new long[1];
            for (int i = -warmup; i < samples; i++) {
                if (page != null) {
                    reader.send(page, HttpResponse.BodyHandlers.discarding());
                }
                dsl.transaction(tx -> {
                    tx.dsl().update(POST).set(POST.TITLE, "t").where(POST.ID.eq(1L)).execute();
                    start[0] = System.nanoTime();
                });
                if (!roan.flush(FLUSH)) {
                    throw new IllegalStateException("purge not delivered in " + FLUSH);
                }
                long done = System.nanoTime();
                if (i >= 0) {
                    roanDone[i] = done - start[0];
                    if (endpoint != null) {
                        roanReceived[i] = endpoint.receivedAt("/purge/posts") - start[0];
                    }
                }
                if (page != null) {
                    reader.send(page, HttpResponse.BodyHandlers.discarding());
                }
                long t0 = System.nanoTime();
                HttpResponse<Void> response = bare.send(purge, HttpResponse.BodyHandlers.discarding());
                long t1 = System.nanoTime();
                if (response.statusCode() != 200 && response.statusCode() != 404) {
                    throw new IllegalStateException("bare purge answered " + response.statusCode());
                }
                if (i >= 0) {
                    bareDone[i] = t1 - t0;
                    if (endpoint != null) {
                        bareReceived[i] = endpoint.receivedAt("/purge/posts") - t0;
                    }
                }
            }
            double bareP99 = percentile(bareDone, 99);
            row(name, "bare HttpClient, send to answer", bareDone, bareP99);
            row(name, "**Roan, commit to purge answered**", roanDone, bareP99);
            if (endpoint != null) {
                double bareReceivedP99 = percentile(bareReceived, 99);
                row(name, "bare HttpClient, send to received", bareReceived, bareReceivedP99);
                row(name, "Roan, commit to received", roanReceived, bareReceivedP99);
            }
        }
    }

    private void row(String endpoint, String what, long[] nanos, double baselineP99) {
        double p99 = percentile(nanos, 99);
        report.line(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.2fx |", endpoint, what,
                percentile(nanos, 50) / 1e3, percentile(nanos, 90) / 1e3, p99 / 1e3, percentile(nanos, 100) / 1e3,
                p99 / baselineP99));
    }

    static double percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    // ---------------------------------------------------------------- 3. throughput

    void throughput() throws Exception {
        int paths = quick ? 20_000 : 100_000;
        int wrkSeconds = quick ? 5 : 15;
        report.section("3. Throughput: distinct paths purged per second, one nginx purge location");
        try (Upstream upstream = Upstream.start(path -> "page " + path);
             Nginx nginx = Nginx.builder(upstream.address()).start();
             Connection connection = Tables.open(paths);
             Roan roan = Roan.builder().purgeUrl(nginx.purgeUrl()).build()) {
            roan.purge("/p/{id}").onWrite(POST);
            DSLContext dsl = DSL.using(roan.attach(new DefaultConfiguration().set(connection).set(SQLDialect.H2)));
            purgeAll(dsl, roan, Math.min(paths, 5_000));          // warm-up
            purgeAll(dsl, roan, Math.min(paths, 5_000));
            double[] roanRate = purgeAll(dsl, roan, paths);
            jdkClient(nginx.purgeUrl(), 5_000, 32);                // warm-up
            double[] jdkRate = jdkClient(nginx.purgeUrl(), paths, 32);
            double[] wrkRate = wrk(nginx.baseUrl(), wrkSeconds, 32);
            double[] wrk1 = wrk(nginx.baseUrl(), wrkSeconds, 1);
            report.line("| Client | Connections | Paths | Purges/s | vs wrk -c32 | Client CPU us per purge |");
            report.line("|---|---:|---:|---:|---:|---:|");
            report.line(String.format(Locale.ROOT, "| wrk -t1, Lua script, a new path per request | 32 | %d s | %.0f | 1.00x"
                    + " | %.1f |", wrkSeconds, wrkRate[0], wrkRate[1]));
            report.line(String.format(Locale.ROOT, "| wrk -t1, same | 1 | %d s | %.0f | %.2fx | %.1f |", wrkSeconds,
                    wrk1[0], wrk1[0] / wrkRate[0], wrk1[1]));
            report.line(String.format(Locale.ROOT, "| bare JDK HttpClient, sendAsync, at most 32 in flight, 2 executor"
                    + " threads | 32 | %d | %.0f | %.2fx | %.1f |", paths, jdkRate[0], jdkRate[0] / wrkRate[0], jdkRate[1]));
            report.line(String.format(Locale.ROOT, "| **Roan** (at most %d in flight) | 32 | %d | %.0f | %.2fx | %.1f |", 32,
                    paths, roanRate[0], roanRate[0] / wrkRate[0], roanRate[1]));
            report.line("");
            report.line("Roan: one transaction updates " + paths + " posts, each purging its own `/p/{id}`; timed from"
                    + " the commit until `roan.flush()` returns (all answered). None of the paths is cached, for Roan and"
                    + " wrk alike, so nginx answers 404 (\"was not cached\"). Client CPU: user + system time of the"
                    + " client process (this JVM, or wrk) per purge; nginx's own CPU is not included.");
        }
    }

    /** Returns purges per second and this JVM's CPU microseconds per purge. */
    private static double[] purgeAll(DSLContext dsl, Roan roan, int rows) {
        long[] start = new long[2];
        dsl.transaction(tx -> {
            DSLContext t = tx.dsl();
            for (long id = 1; id <= rows; id++) {
                t.update(POST).set(POST.TITLE, "t").where(POST.ID.eq(id)).execute();
            }
            start[0] = System.nanoTime();
            start[1] = processCpuNanos();
        });
        if (!roan.flush(FLUSH)) {
            throw new IllegalStateException("purges not delivered in " + FLUSH);
        }
        long elapsed = System.nanoTime() - start[0];
        return new double[] {rows / (elapsed / 1e9), (processCpuNanos() - start[1]) / 1e3 / rows};
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * The JDK's HttpClient alone, as Roan configures it (HTTP/1.1, two executor threads), {@code inFlight} purges at a
     * time. Returns purges per second and this JVM's CPU microseconds per purge.
     */
    private static double[] jdkClient(String purgeUrl, int paths, int inFlight) throws InterruptedException {
        java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bare-client");
            t.setDaemon(true);
            return t;
        });
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build();
            java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(inFlight);
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(paths);
            long t0 = System.nanoTime();
            long cpu0 = processCpuNanos();
            for (int i = 0; i < paths; i++) {
                slots.acquire();
                client.sendAsync(HttpRequest.newBuilder(URI.create(purgeUrl + "/j/" + i)).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                            slots.release();
                            done.countDown();
                        });
            }
            done.await();
            return new double[] {paths / ((System.nanoTime() - t0) / 1e9), (processCpuNanos() - cpu0) / 1e3 / paths};
        } finally {
            executor.shutdownNow();
        }
    }

    /** Returns wrk's requests per second and its CPU microseconds (user + system) per request. */
    private static double[] wrk(String baseUrl, int seconds, int connections) throws IOException, InterruptedException {
        Path script = Files.createTempFile("roan-wrk", ".lua");
        try {
            Files.writeString(script, "counter = 0\n"
                    + "request = function()\n"
                    + "  counter = counter + 1\n"
                    + "  return wrk.format(\"GET\", \"/purge/w/" + connections + "/\" .. counter)\n"
                    + "end\n", StandardCharsets.UTF_8);
            // bash's `times` prints the CPU time its children (wrk) used: user and system, on its second line.
            Process p = new ProcessBuilder("bash", "-c", "wrk -t1 -c" + connections + " -d" + seconds + "s -s '" + script
                    + "' '" + baseUrl + "/' && times").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("wrk failed: " + out);
            }
            Matcher m = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("no Requests/sec in wrk's output: " + out);
            }
            double rate = Double.parseDouble(m.group(1));
            Matcher cpu = Pattern.compile("(\\d+)m([0-9.]+)s (\\d+)m([0-9.]+)s\\s*$").matcher(out.strip());
            double cpuSeconds = cpu.find() ? Integer.parseInt(cpu.group(1)) * 60 + Double.parseDouble(cpu.group(2))
                    + Integer.parseInt(cpu.group(3)) * 60 + Double.parseDouble(cpu.group(4)) : Double.NaN;
            Matcher requests = Pattern.compile("(\\d+) requests in").matcher(out);
            double count = requests.find() ? Double.parseDouble(requests.group(1)) : rate * seconds;
            return new double[] {rate, cpuSeconds * 1e6 / count};
        } catch (IOException e) {
            throw new IOException("wrk is needed for the throughput comparison: apt-get install -y wrk (" + e.getMessage()
                    + ")", e);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    // ---------------------------------------------------------------- 4. coalescing

    void coalescing() throws Exception {
        int commits = 10_000;
        report.section("4. Coalescing: " + commits + " commits to one table in a tight loop, rule `/posts`");
        report.line("| Endpoint | Commits | Loop ms | Purges sent | Purges / commits | Last purge after last commit |");
        report.line("|---|---:|---:|---:|---:|---|");
        try (Endpoint endpoint = Endpoint.start()) {
            AtomicLong lastCommit = new AtomicLong();
            try (Connection connection = stampingCommits(Tables.open(1), lastCommit);
                 Roan roan = Roan.builder().purgeUrl(endpoint.purgeUrl()).build()) {
                roan.purge("/posts").onWrite(POST);
                DSLContext dsl = DSL.using(roan.attach(new DefaultConfiguration().set(connection).set(SQLDialect.H2)));
                loop(dsl, 2_000, null);                          // warm-up
                roan.flush(FLUSH);
                endpoint.reset();
                long ms = loop(dsl, commits, null);
                long committed = lastCommit.get();
                roan.flush(FLUSH);
                int sent = endpoint.received();
                long after = endpoint.lastReceivedNanos() - committed;
                report.line(String.format(Locale.ROOT, "| JDK HttpServer | %d | %d | %d | %.2f%% | yes: received %.0f us"
                        + " after the last `Connection.commit()` returned |", commits, ms, sent, 100.0 * sent / commits,
                        after / 1e3));
                if (after <= 0) {
                    throw new IllegalStateException("the last purge arrived before the last commit");
                }
            }
        }
        AtomicReference<String> title = new AtomicReference<>("t-initial");
        try (Upstream upstream = Upstream.start(path -> title.get());
             Nginx nginx = Nginx.builder(upstream.address()).start();
             Connection connection = Tables.open(1);
             Roan roan = Roan.builder().purgeUrl(nginx.purgeUrl()).build()) {
            roan.purge("/posts").onWrite(POST);
            DSLContext dsl = DSL.using(roan.attach(new DefaultConfiguration().set(connection).set(SQLDialect.H2)));
            HttpClient reader = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest page = HttpRequest.newBuilder(URI.create(nginx.baseUrl() + "/posts")).build();
            loop(dsl, 2_000, null);
            roan.flush(FLUSH);
            reader.send(page, HttpResponse.BodyHandlers.ofString());         // cached now
            int before = purgesLogged(nginx);
            long ms = loop(dsl, commits, title);
            roan.flush(FLUSH);
            int sent = purgesLogged(nginx) - before;
            HttpResponse<String> fresh = reader.send(page, HttpResponse.BodyHandlers.ofString());
            String status = fresh.headers().firstValue("X-Cache-Status").orElse("?");
            boolean ok = fresh.body().equals("t" + (commits - 1));
            report.line(String.format(Locale.ROOT, "| nginx | %d | %d | %d | %.2f%% | %s: after the loop GET /posts is"
                    + " %s with the last commit's title `%s` |", commits, ms, sent, 100.0 * sent / commits,
                    ok ? "yes" : "**NO**", status, fresh.body()));
            if (!ok) {
                throw new IllegalStateException("stale page after the loop: " + fresh.body());
            }
        }
        report.line("");
        report.line("Each commit is `dsl.transaction(tx -> update post set title = ? where id = 1)`; the page's content"
                + " (nginx run) is the title the loop set last before its commit.");
    }

    /** Runs {@code commits} transactions; with {@code title}, publishes each commit's title as the page's content. */
    private static long loop(DSLContext dsl, int commits, AtomicReference<String> title) {
        long t0 = System.nanoTime();
        for (int i = 0; i < commits; i++) {
            String t = "t" + i;
            dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, t).where(POST.ID.eq(1L)).execute());
            if (title != null) {
                // The page shows what is committed; set right after the commit, before any purge of it can matter:
                // a purge received before this point would let a read cache the previous title, which is what the
                // check after the loop would catch.
                title.set(t);
            }
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static int purgesLogged(Nginx nginx) {
        int n = 0;
        List<String> lines = new ArrayList<>(nginx.accessLog());
        for (String line : lines) {
            if (line.startsWith("GET /purge/posts ")) {
                n++;
            }
        }
        return n;
    }

    /** The connection, noting when each {@code commit()} returned. */
    private static Connection stampingCommits(Connection real, AtomicLong lastCommit) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(real, args);
                        if (method.getName().equals("commit")) {
                            lastCommit.set(System.nanoTime());
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
