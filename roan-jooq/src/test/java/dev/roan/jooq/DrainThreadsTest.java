package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

import dev.roan.testkit.PurgeServer;
import org.junit.jupiter.api.Test;

/**
 * The threads a draining backlog costs. On JDK 17 with one or two processors, {@code HttpClient.sendAsync} completes
 * every answer on a new thread (CompletableFuture's default executor); Roan then sends with blocking calls on threads
 * of its own instead, several times faster.
 */
class DrainThreadsTest {

    private static final int PATHS = 400;

    @Test
    void drainingABacklogStartsNoThreadPerPurge() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (PurgeServer cache = new PurgeServer()) {
            SettingsBuilder settings = new SettingsBuilder();
            settings.purgeUrls(cache.purgeUrl());
            Delivery delivery = new Delivery(settings.settings());
            try {
                // A first purge opens the connection and starts the pools' first threads.
                delivery.dispatcher().submit(List.of("/warm"));
                assertThat(delivery.dispatcher().flush(Waits.DELIVERY)).as("the first purge delivered").isTrue();
                long before = threads.getTotalStartedThreadCount();
                List<String> paths = new ArrayList<>();
                for (int i = 0; i < PATHS; i++) {
                    paths.add("/posts/" + i);
                }
                delivery.dispatcher().submit(paths);
                assertThat(delivery.dispatcher().flush(Waits.DELIVERY)).as("the backlog delivered").isTrue();
                long started = threads.getTotalStartedThreadCount() - before;

                // At most one sender per purge in flight, the delivery threads, and the test server's own threads.
                assertThat(started).as("threads started while %s purges were delivered (JDK %s, %s processors)",
                        PATHS, Runtime.version().feature(), Runtime.getRuntime().availableProcessors())
                        .isLessThan(3L * NodeBacklog.MAX_IN_FLIGHT_PER_NODE);
                assertThat(cache.count()).as("purges the cache received").isEqualTo(PATHS + 1);
            } finally {
                delivery.close();
            }
        }
    }

    @Test
    void sendsBlockOnlyWhereAsynchronousAnswersWouldEachStartAThread() {
        assertThat(Delivery.asyncStartsThreads(ForkJoinPool.commonPool())).as("a pool").isFalse();
        Executor threadPerTask = runnable -> new Thread(runnable).start();
        assertThat(Delivery.asyncStartsThreads(threadPerTask)).as("a thread per task").isTrue();
    }
}
