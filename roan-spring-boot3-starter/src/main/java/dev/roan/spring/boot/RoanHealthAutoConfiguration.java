package dev.roan.spring.boot;

import dev.roan.jooq.Roan;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code roan} health indicator ({@link RoanHealthIndicator}) when Spring Boot's health support (Actuator) is
 * on the classpath; off with {@code management.health.roan.enabled=false}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = RoanAutoConfiguration.class,
        beforeName = "org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Roan.class)
public final class RoanHealthAutoConfiguration {

    RoanHealthAutoConfiguration() {
    }

    /**
     * The indicator, named {@code roan}, reading the status of the {@code Roan} bean at each check.
     *
     * @param roan the Roan bean, for its purge URLs and pending purges
     * @return the indicator
     */
    @Bean
    // On the method, not the class: its condition class is in spring-boot-health, read only once that is present.
    @ConditionalOnEnabledHealthIndicator("roan")
    @ConditionalOnMissingBean(name = "roanHealthIndicator")
    RoanHealthIndicator roanHealthIndicator(ObjectProvider<Roan> roan) {
        return new RoanHealthIndicator(roan);
    }
}
