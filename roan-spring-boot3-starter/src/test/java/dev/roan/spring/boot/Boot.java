package dev.roan.spring.boot;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.roan.jooq.Roan;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.sql.init.SqlInitializationAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.jooq.DefaultConfigurationCustomizer;
import org.springframework.boot.autoconfigure.jooq.JooqAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/**
 * What the shared tests (src/sharedTest, run on Boot 3 and 4) need of the Boot they run on, in Spring Boot 3's
 * packages; roan-spring-boot-starter has the same class in Boot 4's.
 */
final class Boot {

    /** Boot's auto-configurations of a DataSource, its transactions, its SQL initialization and jOOQ. */
    static final List<Class<?>> DATA = List.of(DataSourceAutoConfiguration.class,
            DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
            SqlInitializationAutoConfiguration.class, JooqAutoConfiguration.class);

    /** Boot's jOOQ auto-configuration. */
    static final Class<?> JOOQ = JooqAutoConfiguration.class;

    private static final List<Class<?>> METRICS_AND_HEALTH = List.of(MetricsAutoConfiguration.class,
            SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
            HealthContributorAutoConfiguration.class, HealthEndpointAutoConfiguration.class);

    private static final String[] WITHOUT_MICROMETER_NOR_ACTUATOR = { "io.micrometer.",
            "org.springframework.boot.actuate." };

    private Boot() {
    }

    /** A whole application's configuration: Boot's {@link #DATA} auto-configurations and Roan's. */
    @ImportAutoConfiguration({ DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
            TransactionAutoConfiguration.class, SqlInitializationAutoConfiguration.class,
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
