package dev.roan.spring.boot;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.roan.jooq.Roan;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jooq.autoconfigure.DefaultConfigurationCustomizer;
import org.springframework.boot.jooq.autoconfigure.JooqAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/**
 * What the shared tests (src/sharedTest, run on Boot 3 and 4) need of the Boot they run on, in Spring Boot 4's
 * packages; roan-spring-boot3-starter has the same class in Boot 3's.
 */
final class Boot {

    /** Boot's auto-configurations of a DataSource, its transactions, its SQL initialization and jOOQ. */
    static final List<Class<?>> DATA = List.of(DataSourceAutoConfiguration.class,
            DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
            DataSourceInitializationAutoConfiguration.class, JooqAutoConfiguration.class);

    /** Boot's jOOQ auto-configuration. */
    static final Class<?> JOOQ = JooqAutoConfiguration.class;

    private static final List<Class<?>> METRICS_AND_HEALTH = List.of(MetricsAutoConfiguration.class,
            SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
            HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class);

    private static final String[] WITHOUT_MICROMETER_NOR_ACTUATOR = { "io.micrometer.",
            "org.springframework.boot.health.", "org.springframework.boot.micrometer." };

    private Boot() {
    }

    /** A whole application's configuration: Boot's {@link #DATA} auto-configurations and Roan's. */
    @ImportAutoConfiguration({ DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
            TransactionAutoConfiguration.class, DataSourceInitializationAutoConfiguration.class,
            JooqAutoConfiguration.class, RoanAutoConfiguration.class })
    static class DataApplication {
    }

    /** The port of the application's embedded web server. */
    static int port(ApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** The README's hand wiring: one {@code DefaultConfigurationCustomizer} bean that attaches {@code roan} in place. */
    static ApplicationContextRunner withAttachInPlace(ApplicationContextRunner runner, Roan roan) {
        return runner.withBean(DefaultConfigurationCustomizer.class, () -> roan::attachInPlace);
    }

    /** A health report as the tests read it, whichever Boot's {@code Health} type made it. */
    record HealthView(String status, Map<String, Object> details, String text) {
    }

    /** {@code more}, with Boot's Micrometer (a simple registry) and health auto-configurations. */
    static Class<?>[] withMetricsAndHealth(Class<?>... more) {
        return Stream.concat(METRICS_AND_HEALTH.stream(), Arrays.stream(more)).toArray(Class<?>[]::new);
    }

    /** The packages to hide for an application without Micrometer and without Actuator. */
    static String[] withoutMicrometerNorActuator() {
        return WITHOUT_MICROMETER_NOR_ACTUATOR.clone();
    }

    /** The health contributor registered under {@code name}. */
    static Object healthContributor(ApplicationContext context, String name) {
        return context.getBean(HealthContributorRegistry.class).getContributor(name);
    }

    /** The indicator's current report. */
    static HealthView health(RoanHealthIndicator indicator) {
        Health health = indicator.health();
        return new HealthView(health.getStatus().getCode(), health.getDetails(), health.toString());
    }
}
