package dev.roan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import dev.roan.jooq.Roan;
import dev.roan.testkit.PurgeServer;
import org.h2.jdbcx.JdbcDataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.DefaultConfiguration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.jooq.autoconfigure.SpringTransactionProvider;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the tests of Spring-managed transactions stand on: an H2 database with the test's tables (kept alive by one
 * connection), a real purge endpoint, and a Spring context wired as Spring Boot wires jOOQ, with the test's own beans.
 * Registered as a {@code @RegisterExtension} field, it closes them after each test, the context (and so Roan) first.
 */
final class SpringSite implements AfterEachCallback {

    private static final Duration FLUSH = Duration.ofSeconds(5);

    /** The context's part every test shares: Spring's transactions over the DataSource, and jOOQ with Roan on them. */
    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class Wiring {
        @Bean
        DataSourceTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }

        @Bean
        DSLContext dsl(DataSource dataSource, PlatformTransactionManager transactionManager, Roan roan) {
            return jooq(dataSource, transactionManager, roan);
        }

        @Bean
        TransactionTemplate transactionTemplate(PlatformTransactionManager transactionManager) {
            return new TransactionTemplate(transactionManager);
        }
    }

    private final String url = "jdbc:h2:mem:roan-spring-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private Connection keepAlive;
    private JdbcDataSource dataSource;
    private PurgeServer cache;
    private AnnotationConfigApplicationContext context;

    /**
     * jOOQ as Spring Boot wires it: on a {@code TransactionAwareDataSourceProxy} with Boot's
     * {@code SpringTransactionProvider}, with {@code roan} attached.
     */
    static DSLContext jooq(DataSource dataSource, PlatformTransactionManager transactionManager, Roan roan) {
        DefaultConfiguration configuration = new DefaultConfiguration();
        configuration.set(new DataSourceConnectionProvider(new TransactionAwareDataSourceProxy(dataSource)));
        configuration.set(new SpringTransactionProvider(transactionManager));
        configuration.set(SQLDialect.H2);
        return DSL.using(roan.attach(configuration));
    }

    /**
     * Starts the site: the database with the tables of {@code schema} (SQL statements), {@code cache} as the purge
     * endpoint, Roan as {@code builder} customises a builder purging it through a {@link SpringTransactionBoundary}
     * with the rules {@code rules} registers before the attach, and a bean of each of {@code beans}.
     */
    SpringSite start(String schema, PurgeServer cache, UnaryOperator<Roan.Builder> builder, Consumer<Roan> rules,
            Class<?>... beans) throws SQLException {
        keepAlive = DriverManager.getConnection(url);
        try (Statement s = keepAlive.createStatement()) {
            s.execute(schema);
        }
        dataSource = new JdbcDataSource();
        dataSource.setURL(url);
        this.cache = cache;
        context = new AnnotationConfigApplicationContext();
        context.registerBean(DataSource.class, () -> dataSource);
        context.registerBean(Roan.class, () -> {
            Roan roan = builder.apply(Roan.builder().purgeUrl(cache.purgeUrl())
                    .transactionBoundary(new SpringTransactionBoundary())).build();
            rules.accept(roan);
            return roan;
        }, definition -> definition.setDestroyMethodName("close"));
        context.register(Wiring.class);
        context.register(beans);
        context.refresh();
        return this;
    }

    /** The database's URL, for a connection of its own: what a reader refilling the cache would see. */
    String url() {
        return url;
    }

    DataSource dataSource() {
        return dataSource;
    }

    PurgeServer cache() {
        return cache;
    }

    Roan roan() {
        return bean(Roan.class);
    }

    DSLContext dsl() {
        return bean(DSLContext.class);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** Inside a transaction: nothing may have been purged yet, even once Roan has sent all it was asked to. */
    void assertNothingPurgedYet() {
        assertThat(roan().flush(FLUSH)).isTrue();
        assertThat(cache.paths()).as("purges sent before the commit").isEmpty();
    }

    /** After the work: exactly these purges, once each. */
    void assertPurged(String... paths) {
        assertThat(roan().flush(FLUSH)).isTrue();
        assertThat(cache.paths()).as("purges sent").containsExactlyInAnyOrder(paths);
    }

    @Override
    public void afterEach(ExtensionContext extension) throws Exception {
        // The last made first; parts a failed start never made are null.
        try {
            if (context != null) {
                context.close();
            }
        } finally {
            try {
                if (cache != null) {
                    cache.close();
                }
            } finally {
                if (keepAlive != null) {
                    try (Statement s = keepAlive.createStatement()) {
                        s.execute("SHUTDOWN");
                    } finally {
                        keepAlive.close();
                    }
                }
            }
        }
    }
}
