package dev.roan.spring.boot;

import java.util.List;

import dev.roan.jooq.Roan;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jooq.autoconfigure.DefaultConfigurationCustomizer;
import org.springframework.boot.jooq.autoconfigure.JooqAutoConfiguration;
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

    private Boot() {
    }

    /** The port of the application's embedded web server. */
    static int port(ApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** The README's hand wiring: one {@code DefaultConfigurationCustomizer} bean that attaches {@code roan} in place. */
    static ApplicationContextRunner withAttachInPlace(ApplicationContextRunner runner, Roan roan) {
        return runner.withBean(DefaultConfigurationCustomizer.class, () -> roan::attachInPlace);
    }
}
