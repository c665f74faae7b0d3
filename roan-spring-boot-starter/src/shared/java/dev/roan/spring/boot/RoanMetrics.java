package dev.roan.spring.boot;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.roan.jooq.CacheNodeStatus;
import dev.roan.jooq.PurgeEvent;
import dev.roan.jooq.PurgeListener;
import dev.roan.jooq.Roan;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Roan's Micrometer meters, fed by {@link PurgeListener} events. Each meter is tagged {@code node} with the cache
 * node's purge URL (a password in it replaced by {@code ***}):
 *
 * <ul>
 *   <li>{@value #PURGES} (counter), tagged {@code outcome=delivered|failed}: purges delivered, and purges whose
 *       attempts all failed (still owed: the node is probed until it takes them, unless they are dropped);</li>
 *   <li>{@value #RETRIES} (counter): failed attempts that are retried;</li>
 *   <li>{@value #LATENCY} (timer): from the commit to the cache node's answer, of delivered purges;</li>
 *   <li>{@value #PENDING} (gauge, no tags): purges not delivered yet, {@link Roan#pendingPurges()}, bound by
 *       {@link #pendingPurges(Roan)}.</li>
 * </ul>
 *
 * <p>And from {@link Roan#cacheNodes()} and {@link Roan#droppedPurges()}, bound by {@link #deliveryStatus(Roan)}:
 *
 * <ul>
 *   <li>{@value #OWED} (gauge), tagged {@code node}: the purges the node owes;</li>
 *   <li>{@value #OLDEST_OWED} (time gauge, seconds), tagged {@code node}: how long the oldest of them has waited;</li>
 *   <li>{@value #NODE_DOWN} (gauge, 1 or 0), tagged {@code node}: whether the node is down
 *       ({@link CacheNodeStatus#isDown()}), as the health indicator reports;</li>
 *   <li>{@value #DROPPED} (counter, no tags): purges dropped, after {@code giveUpAfter} or at the memory cap.</li>
 * </ul>
 *
 * <p>An alert on {@value #OLDEST_OWED} above a few minutes, or on any increase of {@value #DROPPED}, catches the
 * days when pages may be stale.
 *
 * <p>The starter registers it on its {@code Roan} bean when a {@code MeterRegistry} bean exists; an application
 * that builds its own {@code Roan} adds it with {@code Roan.builder().listener(new RoanMetrics(registry))}.
 *
 * @since 0.1.0
 */
public final class RoanMetrics implements PurgeListener {

    /** Counter of purges, tagged {@code outcome} and {@code node}. */
    public static final String PURGES = "roan.purges";
    /** Counter of retried attempts, tagged {@code node}. */
    public static final String RETRIES = "roan.purges.retries";
    /** Gauge of purges not delivered yet. */
    public static final String PENDING = "roan.purges.pending";
    /** Timer of delivered purges, from the commit to the answer, tagged {@code node}. */
    public static final String LATENCY = "roan.purges.latency";

    /** Gauge of the purges a node owes, tagged {@code node}. */
    public static final String OWED = "roan.purges.owed";
    /** Time gauge of the age of the oldest purge a node owes, tagged {@code node}. */
    public static final String OLDEST_OWED = "roan.purges.owed.oldest";
    /** Gauge, 1 while a node is down, else 0, tagged {@code node}. */
    public static final String NODE_DOWN = "roan.node.down";
    /** Counter of purges dropped, after {@code giveUpAfter} or at the memory cap. */
    public static final String DROPPED = "roan.purges.dropped";

    /** How long one reading of {@link Roan#cacheNodes()} serves the gauges: a scrape reads them all at once. */
    private static final long STATUS_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final MeterRegistry registry;
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();

    /**
     * Creates the meters' listener.
     *
     * @param registry where the meters are registered
     */
    public RoanMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * A binder of the {@value #PENDING} gauge.
     *
     * @param roan the Roan whose pending purges are measured
     * @return the binder
     */
    public static MeterBinder pendingPurges(Roan roan) {
        return registry -> Gauge.builder(PENDING, roan, Roan::pendingPurges)
                .description("Purges not delivered yet")
                .register(registry);
    }

    /**
     * A binder of the meters read from the Roan's status: {@value #OWED}, {@value #OLDEST_OWED} and
     * {@value #NODE_DOWN} per cache node (its purge URL, credentials masked), and {@value #DROPPED}.
     *
     * @param roan the Roan whose delivery is measured
     * @return the binder
     */
    public static MeterBinder deliveryStatus(Roan roan) {
        return registry -> {
            // Held strongly by the gauges: nothing else refers to it, and a weak gauge of a collected object is NaN.
            Status status = new Status(roan);
            List<CacheNodeStatus> nodes = roan.cacheNodes();
            for (int i = 0; i < nodes.size(); i++) {
                int index = i;
                Tags tags = Tags.of("node", nodes.get(i).purgeUrl());
                Gauge.builder(OWED, status, s -> s.node(index).owedPurges())
                        .description("Purges a cache node owes").tags(tags).strongReference(true).register(registry);
                TimeGauge.builder(OLDEST_OWED, status, TimeUnit.NANOSECONDS, s -> s.node(index).oldestOwed().toNanos())
                        .description("Age of the oldest purge a cache node owes").tags(tags).strongReference(true)
                        .register(registry);
                Gauge.builder(NODE_DOWN, status, s -> s.node(index).isDown() ? 1 : 0)
                        .description("1 while a cache node is down and owes purges it cannot deliver")
                        .tags(tags).strongReference(true).register(registry);
            }
            FunctionCounter.builder(DROPPED, roan, Roan::droppedPurges)
                    .description("Purges dropped, after giveUpAfter or at the memory cap").register(registry);
        };
    }

    @Override
    public void onPurge(PurgeEvent event) {
        Node node = node(event.node());
        switch (event.outcome()) {
            case DELIVERED -> {
                node.delivered.increment();
                node.latency.record(event.latency());
            }
            case RETRIED -> node.retries.increment();
            case FAILED -> node.failed.increment();
        }
    }

    private Node node(String purgeUrl) {
        return nodes.computeIfAbsent(purgeUrl, url -> new Node(registry, Roan.maskUrl(url)));
    }

    @Override
    public String toString() {
        return "RoanMetrics[nodes=" + nodes.size() + "]";
    }

    /** The Roan's status, read at most once per {@link #STATUS_NANOS} however many gauges ask. */
    private static final class Status {
        private final Roan roan;
        private List<CacheNodeStatus> nodes = List.of();
        private long readAt;

        Status(Roan roan) {
            this.roan = roan;
        }

        synchronized CacheNodeStatus node(int index) {
            long now = System.nanoTime();
            if (nodes.isEmpty() || now - readAt > STATUS_NANOS) {
                nodes = roan.cacheNodes();
                readAt = now;
            }
            return nodes.get(index);
        }
    }

    /** The meters of one cache node, looked up once. */
    private static final class Node {
        final Counter delivered;
        final Counter failed;
        final Counter retries;
        final Timer latency;

        Node(MeterRegistry registry, String node) {
            delivered = Counter.builder(PURGES).description("Purges delivered to a cache node, or whose attempts all failed")
                    .tag("outcome", "delivered").tag("node", node).register(registry);
            failed = Counter.builder(PURGES).description("Purges delivered to a cache node, or whose attempts all failed")
                    .tag("outcome", "failed").tag("node", node).register(registry);
            retries = Counter.builder(RETRIES).description("Failed purge attempts that are retried")
                    .tag("node", node).register(registry);
            latency = Timer.builder(LATENCY).description("From the commit to the cache node's answer, of delivered purges")
                    .tag("node", node).register(registry);
        }
    }
}
