package dev.roan.spring.boot;

import dev.roan.jooq.Roan;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Roan's Micrometer meters ({@link RoanMetrics}) when Micrometer is on the classpath and a {@code MeterRegistry} bean
 * exists: the listener is registered on the starter's {@code Roan} bean, and the {@value RoanMetrics#PENDING} gauge
 * and the meters of {@link RoanMetrics#deliveryStatus(Roan)} are bound to the {@code Roan} bean.
 *
 * @since 0.1.0
 */
// Boot 4's names, then Boot 3's: Boot orders by those present and ignores the others.
@AutoConfiguration(after = RoanAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, MeterBinder.class })
@ConditionalOnBean({ MeterRegistry.class, Roan.class })
public final class RoanMetricsAutoConfiguration {

    RoanMetricsAutoConfiguration() {
    }

    /**
     * The meters' listener, which the starter's {@code Roan} bean is built with.
     *
     * @param registry the meter registry
     * @return the listener
     */
    @Bean
    @ConditionalOnMissingBean
    RoanMetrics roanMetrics(MeterRegistry registry) {
        return new RoanMetrics(registry);
    }

    /**
     * The {@value RoanMetrics#PENDING} gauge, bound by Spring Boot to the registries once the context is refreshed.
     *
     * @param roan the Roan bean
     * @return the binder
     */
    @Bean
    MeterBinder roanPendingPurgesMeterBinder(Roan roan) {
        return RoanMetrics.pendingPurges(roan);
    }

    /**
     * The meters read from the Roan bean's status ({@link RoanMetrics#deliveryStatus(Roan)}): owed purges, the age of
     * the oldest, down nodes, dropped purges.
     *
     * @param roan the Roan bean
     * @return the binder
     */
    @Bean
    MeterBinder roanDeliveryStatusMeterBinder(Roan roan) {
        return RoanMetrics.deliveryStatus(roan);
    }
}
