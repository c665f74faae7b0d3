package dev.roan.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import dev.roan.jooq.Roan;
import dev.roan.testkit.PurgeServer;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.Table;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.jooq.JooqAutoConfiguration;
import org.springframework.boot.autoconfigure.sql.init.SqlInitializationAutoConfiguration;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.core.SpringVersion;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;

/**
 * The Boot 3 starter in real Spring Boot 3.5 application contexts: H2 through Boot's DataSource auto-configuration,
 * the schema through Boot's SQL initialization, jOOQ through Boot 3's {@code JooqAutoConfiguration}, and a real local
 * purge endpoint.
 */
class Boot3Test {

    static final Table<?> POST = table("post");

    /** A service whose {@code @Transactional} methods write through Boot's {@code DSLContext}; public, to be proxied. */
    public static class Posts {
        private final DSLContext dsl;

        public Posts(DSLContext dsl) {
            this.dsl = dsl;
        }

        @Transactional
        public void add(String title) {
            dsl.insertInto(POST).columns(field("title")).values(title).execute();
        }

        @Transactional
        public void addThenFail(String title) {
            dsl.insertInto(POST).columns(field("title")).values(title).execute();
            throw new IllegalStateException("rolled back on purpose");
        }
    }

    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class Blog {
        @Bean
        Posts posts(DSLContext dsl) {
            return new Posts(dsl);
        }

        @Bean
        RoanCustomizer blogRules() {
            return roan -> roan.purge("/posts").onWrite(POST);
        }
    }

    @AutoClose
    private final PurgeServer cache = new PurgeServer();

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                        SqlInitializationAutoConfiguration.class, JooqAutoConfiguration.class,
                        RoanAutoConfiguration.class))
                .withUserConfiguration(Blog.class)
                .withPropertyValues("spring.datasource.url=jdbc:h2:mem:boot3-" + System.nanoTime(),
                        "spring.sql.init.schema-locations=classpath:roan-schema.sql",
                        "roan.purge-url=" + cache.purgeUrl(), "roan.close-timeout=5s");
    }

    @Test
    void runsOnSpringBoot35AndSpringFramework62() {
        assertThat(SpringBootVersion.getVersion()).as("Spring Boot").startsWith("3.5.");
        assertThat(SpringVersion.getVersion()).as("Spring Framework").startsWith("6.2.");
    }

    @Test
    void roanIsAttachedInPlaceToTheDslContextBootBuilds() {
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Roan.class);
            Roan roan = context.getBean(Roan.class);
            DSLContext dsl = context.getBean(DSLContext.class);
            assertThat(dsl.configuration()).as("the DSLContext runs Boot's own configuration bean, not a derived one")
                    .isSameAs(context.getBean(Configuration.class));
            assertThat(roan.isAttached(dsl.configuration())).as("Boot's DSLContext carries Roan").isTrue();
            assertThat(context.getBean(RoanJooqConfigurationCustomizer.class).unattached()).isZero();
        });
    }

    @Test
    void transactionalCommitPurgesAndRollbackDoesNot() {
        runner().run(context -> {
            Posts posts = context.getBean(Posts.class);
            try {
                posts.addThenFail("rolled back");
            } catch (IllegalStateException expected) {
                // The transaction rolled back.
            }
            posts.add("committed");
            assertThat(cache.take().path()).isEqualTo("/posts");
            context.getBean(Roan.class).flush(Duration.ofSeconds(10));
            assertThat(cache.paths()).as("one purge, for the commit; none for the rollback").containsExactly("/posts");
        });
    }

    @Test
    void propertiesAreBound() {
        runner().withPropertyValues("roan.purge-method=PURGE", "roan.request-timeout=3s",
                "roan.retry.max-attempts=5", "roan.coalesce-window=150ms").run(context -> {
            assertThat(context).hasNotFailed();
            RoanProperties properties = context.getBean(RoanProperties.class);
            assertThat(properties.getPurgeMethod()).isEqualTo("PURGE");
            assertThat(properties.getRequestTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(properties.getRetry().getMaxAttempts()).isEqualTo(5);
            context.getBean(Posts.class).add("purged with PURGE");
            assertThat(cache.take().method()).isEqualTo("PURGE");
        });
    }

    @Test
    void disabledByProperty() {
        runner().withPropertyValues("roan.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Roan.class));
    }

    @Test
    void startupLogShowsWherePurgesGoWithoutSecrets() {
        // A purge URL with user-info is refused at startup (Roan's check), so only a header value could leak here.
        try (LogRecords log = LogRecords.of(RoanStartupLog.class)) {
            runner().withPropertyValues("roan.headers.X-Purge-Token=t0ken-value", "roan.read-your-writes.enabled=true")
                    .run(context -> assertThat(context).hasNotFailed());
            List<String> lines = log.messages(Level.INFO);
            assertThat(lines).as("one line at startup").hasSize(1);
            assertThat(lines.get(0)).contains(cache.purgeUrl(), "with GET", "headers [X-Purge-Token] (values hidden)",
                    "retry " + Roan.DEFAULT_MAX_ATTEMPTS + " attempts", "durable mode off", "tracking off", "read-your-writes on (2s)")
                    .doesNotContain("t0ken-value");
        }
    }
}
