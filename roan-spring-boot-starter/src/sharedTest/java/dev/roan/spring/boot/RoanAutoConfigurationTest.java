package dev.roan.spring.boot;

import static dev.roan.spring.boot.BootFixture.COMMENT;
import static dev.roan.spring.boot.BootFixture.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.field;

import dev.roan.testkit.PurgeServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.roan.jooq.Roan;
import dev.roan.spring.boot.BootFixture.Posts;
import dev.roan.spring.SpringTransactionBoundary;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.env.Environment;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.MapPropertySource;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The starter in real Spring Boot application contexts: H2 through Boot's DataSource auto-configuration, the schema
 * from {@code roan-schema.sql} through Boot's SQL initialization, jOOQ through Boot's {@code JooqAutoConfiguration},
 * and a real local purge endpoint.
 */
class RoanAutoConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @Import(BootFixture.Blog.class)
    static class App {
        @Bean
        RoanCustomizer blogRules() {
            return roan -> {
                roan.purge("/posts").onWrite(POST);
                roan.purge("/comments").onWrite(COMMENT);
            };
        }
    }

    /** A whole Spring Boot application: every auto-configuration on the classpath, the starter's by its imports file. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(App.class)
    static class BootApp {
    }

    /** Two ordered customizers that record the Roan they were given. */
    @Configuration(proxyBeanMethods = false)
    static class RecordingCustomizers {
        static final List<String> CALLS = new ArrayList<>();

        @Bean
        @Order(2)
        RoanCustomizer second() {
            return roan -> {
                CALLS.add("second:" + System.identityHashCode(roan));
                roan.purge("/from-customizer").onWrite(POST);
            };
        }

        @Bean
        @Order(1)
        RoanCustomizer first() {
            return roan -> CALLS.add("first:" + System.identityHashCode(roan));
        }
    }

    @AutoClose
    private final PurgeServer cache = new PurgeServer();

    private ApplicationContextRunner runner() {
        return BootFixture.runner(cache).withUserConfiguration(App.class);
    }

    private static long count(DataSource dataSource, String table) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select count(*) from " + table)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void writeInTransactionalMethodIsPurgedAfterTheCommitAndSeesTheRow() {
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Roan.class);
            assertThat(context.getBean(RoanJooqConfigurationCustomizer.class).unattached())
                    .as("Boot's DSLContext runs Roan").isZero();
            DataSource dataSource = context.getBean(DataSource.class);
            // A separate connection sees only committed rows: the purge must find the new post there.
            cache.onArrival(path -> count(dataSource, "post"));

            context.getBean(Posts.class).addAndLinger("Hello");

            PurgeServer.Request purge = cache.take();
            assertThat(purge.path()).isEqualTo("/posts");
            assertThat(purge.method()).isEqualTo("GET");
            assertThat(purge.observed()).as("rows a separate connection saw when the purge arrived").isEqualTo(1L);
            assertThat(context.getBean(Roan.class).flush(Duration.ofSeconds(5))).isTrue();
            assertThat(cache.paths()).as("one purge per path and commit").containsExactly("/posts");
        });
    }

    @Test
    void jooqTransactionOnBootsTransactionProviderIsPurgedAfterItsCommit() {
        runner().run(context -> {
            DataSource dataSource = context.getBean(DataSource.class);
            cache.onArrival(path -> count(dataSource, "post"));

            context.getBean(DSLContext.class).transaction(tx ->
                    tx.dsl().insertInto(POST).columns(field("title")).values("Hello").execute());

            PurgeServer.Request purge = cache.take();
            assertThat(purge.path()).isEqualTo("/posts");
            assertThat(purge.observed()).isEqualTo(1L);
        });
    }

    @Test
    void rolledBackTransactionPurgesNothing() {
        runner().run(context -> {
            Posts posts = context.getBean(Posts.class);
            try {
                posts.addThenFail("never");
            } catch (IllegalStateException expected) {
                // rolled back
            }
            posts.comment("after the rollback");

            assertThat(cache.take().path()).isEqualTo("/comments");
            assertThat(context.getBean(Roan.class).flush(Duration.ofSeconds(5))).isTrue();
            assertThat(count(context.getBean(DataSource.class), "post")).isZero();
            assertThat(cache.paths()).as("nothing for the rolled-back post").containsExactly("/comments");
        });
    }

    /** Runs work in a transaction of the given propagation, through Boot's transaction manager. */
    static class Propagations {
        @Transactional
        public void required(Runnable work) {
            work.run();
        }

        @Transactional(propagation = Propagation.REQUIRES_NEW)
        public void requiresNew(Runnable work) {
            work.run();
        }

        @Transactional(propagation = Propagation.NESTED)
        public void nested(Runnable work) {
            work.run();
        }
    }

    @Test
    void requiresNewInBootIsPurgedAtTheInnerCommitEvenWhenTheOuterRollsBack() {
        runner().withBean(Propagations.class).run(context -> {
            Propagations tx = context.getBean(Propagations.class);
            DSLContext dsl = context.getBean(DSLContext.class);
            DataSource dataSource = context.getBean(DataSource.class);
            cache.onArrival(path -> count(dataSource, "comment"));
            PurgeServer.Request[] inner = new PurgeServer.Request[1];

            try {
                tx.required(() -> {
                    dsl.insertInto(POST).columns(field("title")).values("outer").execute();
                    tx.requiresNew(() -> dsl.insertInto(COMMENT).columns(field("body")).values("inner").execute());
                    try {
                        inner[0] = cache.take();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    throw new IllegalStateException("roll back the outer transaction");
                });
            } catch (IllegalStateException expected) {
                // the outer transaction rolled back
            }

            assertThat(inner[0].path()).as("purged at the inner commit, before the outer ended").isEqualTo("/comments");
            assertThat(inner[0].observed()).as("committed comments a separate connection saw").isEqualTo(1L);
            assertThat(context.getBean(Roan.class).flush(Duration.ofSeconds(5))).isTrue();
            assertThat(cache.paths()).as("nothing for the rolled-back outer post").containsExactly("/comments");
            assertThat(count(dataSource, "post")).isZero();
        });
    }

    @Test
    void nestedRollbackInBootDropsOnlyTheSavepointsWrites() {
        runner().withBean(Propagations.class).run(context -> {
            Propagations tx = context.getBean(Propagations.class);
            DSLContext dsl = context.getBean(DSLContext.class);
            Roan roan = context.getBean(Roan.class);

            tx.required(() -> {
                dsl.insertInto(POST).columns(field("title")).values("kept").execute();
                try {
                    tx.nested(() -> {
                        dsl.insertInto(COMMENT).columns(field("body")).values("rolled back").execute();
                        throw new IllegalStateException("roll back to the savepoint");
                    });
                } catch (IllegalStateException expected) {
                    // back to the savepoint; the outer transaction goes on
                }
                assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
                assertThat(cache.count()).as("nothing before the outer commit").isZero();
            });

            assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(cache.paths()).containsExactly("/posts");
            assertThat(count(context.getBean(DataSource.class), "comment")).isZero();
            assertThat(count(context.getBean(DataSource.class), "post")).isOne();
        });
    }

    @Test
    void propertiesAreBoundAndUsedForThePurges() throws Exception {
        try (PurgeServer second = new PurgeServer()) {
            runner().withPropertyValues(
                    "roan.purge-url=" + cache.purgeUrl() + ", " + second.purgeUrl() + "/",
                    "roan.purge-method=PURGE",
                    "roan.headers." + "X-Roan-Token" + "=s3cret",
                    "roan.repurge-after=300ms",
                    "roan.retry.max-attempts=3",
                    "roan.retry.initial-backoff=20ms",
                    "roan.connect-timeout=1s",
                    "roan.request-timeout=3s").run(context -> {
                        RoanProperties properties = context.getBean(RoanProperties.class);
                        assertThat(properties.getPurgeUrl()).hasSize(2);
                        assertThat(properties.getHeaders()).containsEntry("X-Roan-Token", "s3cret");
                        assertThat(properties.getRepurgeAfter()).isEqualTo(Duration.ofMillis(300));
                        assertThat(properties.getRetry().getMaxAttempts()).isEqualTo(3);
                        assertThat(properties.getRetry().getInitialBackoff()).isEqualTo(Duration.ofMillis(20));
                        assertThat(properties.getConnectTimeout()).isEqualTo(Duration.ofSeconds(1));
                        assertThat(properties.getRequestTimeout()).isEqualTo(Duration.ofSeconds(3));
                        assertThat(properties.toString()).doesNotContain("s3cret");
                        Roan roan = context.getBean(Roan.class);
                        assertThat(roan.purgeUrls()).containsExactly(cache.purgeUrl(), second.purgeUrl());

                        context.getBean(Posts.class).add("Hello");

                        for (PurgeServer node : List.of(cache, second)) {
                            for (String which : List.of("purge", "re-purge")) {
                                PurgeServer.Request purge = node.take();
                                assertThat(purge.method()).as(which + " method").isEqualTo("PURGE");
                                assertThat(purge.path()).as(which + " path").isEqualTo("/posts");
                                assertThat(purge.header("X-Roan-Token")).as(which + " header").isEqualTo("s3cret");
                            }
                        }
                    });
        }
    }

    @Test
    void coalesceWindowPropertyHoldsAFollowUpPurgeUntilTheContextCloses() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        cache.respond(path -> {
            if (requests.incrementAndGet() == 1) {
                await(release);
            }
            return PurgeServer.Answer.status(200);
        });
        runner().withPropertyValues("roan.coalesce-window=1h").run(context -> {
            assertThat(context.getBean(RoanProperties.class).getCoalesceWindow()).isEqualTo(Duration.ofHours(1));
            Roan roan = context.getBean(Roan.class);
            Posts posts = context.getBean(Posts.class);

            posts.add("first");
            assertThat(cache.take().path()).as("first purge, now on the wire").isEqualTo("/posts");
            posts.add("second");
            release.countDown();

            // With the default window of 10 ms the follow-up would be delivered well within this flush.
            assertThat(roan.flush(Duration.ofSeconds(1))).as("flush while the follow-up waits for the window").isFalse();
            assertThat(cache.count()).as("requests while the follow-up waits").isOne();
        });
        assertThat(cache.paths()).as("the follow-up, sent when the context closed").containsExactly("/posts", "/posts");
    }

    @Test
    void negativeCoalesceWindowFailsStartupNamingTheProperty() {
        runner().withPropertyValues("roan.coalesce-window=-1ms").run(context -> {
            assertThat(context).hasFailed();
            InvalidConfigurationPropertyValueException invalid = find(context.getStartupFailure());
            assertThat(invalid.getName()).isEqualTo("roan.coalesce-window");
            assertThat(invalid.getMessage()).contains("roan.coalesce-window", "zero or positive");
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void retryPropertiesLimitTheAttempts() {
        cache.failNext(100);
        runner().withPropertyValues("roan.retry.max-attempts=3", "roan.retry.initial-backoff=10ms").run(context -> {
            context.getBean(Posts.class).add("Hello");

            // Three quick attempts; then the purge stays owed and the node is down, probed a second or more later.
            Roan roan = context.getBean(Roan.class);
            assertThat(roan.flush(Duration.ofMillis(500))).isFalse();
            assertThat(roan.cacheNodes().get(0).isDown()).isTrue();
            assertThat(cache.paths()).as("3 attempts").containsExactly("/posts", "/posts", "/posts");
        });
    }

    @Test
    void disabledCreatesNoRoan() {
        runner().withPropertyValues("roan.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(DSLContext.class).doesNotHaveBean(Roan.class)
                    .doesNotHaveBean(RoanJooqConfigurationCustomizer.class);
            context.getBean(Posts.class).add("Hello");
            assertThat(count(context.getBean(DataSource.class), "post")).isEqualTo(1);
        });
        assertThat(cache.paths()).isEmpty();
    }

    @Test
    void ownDslContextIsReportedUnattached() {
        runner().withBean("ownDsl", DSLContext.class, () -> DSL.using(SQLDialect.H2)).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Roan.class);
            assertThat(context.getBean(RoanJooqConfigurationCustomizer.class).unattached())
                    .as("the application's own DSLContext, built without Boot's configuration").isEqualTo(1);
        });
    }

    @Test
    void withoutDslContextCreatesNoRoan() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(Boot.JOOQ, RoanAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Roan.class));
    }

    @Test
    void badPurgeUrlFailsStartupNamingTheProperty() {
        runner().withPropertyValues("roan.purge-url=ftp://x").run(context -> {
            assertThat(context).hasFailed();
            // Not Boot's InvalidConfigurationPropertyValueException: its failure analyzer prints the raw value.
            assertThat(failureMessages(context.getStartupFailure()))
                    .contains("configuration property 'roan.purge-url'", "ftp://x", "absolute http or https URL");
        });
    }

    @Test
    void badRetryAndHeaderFailStartupNamingTheProperty() {
        runner().withPropertyValues("roan.retry.max-attempts=0").run(context ->
                assertThat(find(context.getStartupFailure()).getName()).isEqualTo("roan.retry.max-attempts"));
        runner().withPropertyValues("roan.retry.initial-backoff=0s").run(context ->
                assertThat(find(context.getStartupFailure()).getName()).isEqualTo("roan.retry.initial-backoff"));
        runner().withPropertyValues("roan.headers.Host=edge.example", "roan.close-timeout=-1s").run(context -> {
            assertThat(failureMessages(context.getStartupFailure()))
                    .contains("configuration property 'roan.headers'", "header Host", "allowRestrictedHeaders=host")
                    .doesNotContain("edge.example");
        });
        runner().withPropertyValues("roan.purge-method=GET POST").run(context ->
                assertThat(find(context.getStartupFailure()).getName()).isEqualTo("roan.purge-method"));
    }

    /** The messages of a failure and its causes, one per line. */
    private static String failureMessages(Throwable failure) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }

    private static InvalidConfigurationPropertyValueException find(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidConfigurationPropertyValueException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("no InvalidConfigurationPropertyValueException in " + failure, failure);
    }

    @Test
    void customizersAreAppliedOnceInOrder() {
        RecordingCustomizers.CALLS.clear();
        runner().withUserConfiguration(RecordingCustomizers.class).run(context -> {
            int roan = System.identityHashCode(context.getBean(Roan.class));
            assertThat(RecordingCustomizers.CALLS).containsExactly("first:" + roan, "second:" + roan);

            context.getBean(Posts.class).add("Hello");

            assertThat(context.getBean(Roan.class).flush(Duration.ofSeconds(5))).isTrue();
            assertThat(cache.paths()).containsExactlyInAnyOrder("/posts", "/from-customizer");
        });
    }

    @Test
    void bootApplicationFindsTheStarterAndClosingItDeliversPendingPurges() {
        cache.failNext(1);
        Roan roan;
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(BootApp.class)
                .web(WebApplicationType.NONE)
                .properties(Map.of("spring.main.banner-mode", "off",
                        "spring.sql.init.schema-locations", "classpath:roan-schema.sql",
                        "roan.purge-url", cache.purgeUrl(),
                        "roan.retry.initial-backoff", "400ms"))
                .run()) {
            roan = context.getBean(Roan.class);
            context.getBean(Posts.class).add("Hello");
        }
        // The first attempt failed; close waited for the retry, at least 200 ms later.
        assertThat(cache.paths()).as("the purge and its retry, delivered before close returned")
                .containsExactly("/posts", "/posts");
        assertThat(roan.toString()).contains("closed");
    }

    @Test
    void configurationMetadataDescribesTheProperties() throws IOException {
        String json;
        try (InputStream in = RoanProperties.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("metadata written by spring-boot-configuration-processor").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(json).contains("\"roan.purge-url\"", "\"roan.purge-method\"", "\"roan.headers\"",
                "\"roan.repurge-after\"", "\"roan.retry.max-attempts\"", "\"roan.retry.initial-backoff\"",
                "\"roan.coalesce-window\"", "\"roan.connect-timeout\"", "\"roan.request-timeout\"",
                "\"roan.close-timeout\"", "\"roan.enabled\"",
                "Purge URL of the cache");
    }

    @Test
    void defaultsAreRoans() {
        RoanProperties defaults = new RoanProperties();
        assertThat(defaults.getPurgeUrl()).containsExactly(Roan.DEFAULT_PURGE_URL);
        assertThat(defaults.getPurgeMethod()).isEqualTo(Roan.DEFAULT_PURGE_METHOD);
        assertThat(defaults.getConnectTimeout()).isEqualTo(Roan.DEFAULT_CONNECT_TIMEOUT);
        assertThat(defaults.getRequestTimeout()).isEqualTo(Roan.DEFAULT_REQUEST_TIMEOUT);
        assertThat(defaults.getCloseTimeout()).isEqualTo(Roan.DEFAULT_CLOSE_TIMEOUT);
        assertThat(defaults.getRetry().getMaxAttempts()).isEqualTo(Roan.DEFAULT_MAX_ATTEMPTS);
        assertThat(defaults.getRetry().getInitialBackoff()).isEqualTo(Roan.DEFAULT_INITIAL_BACKOFF);
        assertThat(defaults.getRepurgeAfter()).isNull();
        assertThat(defaults.getCoalesceWindow()).isEqualTo(Roan.DEFAULT_COALESCE_WINDOW);
    }

    @Test
    void secretsInThePropertiesAppearInNoStartupFailure() {
        List<Map<String, Object>> inputs = List.of(
                Map.of("roan.purge-url", "http:/user:hunter2@h/purge"),
                Map.of("roan.purge-url", "http//user:hunter2@h/purge"),
                Map.of("roan.purge-url", "user:hunter2@h/purge"),
                Map.of("roan.purge-url", "http:user:hunter2@h/purge"),
                Map.of("roan.purge-url", "http://user:hunter2@h/purge"),
                Map.of("roan.purge-url", "http://ok/purge,http://user:hunter2@cache_1/purge"),
                Map.of("roan.purge-url", "http://user:hunter2,x@h/purge"),
                Map.of("roan.headers[Authorization: Bearer hunter2]", "x"),
                Map.of("roan.headers.X-Token", "hunter2\u2603"),
                Map.of("roan.headers.X-Token", "caf\u00e9 hunter2"),
                Map.of("roan.headers.Connection", "hunter2"));
        for (Map<String, Object> input : inputs) {
            String key = input.keySet().iterator().next();
            // A real Boot application, so that Boot's failure analyzers write their report as they would for users.
            Map<String, Object> properties = new java.util.HashMap<>(input);
            properties.put("spring.main.banner-mode", "off");
            properties.put("spring.sql.init.schema-locations", "classpath:roan-schema.sql");
            Throwable failure = null;
            try {
                // Starting is the failure expected; should it start, the assertion below fails.
                new SpringApplicationBuilder(BootApp.class).web(WebApplicationType.NONE).properties(properties).run()
                        .close();
            } catch (RuntimeException e) {
                failure = e;
            }
            assertThat(failure).as("%s fails startup", input.keySet()).isNotNull();
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            String property = key.startsWith("roan.headers") ? "roan.headers" : key;
            assertThat(trace.toString()).as("startup failure for %s", input.keySet())
                    .contains("'" + property + "'").doesNotContain("hunter2");
            if (key.contains("Bearer")) {
                assertThat(trace.toString()).contains("did you pass 'Name: value' as the name?");
            }
            StandardEnvironment environment = new StandardEnvironment();
            environment.getPropertySources().addFirst(new MapPropertySource("input", input));
            // What Boot prints at a failed start: the reports of its failure analyzers, which read the environment.
            for (FailureAnalyzer analyzer : SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
                    .load(FailureAnalyzer.class, ArgumentResolver.of(Environment.class, environment),
                            FailureHandler.handleMessage((message, e) -> { }))) {
                FailureAnalysis analysis = analyzer.analyze(failure);
                if (analysis != null) {
                    assertThat(analysis.getDescription() + analysis.getAction())
                            .as("%s on %s", analyzer.getClass().getSimpleName(), input.keySet()).doesNotContain("hunter2");
                }
            }
            RoanProperties bound = Binder.get(environment).bindOrCreate("roan", RoanProperties.class);
            assertThat(bound.toString()).as("RoanProperties for %s", input.keySet()).doesNotContain("hunter2");
        }
    }

    @Test
    void purgeUrlsRoanAcceptedAreShownWhole() {
        assertThat(Roan.maskUrl("http://c/purge/@x")).as("an '@' in the path is no user info")
                .isEqualTo("http://c/purge/@x");
        assertThat(Roan.maskUrl("http://user:pw@c/purge")).isEqualTo("http://***@c/purge");
    }

    @Test
    void lowerCasePurgeMethodPropertyIsSentInUpperCase() {
        runner().withPropertyValues("roan.purge-method=purge").run(context -> {
            context.getBean(Posts.class).add("Hello");
            assertThat(cache.take().method()).isEqualTo("PURGE");
        });
    }

    @Test
    void handWiredCustomizerWithAttachInPlaceRunsRoanOnBootsDslContext() {
        // The README's hand wiring: no starter, a Roan bean and one customizer of Boot's jOOQ configuration.
        Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).transactionBoundary(new SpringTransactionBoundary())
                .build();
        roan.purge("/posts").onWrite(POST);
        Boot.withAttachInPlace(runner().withPropertyValues("roan.enabled=false")
                .withBean(Roan.class, () -> roan, definition -> definition.setDestroyMethodName("close")), roan)
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(RoanJooqConfigurationCustomizer.class);
                    assertThat(roan.isAttached(context.getBean(DSLContext.class).configuration())).isTrue();
                    DataSource dataSource = context.getBean(DataSource.class);
                    cache.onArrival(path -> count(dataSource, "post"));

                    context.getBean(Posts.class).addAndLinger("Hello");

                    PurgeServer.Request purge = cache.take();
                    assertThat(purge.path()).isEqualTo("/posts");
                    assertThat(purge.observed()).as("rows a separate connection saw: after the commit").isEqualTo(1L);
                });
        assertThat(roan.isClosed()).as("closed with the context").isTrue();
    }
}
