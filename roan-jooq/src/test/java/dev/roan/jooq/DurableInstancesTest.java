package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.roan.testkit.JavaProcess;
import dev.roan.testkit.PurgeServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three application instances (child JVMs) share one PostgreSQL outbox; the cache fails every other purge, and the
 * purges of every other post of the instance that is then killed ({@code kill -9}) mid-way, so that those reach it
 * only through another instance's sweep. Every committed post's purge must still reach the cache; a purge sent
 * twice is allowed, and counted.
 */
class DurableInstancesTest {

    private static final String DATABASE = "roan_instances_test";
    private static final int POSTS_EACH = 30;
    private static final int KILL_AFTER = 10;

    @RegisterExtension
    static final ServerDb SERVER = ServerDb.postgres(DATABASE);

    /**
     * A fleet's first deploy: instances start at the same moment on a database without the outbox table, and each
     * creates it when missing. PostgreSQL's {@code CREATE TABLE IF NOT EXISTS} is not safe against a concurrent one
     * (it can fail on its catalog's unique index): no instance may fail to start for that.
     */
    @Test
    void instancesStartingTogetherAllStartWhenEachCreatesTheOutboxTable() throws Exception {
        OutboxDb db = SERVER.database("roan_race_test");
        List<String> failures = new CopyOnWriteArrayList<>();
        for (int round = 0; round < 10; round++) {
            String table = "roan_outbox_" + round;
            CyclicBarrier start = new CyclicBarrier(3);
            List<Thread> instances = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Thread instance = new Thread(() -> {
                    try {
                        start.await();
                        Roan.builder().purgeUrl("http://127.0.0.1:9/purge").outbox(db.dataSource())
                                .outboxTable(table).build().close();
                    } catch (Exception e) {
                        failures.add(table + ": " + e);
                    }
                });
                instances.add(instance);
                instance.start();
            }
            for (Thread instance : instances) {
                instance.join();
            }
        }
        assertThat(failures).as("instances that failed to start").isEmpty();
    }

    @Test
    void instancesSharingAnOutboxLoseNothingWhenOneIsKilledAndTheCacheFailsHalfTheTime() throws Exception {
        OutboxDb db = SERVER.db();
        db.execute(TestDb.script("/schema.sql"));
        // No instance creates the outbox table first: the three race to, as at a fleet's first start.
        Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
        AtomicLong requests = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        try (PurgeServer cache = new PurgeServer()) {
            AtomicBoolean cKilled = new AtomicBoolean();
            cache.respond(path -> {
                requests.incrementAndGet();
                // The instance to be killed never delivers its even posts: those reach the cache only through another
                // instance's sweep. Its odd posts go through, so that it dies with rows delivered but not yet deleted.
                if (path.startsWith("/posts/c-") && Integer.parseInt(path.substring("/posts/c-".length())) % 2 == 0
                        && !cKilled.get()) {
                    return PurgeServer.Answer.status(503);
                }
                if (failures.incrementAndGet() % 2 == 0) {
                    return PurgeServer.Answer.status(503);
                }
                delivered.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                return PurgeServer.Answer.status(200);
            });
            List<JavaProcess> instances = new ArrayList<>();
            try {
                for (String name : List.of("a", "b", "c")) {
                    List<String> args = new ArrayList<>(List.of("instance", name, Integer.toString(POSTS_EACH)));
                    args.addAll(db.args());
                    args.add(cache.purgeUrl());
                    instances.add(JavaProcess.start(DurableWriter.class, DurableCrash.childJvm(),
                            args.toArray(String[]::new)));
                }
                JavaProcess killed = instances.get(2);
                killed.awaitLine(("COMMITTED c-" + KILL_AFTER)::equals, Duration.ofSeconds(60));
                killed.kill();
                cKilled.set(true);
                for (JavaProcess survivor : instances.subList(0, 2)) {
                    survivor.awaitLine("DONE"::equals, Duration.ofSeconds(60));
                }

                Set<String> committed = new TreeSet<>();
                for (JavaProcess instance : instances) {
                    instance.lines().stream().filter(l -> l.startsWith("COMMITTED "))
                            .forEach(l -> committed.add("/posts/" + l.substring("COMMITTED ".length())));
                }
                assertThat(committed).as("posts committed").hasSizeGreaterThan(2 * POSTS_EACH + KILL_AFTER);
                DurableCrash.awaitTrue(() -> delivered.keySet().containsAll(committed) && db.outboxRows() == 0,
                        Duration.ofSeconds(40), () -> "not delivered: " + missing(committed, delivered)
                                + ", outbox rows left: " + db.outboxRows());

                int duplicates = delivered.values().stream().mapToInt(n -> n.get() - 1).sum();
                System.out.printf("DurableInstancesTest: %d posts committed (%d by the killed instance), %d purge"
                        + " requests, %d delivered, %d of them duplicates: %s%n", committed.size(),
                        committed.stream().filter(p -> p.startsWith("/posts/c-")).count(), requests.get(),
                        delivered.values().stream().mapToInt(AtomicInteger::get).sum(), duplicates,
                        new TreeMap<>(delivered).entrySet().stream().filter(e -> e.getValue().get() > 1)
                                .map(e -> e.getKey() + " x" + e.getValue()).toList());
                assertThat(delivered.keySet()).as("every committed post purged at least once").containsAll(committed);
            } finally {
                for (JavaProcess instance : instances) {
                    instance.close();
                }
            }
        }
    }

    private static Set<String> missing(Set<String> committed, Map<String, AtomicInteger> delivered) {
        Set<String> missing = new TreeSet<>(committed);
        missing.removeAll(delivered.keySet());
        return missing;
    }
}
