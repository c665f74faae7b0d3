package dev.roan.spring.boot;

import static dev.roan.spring.boot.BootFixture.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import dev.roan.jooq.Roan;
import dev.roan.spring.boot.BootFixture.Posts;
import dev.roan.testkit.PurgeServer;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.SpringVersion;

/**
 * The Boot 3 starter in a Spring Boot 3.5 application context: H2 through Boot's DataSource auto-configuration, the
 * schema through Boot's SQL initialization, jOOQ through Boot 3's {@code JooqAutoConfiguration}
 * ({@code org.springframework.boot.autoconfigure.jooq}), and a real local purge endpoint. The shared tests
 * (roan-spring-boot-starter/src/sharedTest) run here too.
 */
class Boot3Test {

    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @Import(BootFixture.Blog.class)
    static class App {
        @Bean
        RoanCustomizer blogRules() {
            return roan -> roan.purge("/posts").onWrite(POST);
        }
    }

    @AutoClose
    private final PurgeServer cache = new PurgeServer();

    private ApplicationContextRunner runner() {
        return BootFixture.runner(cache).withUserConfiguration(App.class);
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
            DSLContext dsl = context.getBean(DSLContext.class);
            assertThat(dsl.configuration()).as("the DSLContext runs Boot's own configuration bean, not a derived one")
                    .isSameAs(context.getBean(Configuration.class));
            assertThat(context.getBean(Roan.class).isAttached(dsl.configuration())).as("Boot's DSLContext carries Roan")
                    .isTrue();
        });
    }

    @Test
    void transactionalCommitPurgesAndRollbackDoesNot() {
        runner().run(context -> {
            Posts posts = context.getBean(Posts.class);
            assertThatThrownBy(() -> posts.addThenFail("rolled back")).isInstanceOf(IllegalStateException.class);
            posts.add("committed");

            assertThat(cache.take().path()).isEqualTo("/posts");
            assertThat(context.getBean(Roan.class).flush(Duration.ofSeconds(10))).isTrue();
            assertThat(cache.paths()).as("one purge, for the commit; none for the rollback").containsExactly("/posts");
        });
    }

    @Test
    void propertiesAreBound() {
        runner().withPropertyValues("roan.purge-method=PURGE", "roan.request-timeout=3s", "roan.retry.max-attempts=5")
                .run(context -> {
                    RoanProperties properties = context.getBean(RoanProperties.class);
                    assertThat(properties.getPurgeMethod()).isEqualTo("PURGE");
                    assertThat(properties.getRequestTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(properties.getRetry().getMaxAttempts()).isEqualTo(5);

                    context.getBean(Posts.class).add("purged with PURGE");

                    assertThat(cache.take().method()).isEqualTo("PURGE");
                });
    }
}
