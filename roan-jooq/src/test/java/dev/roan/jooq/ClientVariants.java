package dev.roan.jooq;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

import dev.roan.testkit.Nginx;
import dev.roan.testkit.Upstream;

/**
 * What the JDK's {@code HttpClient} allows against one nginx purge location, without Roan: purges per second and
 * this process's CPU per purge for in-flight limits, executors and client counts. Not a test, a program
 * ({@code java -cp <test classpath> dev.roan.jooq.ClientVariants [paths]}), as BENCHMARKS.md reports (issue 16).
 */
final class ClientVariants {

    private ClientVariants() {}

    public static void main(String[] args) throws Exception {
        int paths = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        try (Upstream upstream = Upstream.start(path -> "page " + path);
             Nginx nginx = Nginx.builder(upstream.address()).start()) {
            String url = nginx.purgeUrl();
            run(url, paths, 32, 2, 1, true);
            for (int round = 0; round < 2; round++) {
                run(url, paths, 32, 2, 1, false);
                run(url, paths, 8, 2, 1, false);
                run(url, paths, 64, 2, 1, false);
                run(url, paths, 128, 2, 1, false);
                run(url, paths, 32, 1, 1, false);
                run(url, paths, 32, 4, 1, false);
                run(url, paths, 32, 0, 1, false);
                run(url, paths, 32, 2, 2, false);
            }
        }
    }

    /**
     * @param threads the client's executor threads; 0 for the client's default executor
     * @param clients clients sharing the purges round robin, each with its own connections and selector
     */
    private static void run(String url, int paths, int inFlight, int threads, int clients, boolean warmUp)
            throws Exception {
        ExecutorService executor = threads == 0 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "client");
            t.setDaemon(true);
            return t;
        });
        HttpClient[] all = new HttpClient[clients];
        for (int i = 0; i < clients; i++) {
            HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
            all[i] = executor == null ? b.build() : b.executor(executor).build();
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Semaphore slots = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(paths);
        long cpu = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < paths; i++) {
            slots.acquire();
            all[i % clients].sendAsync(HttpRequest.newBuilder(URI.create(url + "/v/" + System.nanoTime() + "/" + i))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, e) -> {
                        slots.release();
                        done.countDown();
                    });
        }
        done.await();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuPer = (os.getProcessCpuTime() - cpu) / 1e3 / paths;
        if (!warmUp) {
            System.out.printf(Locale.ROOT, "in flight %3d, %s, %d client(s): %6.0f purges/s, %5.1f us CPU per purge"
                    + " (%s, load %s)%n", inFlight, threads == 0 ? "default executor" : threads + " executor threads",
                    clients, paths / seconds, cpuPer, System.getProperty("java.version"),
                    Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
