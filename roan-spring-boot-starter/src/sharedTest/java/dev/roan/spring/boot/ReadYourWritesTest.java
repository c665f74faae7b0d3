package dev.roan.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import dev.roan.testkit.PurgeServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;

import javax.sql.DataSource;

import dev.roan.jooq.Roan;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * {@code roan.read-your-writes}: a real Spring MVC application on an embedded Tomcat, posting a form and following
 * the redirect as a browser does, against a purge endpoint that holds its answer until the test releases it.
 */
class ReadYourWritesTest {

    /** The blog: a form post that redirects, and an API post that answers with a body. */
    @Controller
    static class Posts {
        private final DSLContext dsl;
        private final TransactionTemplate transactions;

        Posts(DSLContext dsl, TransactionTemplate transactions) {
            this.dsl = dsl;
            this.transactions = transactions;
        }

        @PostMapping("/posts")
        String create() {
            // As a @Transactional service method: the purge waits for Spring's commit.
            transactions.executeWithoutResult(status -> insert());
            return "redirect:/posts";
        }

        @PostMapping("/posts/by-entity")
        ResponseEntity<Void> createAnsweringWithAnEntity() {
            transactions.executeWithoutResult(status -> insert());
            return ResponseEntity.status(HttpStatus.SEE_OTHER).location(URI.create("/posts")).build();
        }

        @PostMapping("/reset/{token}")
        String reset(@PathVariable("token") String token) {
            transactions.executeWithoutResult(status -> insert());
            return "redirect:/posts";
        }

        @PostMapping("/api/posts")
        @ResponseBody
        String createByApi() {
            insert();
            return "created";
        }

        private void insert() {
            dsl.insertInto(table("post")).columns(field("title")).values("hello").execute();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Posts.class)
    static class App {
        @Bean
        DataSource dataSource(org.springframework.core.env.Environment environment) {
            return BootFixture.h2(environment.getRequiredProperty("test.database-url"));
        }

        @Bean
        RoanCustomizer rules() {
            return roan -> roan.purge("/posts").onWrite(table("post"));
        }
    }

    private final CountDownLatch release = new CountDownLatch(1);
    /** Set just before the endpoint answers a purge: Roan learns of the delivery only after it. */
    private final AtomicBoolean answered = new AtomicBoolean();
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private PurgeServer cache;
    private ConfigurableApplicationContext app;

    @BeforeEach
    void startCache() {
        cache = new PurgeServer().respond(path -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answered.set(true);
            return PurgeServer.Answer.status(200);
        });
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (app != null) {
            app.close();
        }
        cache.close();
    }

    private void start(String... properties) {
        List<String> all = new ArrayList<>(List.of("server.port=0",
                "test.database-url=jdbc:h2:mem:ryw-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "spring.sql.init.schema-locations=classpath:roan-schema.sql", "roan.purge-url=" + cache.purgeUrl(),
                "roan.close-timeout=0s", "roan.shutdown-hook=false", "management.health.roan.enabled=false"));
        all.addAll(List.of(properties));
        app = new SpringApplicationBuilder(App.class).properties(all.toArray(String[]::new)).run();
    }

    private CompletableFuture<HttpResponse<String>> post(String path) {
        int port = Boot.port(app);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        return browser.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutThePropertyTheRedirectIsAnsweredBeforeThePurgeIsDelivered() throws Exception {
        start();

        HttpResponse<String> response = post("/posts").get(10, TimeUnit.SECONDS);

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(answered).as("the purge was answered before the redirect").isFalse();
        assertThat(app.getBeansOfType(ReadYourWrites.class)).isEmpty();
    }

    @Test
    void withThePropertyTheRedirectWaitsUntilThePurgeIsDelivered() throws Exception {
        start("roan.read-your-writes.enabled=true", "roan.read-your-writes.timeout=10s");

        CompletableFuture<HttpResponse<String>> response = post("/posts");
        assertThat(cache.take().path()).as("the purge reached the cache, which holds its answer").isEqualTo("/posts");
        Thread.sleep(200);
        assertThat(response).as("the redirect waits for the purge").isNotDone();
        release.countDown();

        assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(302);
        assertThat(answered).as("the purge was answered before the redirect").isTrue();
    }

    @Test
    void withThePropertyARedirectByResponseEntityWaitsToo() throws Exception {
        start("roan.read-your-writes.enabled=true", "roan.read-your-writes.timeout=10s");

        CompletableFuture<HttpResponse<String>> response = post("/posts/by-entity");
        assertThat(cache.take().path()).isEqualTo("/posts");
        Thread.sleep(200);
        assertThat(response).as("the redirect waits for the purge").isNotDone();
        release.countDown();

        assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(303);
        assertThat(answered).isTrue();
    }

    @Test
    void withThePropertyAResponseBodyWaitsToo() throws Exception {
        start("roan.read-your-writes.enabled=true", "roan.read-your-writes.timeout=10s");

        CompletableFuture<HttpResponse<String>> response = post("/api/posts");
        assertThat(cache.take().path()).isEqualTo("/posts");
        Thread.sleep(200);
        assertThat(response).as("the body waits for the purge").isNotDone();
        release.countDown();

        HttpResponse<String> answer = response.get(10, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("created");
        assertThat(answered).isTrue();
    }

    @Test
    void aPurgeSlowerThanTheTimeoutLetsTheResponseGoOn() throws Exception {
        start("roan.read-your-writes.enabled=true", "roan.read-your-writes.timeout=200ms");

        HttpResponse<String> response = post("/posts").get(10, TimeUnit.SECONDS);

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(answered).as("answered while the purge is still held").isFalse();
    }

    @Test
    void aTimeoutIsLoggedOnceAtInfoUntilAWaitSucceedsAgain() {
        cache.respond(path -> {
            if (path.startsWith("/held")) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return PurgeServer.Answer.status(200);
        });
        try (LogRecords records = LogRecords.of(ReadYourWrites.class);
                Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).closeTimeout(Duration.ZERO).shutdownHook(false)
                        .build()) {
            ReadYourWrites wait = new ReadYourWrites(roan, Duration.ofMillis(500));
            for (int i = 0; i < 3; i++) {
                roan.purgeAfterCommit("/held");
                wait.awaitAfter("POST", "Posts.create");
                wait.awaitAfter("POST", "Posts.create"); // the second hook of the same request: nothing owed
                wait.clear();
            }
            roan.purgeAfterCommit("/fine");
            wait.awaitAfter("POST", "Posts.create");
            wait.clear();

            assertThat(records.messages(Level.INFO)).as("one INFO for the outage, one when waits succeed again")
                    .hasSize(2).anySatisfy(m -> assertThat(m).contains("roan.read-your-writes.timeout",
                            "POST handled by Posts.create"));
            assertThat(records.all).as("nothing above INFO")
                    .allMatch(r -> r.getLevel().intValue() <= Level.INFO.intValue());
        }
    }

    @Test
    void aTimeoutNamesTheHandlerNotTheUriWhichMayHoldASecret() throws Exception {
        start("roan.read-your-writes.enabled=true", "roan.read-your-writes.timeout=200ms");
        try (LogRecords records = LogRecords.of(ReadYourWrites.class)) {
            HttpResponse<String> response = post("/reset/s3cret-t0ken").get(10, TimeUnit.SECONDS);

            assertThat(response.statusCode()).isEqualTo(302);
            assertThat(records.messages(Level.INFO)).as("the timeout's INFO").singleElement().asString()
                    .contains("POST handled by Posts.reset").doesNotContain("s3cret", "/reset");
            assertThat(records.all).as("any level").noneMatch(r -> String.valueOf(r.getMessage()).contains("s3cret"));
        }
    }

    @Test
    void afterCompletionForgetsTheThreadsRecord() throws Exception {
        try (Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).closeTimeout(Duration.ZERO).shutdownHook(false)
                .build()) {
            HandlerInterceptor interceptor = new ReadYourWritesInterceptor(new ReadYourWrites(roan, Duration.ZERO));
            roan.purgeAfterCommit("/held-by-the-cache");

            interceptor.afterCompletion(null, null, new Object(), null);

            assertThat(roan.awaitPurges(Duration.ZERO)).as("nothing owed by this thread any more").isTrue();
        }
    }

    @Test
    void theInterceptorNamesAHandlerByItsClassAndMethod() throws Exception {
        Object handler = new org.springframework.web.method.HandlerMethod(new Posts(null, null),
                Posts.class.getDeclaredMethod("reset", String.class));

        assertThat(ReadYourWrites.describe(handler)).isEqualTo("Posts.reset");
        assertThat(ReadYourWrites.describe(new Object())).isEqualTo("Object");
    }

    @Test
    void safeMethodsNeverWait() {
        assertThat(List.of("GET", "HEAD", "OPTIONS", "TRACE")).noneMatch(ReadYourWrites::unsafe);
        assertThat(List.of("POST", "PUT", "PATCH", "DELETE")).allMatch(ReadYourWrites::unsafe);
    }

    @Test
    void offOutsideAServletWebApplicationAndWithoutSpringMvc() {
        BootFixture.onlyInServletApplicationsWith(HandlerInterceptor.class, RoanReadYourWritesAutoConfiguration.class,
                "roan.read-your-writes.enabled=true", ReadYourWrites.class, cache);
    }

    @Test
    void aTimeoutOutOfBoundsFailsStartupNamingTheProperty() {
        new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(
                RoanReadYourWritesAutoConfiguration.class))
                .withBean(Roan.class, () -> Roan.builder().purgeUrl(cache.purgeUrl()).shutdownHook(false).build())
                .withPropertyValues("roan.read-your-writes.enabled=true", "roan.read-your-writes.timeout=5m")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("roan.read-your-writes.timeout").hasMessageContaining("30s"));
    }
}
