package dev.roan.spring.boot;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.roan.jooq.PurgeEvent;
import dev.roan.jooq.PurgeListener;
import dev.roan.jooq.Roan;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Roan's Micrometer meters, fed by {@link PurgeListener} events. Each meter is tagged {@code node} with the cache
 * node's purge URL (a password in it replaced by {@code ***}):
 *
 * <ul>
 *   <li>{@value #PURGES} (counter), tagged {@code outcome=delivered|failed}: purges delivered, and purges given up;</li>
 *   <li>{@value #RETRIES} (counter): failed attempts that are retried;</li>
 *   <li>{@value #LATENCY} (timer): from the commit to the cache node's answer, of delivered purges;</li>
 *   <li>{@value #PENDING} (gauge, no tags): purges not delivered yet, {@link Roan#pendingPurges()}, bound by
 *       {@link #pendingPurges(Roan)}.</li>
 * </ul>
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

    /** The meters of one cache node, looked up once. */
    private static final class Node {
        final Counter delivered;
        final Counter failed;
        final Counter retries;
        final Timer latency;

        Node(MeterRegistry registry, String node) {
            delivered = Counter.builder(PURGES).description("Purges delivered to, or given up on, a cache node")
                    .tag("outcome", "delivered").tag("node", node).register(registry);
            failed = Counter.builder(PURGES).description("Purges delivered to, or given up on, a cache node")
                    .tag("outcome", "failed").tag("node", node).register(registry);
            retries = Counter.builder(RETRIES).description("Failed purge attempts that are retried")
                    .tag("node", node).register(registry);
            latency = Timer.builder(LATENCY).description("From the commit to the cache node's answer, of delivered purges")
                    .tag("node", node).register(registry);
        }
    }
}
