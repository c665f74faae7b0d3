package dev.roan.spring.boot;

import java.util.List;

import dev.roan.jooq.CacheNodeStatus;
import dev.roan.jooq.Roan;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code roan} health indicator: {@code DOWN} while a cache node is down, that is while it owes purges it cannot
 * deliver (its last purge failed and Roan is probing it) or purges of it were dropped at the memory cap
 * ({@link CacheNodeStatus#isDown()}); {@code UP} again once it takes purges. Its details list each node by purge URL
 * (credentials masked, {@link Roan#maskUrl}) with its status, the purges it owes, the age of the oldest and, after a
 * failure, why it failed (never a header value); then the purges owed in all and those dropped since start.
 *
 * @since 0.1.0
 */
public final class RoanHealthIndicator implements HealthIndicator {

    private final ObjectProvider<Roan> roan;

    /**
     * Creates the indicator.
     *
     * @param roan the Roan bean, read at each check
     */
    public RoanHealthIndicator(ObjectProvider<Roan> roan) {
        this.roan = roan;
    }

    @Override
    public Health health() {
        Roan current = roan.getIfAvailable();
        if (current == null) {
            return Health.unknown().withDetail("nodes", List.of()).build();
        }
        RoanHealth health = RoanHealth.of(current);
        return (health.down() ? Health.down() : Health.up()).withDetails(health.details()).build();
    }

    @Override
    public String toString() {
        return "RoanHealthIndicator";
    }
}
