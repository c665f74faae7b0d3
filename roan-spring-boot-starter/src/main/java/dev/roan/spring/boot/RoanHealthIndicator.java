package dev.roan.spring.boot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.roan.jooq.PurgeEvent;
import dev.roan.jooq.PurgeListener;
import dev.roan.jooq.Roan;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code roan} health indicator: {@code DOWN} while a cache node is failing, that is while the last purge of that
 * node which ended was given up; {@code UP} again once a purge is delivered to it. Its details list each node, by
 * purge URL (a password in it replaced by {@code ***}) and status, and the number of pending purges; never a header
 * value nor a failure's text.
 *
 * @since 0.1.0
 */
public final class RoanHealthIndicator implements HealthIndicator, PurgeListener {

    private final ObjectProvider<Roan> roan;
    /** Purge URL to whether its last purge that ended was given up. */
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();

    /**
     * Creates the indicator; the starter registers it as a listener on its {@code Roan} bean.
     *
     * @param roan the Roan bean, for its purge URLs and pending purges
     */
    public RoanHealthIndicator(ObjectProvider<Roan> roan) {
        this.roan = roan;
    }

    @Override
    public void onPurge(PurgeEvent event) {
        // A retry says nothing yet: the purge may still be delivered.
        switch (event.outcome()) {
            case DELIVERED -> failing.put(event.node(), Boolean.FALSE);
            case FAILED -> failing.put(event.node(), Boolean.TRUE);
            case RETRIED -> { }
        }
    }

    @Override
    public Health health() {
        Roan current = roan.getIfAvailable();
        List<String> urls = new ArrayList<>(current == null ? List.of() : current.purgeUrls());
        failing.keySet().stream().filter(url -> !urls.contains(url)).sorted().forEach(urls::add);
        List<Map<String, String>> nodes = new ArrayList<>();
        boolean down = false;
        for (String url : urls) {
            boolean nodeFailing = failing.getOrDefault(url, Boolean.FALSE);
            down |= nodeFailing;
            Map<String, String> node = new LinkedHashMap<>();
            node.put("url", Roan.maskUrl(url));
            node.put("status", nodeFailing ? Status.DOWN.getCode() : Status.UP.getCode());
            nodes.add(node);
        }
        Health.Builder health = down ? Health.down() : Health.up();
        health.withDetail("nodes", nodes);
        if (current != null) {
            health.withDetail("pendingPurges", current.pendingPurges());
        }
        return health.build();
    }

    @Override
    public String toString() {
        return "RoanHealthIndicator[failing=" + failing.entrySet().stream().filter(Map.Entry::getValue).count() + "]";
    }
}
