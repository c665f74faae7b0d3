package dev.roan.spring.boot;

import javax.sql.DataSource;

import dev.roan.jooq.PurgeListener;
import dev.roan.jooq.Roan;
import dev.roan.spring.SpringTransactionBoundary;
import org.jooq.DSLContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.autoconfigure.jooq.DefaultConfigurationCustomizer;
import org.springframework.boot.autoconfigure.jooq.JooqAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures Roan on Spring Boot 3.5's jOOQ: a {@link Roan} bean built from the {@code roan.*} properties
 * ({@link RoanProperties}) with a {@link SpringTransactionBoundary}, attached to the {@code DSLContext} that
 * {@link JooqAutoConfiguration} creates, and closed when the context closes so that pending purges are delivered.
 *
 * <pre>{@code
 * @Service
 * class Rules {
 *     Rules(Roan roan) {                       // or declare RoanCustomizer beans
 *         roan.purge("/posts").onWrite(POST);
 *     }
 * }
 * }</pre>
 *
 * <p>Active when jOOQ's {@code DSLContext} is configured and {@code roan.enabled} is not {@code false}. Roan is
 * attached through a {@link DefaultConfigurationCustomizer}, ordered last, so the {@code DSLContext} Boot builds runs
 * Roan's listeners and Roan's transaction-provider wrapping. An application that defines its own
 * {@code org.jooq.Configuration} or {@code DSLContext} bean attaches the {@code Roan} bean itself:
 * {@code DSL.using(roan.attach(configuration))}.
 *
 * <p>Every {@link PurgeListener} bean is registered on the {@code Roan} bean. With Micrometer and a
 * {@code MeterRegistry} bean, {@link RoanMetricsAutoConfiguration} adds Roan's meters; with Spring Boot's health
 * support (Actuator), {@link RoanHealthAutoConfiguration} adds the {@code roan} health indicator.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = JooqAutoConfiguration.class)
@ConditionalOnClass({ DSLContext.class, DefaultConfigurationCustomizer.class })
@ConditionalOnBean(DSLContext.class)
@ConditionalOnBooleanProperty(name = "roan.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RoanProperties.class)
public final class RoanAutoConfiguration {

    RoanAutoConfiguration() {
    }

    /**
     * The Roan bean: built from the properties with every {@link PurgeListener} bean (such as the starter's
     * {@link RoanMetrics}), then handed to every {@link RoanCustomizer}; its effective configuration is logged once,
     * at INFO, without secrets.
     *
     * @param properties  the {@code roan.*} properties
     * @param listeners   the purge listeners, in order
     * @param customizers the application's customizers, in order
     * @param dataSource  Boot's DataSource, for durable mode ({@code roan.outbox.enabled=true}) and the shared page
     *                    index ({@code roan.page-index.enabled=true})
     * @return Roan, closed with the context
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Roan roan(RoanProperties properties, ObjectProvider<PurgeListener> listeners,
            ObjectProvider<RoanCustomizer> customizers, ObjectProvider<DataSource> dataSource) {
        return RoanBeans.roan(properties, listeners, customizers, dataSource);
    }

    /**
     * Closes the Roan bean when the context closes, while Boot's logging still runs, so that the lines of its last
     * deliveries reach the log.
     *
     * @param roan the Roan bean
     * @return the lifecycle bean
     */
    @Bean
    RoanShutdown roanShutdown(ObjectProvider<Roan> roan) {
        return new RoanShutdown(roan);
    }

    /**
     * Attaches Roan to the {@code DefaultConfiguration} Boot builds for its {@code DSLContext}.
     *
     * @param roan        the Roan bean
     * @param dslContexts the DSLContext beans, checked at startup: a warning names those Roan is not attached to
     * @return the customizer
     */
    @Bean
    RoanJooqConfigurationCustomizer roanJooqConfigurationCustomizer(ObjectProvider<Roan> roan,
            ObjectProvider<DSLContext> dslContexts) {
        return new RoanJooqConfigurationCustomizer(roan, dslContexts);
    }
}
