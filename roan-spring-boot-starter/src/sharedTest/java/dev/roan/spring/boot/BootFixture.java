package dev.roan.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.sql.DataSource;

import dev.roan.jooq.Roan;
import dev.roan.testkit.PurgeServer;
import org.h2.jdbcx.JdbcDataSource;
import org.jooq.DSLContext;
import org.jooq.Table;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the starter's application-context tests share: Boot's H2 DataSource, transactions, SQL initialization from
 * {@code roan-schema.sql} and jOOQ, with Roan's auto-configuration purging to a local endpoint; and a blog's
 * {@code @Transactional} service, {@link Posts}. Each test adds its own rules.
 */
final class BootFixture {

    static final Table<?> POST = table("post");
    static final Table<?> COMMENT = table("comment");

    private BootFixture() {
    }

    /**
     * A service bean whose {@code @Transactional} methods write through Boot's {@code DSLContext}; public, so that a
     * filtered class loader can proxy it.
     */
    public static class Posts {
        private final DSLContext dsl;

        public Posts(DSLContext dsl) {
            this.dsl = dsl;
        }

        @Transactional
        public void add(String title) {
            dsl.insertInto(POST).columns(field("title")).values(title).execute();
        }

        /** Lingers before the commit, long enough for a purge sent too early to arrive before it. */
        @Transactional
        public void addAndLinger(String title) {
            dsl.insertInto(POST).columns(field("title")).values(title).execute();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Transactional
        public void addThenFail(String title) {
            dsl.insertInto(POST).columns(field("title")).values(title).execute();
            throw new IllegalStateException("rolled back on purpose");
        }

        /** Outside any Spring transaction: auto-commit. */
        public void comment(String body) {
            dsl.insertInto(COMMENT).columns(field("body")).values(body).execute();
        }
    }

    /** The {@link Posts} bean, with Spring's annotation-driven transactions. */
    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class Blog {
        @Bean
        Posts posts(DSLContext dsl) {
            return new Posts(dsl);
        }
    }

    /** An H2 DataSource without a pool, for applications that bring their own ({@code jdbc:h2:mem:...}). */
    static DataSource h2(String url) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(url);
        return dataSource;
    }

    /**
     * Boot's data auto-configurations and Roan's, plus {@code more}, purging to {@code cache}; close waits up to 5 s.
     */
    static ApplicationContextRunner runner(PurgeServer cache, Class<?>... more) {
        Class<?>[] configurations = Stream.of(Boot.DATA.stream(), Stream.of(RoanAutoConfiguration.class),
                Arrays.stream(more)).flatMap(s -> s).toArray(Class<?>[]::new);
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(configurations))
                .withPropertyValues("spring.sql.init.schema-locations=classpath:roan-schema.sql",
                        "roan.purge-url=" + cache.purgeUrl(), "roan.close-timeout=5s");
    }

    /**
     * Checks that {@code autoConfiguration}, with {@code property} set, adds a {@code bean} in a servlet web
     * application with {@code webClass} on the class path, and none outside a web application or without that class.
     */
    static void onlyInServletApplicationsWith(Class<?> webClass, Class<?> autoConfiguration, String property,
            Class<?> bean, PurgeServer cache) {
        AutoConfigurations configurations = AutoConfigurations.of(autoConfiguration);
        Supplier<Roan> roan = () -> Roan.builder().purgeUrl(cache.purgeUrl()).shutdownHook(false).build();
        new ApplicationContextRunner().withConfiguration(configurations).withBean(Roan.class, roan)
                .withPropertyValues(property)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(bean));
        new WebApplicationContextRunner().withConfiguration(configurations).withBean(Roan.class, roan)
                .withClassLoader(new FilteredClassLoader(webClass)).withPropertyValues(property)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(bean));
        new WebApplicationContextRunner().withConfiguration(configurations).withBean(Roan.class, roan)
                .withPropertyValues(property)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(bean));
    }
}
