package dev.roan.jooq;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.roan.testkit.PurgeServer;
import dev.roan.testkit.PurgeServer.Answer;

/**
 * Measures how fast a backlog drains once its cache node recovers: not a test, a program (run it with
 * {@code java -cp <test classpath> dev.roan.jooq.DrainRate [paths] [purgeUrl downFile]}), as the README reports.
 *
 * <p>Roan's own delivery (default settings but a 2 s probe cap, so that the run is short) purges a node that answers
 * 503 while {@code paths} distinct paths are owed; then the node answers 200, and the rate is the paths delivered
 * divided by the time from the recovery's first delivered purge to the last. Against {@link PurgeServer} by default,
 * or against a real nginx's purge URL given as the second argument, whose purge location answers 503 while the file
 * given as the third argument exists ({@code if (-f <downFile>) { return 503; }}): the program creates it for the
 * outage and deletes it for the recovery.
 */
final class DrainRate {

    private DrainRate() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        AtomicBoolean up = new AtomicBoolean();
        try (PurgeServer server = new PurgeServer()) {
            server.respond(path -> Answer.status(up.get() ? 200 : 503));
            String url = args.length > 1 ? args[1] : server.purgeUrl();
            Path downFile = args.length > 2 ? Path.of(args[2]) : null;
            SettingsBuilder builder = new SettingsBuilder();
            builder.purgeUrls(url);
            builder.maxRetryInterval(Duration.ofSeconds(2));
            builder.maxOwedPaths(Math.max(count, 1));
            Delivery delivery = new Delivery(builder.settings());
            Dispatcher dispatcher = delivery.dispatcher();
            // Two outages: the first drain runs on a cold JVM (the HttpClient's code not yet compiled), the second warm.
            for (int round = 1; round <= 2; round++) {
                up.set(false);
                if (downFile != null) {
                    Files.writeString(downFile, "down");
                }
                List<String> batch = new ArrayList<>(1);
                for (int i = 0; i < count; i++) {
                    batch.clear();
                    batch.add("/posts/" + round + "/" + (1_000_000 + i));
                    dispatcher.submit(batch);
                }
                while (!dispatcher.status().get(0).isDown()) {
                    Thread.sleep(10);
                }
                up.set(true);
                if (downFile != null) {
                    Files.delete(downFile);
                }
                // pendingCount() is cheap under the lock; status() walks every entry and would slow the drain.
                long recovered = 0;
                long most = 0;
                int pending;
                while ((pending = dispatcher.pendingCount()) > 0) {
                    if (recovered == 0 && pending < count) {
                        recovered = System.nanoTime();
                    }
                    if (most == 0 && pending <= count / 100) {
                        most = System.nanoTime();
                    }
                    Thread.sleep(1);
                }
                double seconds = (System.nanoTime() - recovered) / 1e9;
                // The last paths may wait for a retry's backoff: the first 99% tell the rate of the drain itself.
                double first99 = ((most == 0 ? System.nanoTime() : most) - recovered) / 1e9;
                System.out.printf("outage %d: drained %d paths in %.2f s after recovery: %.0f paths/s; the first 99%% in"
                        + " %.2f s: %.0f paths/s (%s, %s)%n", round, count, seconds, count / seconds, first99,
                        count * 0.99 / first99, System.getProperty("java.version"),
                        args.length > 1 ? url : "PurgeServer");
            }
            delivery.close();
        }
    }
}
