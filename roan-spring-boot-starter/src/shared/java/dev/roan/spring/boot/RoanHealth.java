package dev.roan.spring.boot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.roan.jooq.CacheNodeStatus;
import dev.roan.jooq.Roan;

/**
 * What the {@code roan} health indicator of either starter reports (Boot 3 and 4 name their health types in different
 * packages): down while a cache node is down ({@link CacheNodeStatus#isDown()}), and the details: each node by purge
 * URL (credentials masked) with its status, owed purges, the age of the oldest and its last failure (never a header
 * value); then the purges owed in all and those dropped since start.
 */
record RoanHealth(boolean down, Map<String, Object> details) {

    static RoanHealth of(Roan roan) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        boolean down = false;
        int owed = 0;
        for (CacheNodeStatus status : roan.cacheNodes()) {
            down |= status.isDown();
            owed += status.owedPurges();
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("url", status.purgeUrl());
            // Boot's Status.UP and Status.DOWN codes, in both versions.
            node.put("status", status.isDown() ? "DOWN" : "UP");
            node.put("owedPurges", status.owedPurges());
            node.put("oldestOwed", status.oldestOwed().toString());
            String failure = status.lastFailure();
            if (failure != null) {
                node.put("lastFailure", failure);
            }
            nodes.add(node);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("nodes", nodes);
        details.put("owedPurges", owed);
        details.put("droppedPurges", roan.droppedPurges());
        return new RoanHealth(down, details);
    }
}
