package dev.roan.jooq;

import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Measures the heap one owed path costs on one node of a node that is down: not a test, a program (run it with
 * {@code java -cp <test classpath> dev.roan.jooq.OwedMemory [paths]}), as the README's "Bounded memory" reports.
 *
 * <p>It fills a dispatcher whose only node fails every purge (so every path stays queued), with paths of the shape a
 * row-level rule makes ({@code /posts/1234567}), and compares the used heap after full collections before and after;
 * the path strings count, as the dispatcher holds them. Run with {@code -XX:+UseSerialGC} so that collections are
 * complete and the numbers repeatable.
 */
final class OwedMemory {

    private OwedMemory() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        PurgeTarget failing = (path, requested, probe) -> CompletableFuture.completedFuture(
                PurgeTarget.Outcome.failed("down", -1));
        Scheduler never = (task, delay) -> { };
        Dispatcher dispatcher = new Dispatcher(List.of(failing), Runnable::run, never, System::nanoTime,
                new Dispatcher.Policy(null, Duration.ZERO, Duration.ofSeconds(30), null, Integer.MAX_VALUE, List.of()),
                () -> 1.0);
        long before = used();
        List<String> batch = new ArrayList<>(1);
        for (int i = 0; i < count; i++) {
            batch.clear();
            // A fresh string per path, as a rule makes one per write.
            batch.add("/posts/" + (1_000_000 + i));
            dispatcher.submit(batch);
        }
        long after = used();
        System.out.printf("%d owed paths on one node: %.1f MB, %.0f bytes per path (%s)%n", dispatcher.pendingCount(),
                (after - before) / 1e6, (after - before) / (double) count, System.getProperty("java.version"));
        Reference.reachabilityFence(dispatcher);
    }

    private static long used() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
