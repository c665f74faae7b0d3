package dev.roan.spring.boot;

import static dev.roan.spring.boot.BootFixture.POST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.testkit.PurgeServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.roan.jooq.Roan;
import dev.roan.spring.boot.BootFixture.Posts;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter's meters and health indicator in real Spring Boot contexts, with Boot's metrics (a
 * {@code SimpleMeterRegistry}) and health auto-configurations, H2, and a real local purge endpoint.
 */
class RoanMetricsAndHealthTest {

    @Configuration(proxyBeanMethods = false)
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
        return BootFixture.runner(cache, Boot.withMetricsAndHealth(RoanMetricsAutoConfiguration.class,
                        RoanHealthAutoConfiguration.class))
                .withUserConfiguration(App.class)
                .withPropertyValues("roan.headers." + "X-Roan-Token" + "=s3cret",
                        "roan.retry.max-attempts=2", "roan.retry.initial-backoff=10ms",
                        // Probes of a node that is down at most 1 s apart, so that recovery shows within seconds.
                        "roan.max-retry-interval=1s");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private double count(MeterRegistry registry, String name, String... tags) {
        var counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void committedWriteIsCountedAndTimedPerNode() {
        cache.failNext(1);
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RoanMetrics.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            Roan roan = context.getBean(Roan.class);
            String node = cache.purgeUrl();

            context.getBean(Posts.class).add("Hello");

            assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(cache.paths()).as("one failed attempt, then delivered").containsExactly("/posts", "/posts");
            assertThat(count(registry, "roan.purges", "outcome", "delivered", "node", node)).isEqualTo(1.0);
            assertThat(count(registry, "roan.purges", "outcome", "failed", "node", node)).isZero();
            assertThat(count(registry, "roan.purges.retries", "node", node)).isEqualTo(1.0);
            var latency = registry.find("roan.purges.latency").tag("node", node).timer();
            assertThat(latency).isNotNull();
            assertThat(latency.count()).isEqualTo(1);
            assertThat(latency.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
            var pending = registry.find("roan.purges.pending").gauge();
            assertThat(pending).as("gauge bound to the Roan bean").isNotNull();
            assertThat(pending.value()).isZero();
            assertThat(registry.getMeters()).allSatisfy(meter -> assertThat(meter.getId().toString())
                    .doesNotContain("s3cret"));

            // Both quick attempts fail: counted as failed, still owed, delivered at the next probe.
            cache.failNext(2);
            context.getBean(Posts.class).add("Again");
            assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(count(registry, "roan.purges", "outcome", "failed", "node", node)).isEqualTo(1.0);
            assertThat(count(registry, "roan.purges", "outcome", "delivered", "node", node)).isEqualTo(2.0);
        });
    }

    @Test
    void healthIsDownWhileTheNodeOwesPurgesItCannotDeliverAndUpOnceItTakesThem() {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(Boot.healthContributor(context, "roan")).as("registered as \"roan\"")
                    .isInstanceOf(RoanHealthIndicator.class);
            RoanHealthIndicator health = (RoanHealthIndicator) Boot.healthContributor(context, "roan");
            Posts posts = context.getBean(Posts.class);
            Roan roan = context.getBean(Roan.class);
            assertThat(Boot.health(health).status()).as("no purge yet").isEqualTo("UP");

            cache.respond(path -> PurgeServer.Answer.status(503));
            posts.add("Hello");
            await("DOWN while the purge is owed", () -> Boot.health(health).status().equals("DOWN"));
            Boot.HealthView down = Boot.health(health);
            @SuppressWarnings("unchecked")
            Map<String, Object> node = ((List<Map<String, Object>>) down.details().get("nodes")).get(0);
            assertThat(node).containsEntry("url", cache.purgeUrl()).containsEntry("status", "DOWN")
                    .containsEntry("owedPurges", 1).containsKey("oldestOwed");
            assertThat(String.valueOf(node.get("lastFailure"))).contains("503");
            assertThat(down.details()).containsEntry("owedPurges", 1).containsEntry("droppedPurges", 0L);
            assertThat(down.text()).doesNotContain("s3cret");

            cache.respond(path -> PurgeServer.Answer.status(200));
            assertThat(roan.flush(Duration.ofSeconds(10))).as("delivered at a probe").isTrue();
            await("UP once the node took the purge", () -> Boot.health(health).status().equals("UP"));
            Boot.HealthView up = Boot.health(health);
            assertThat(up.details()).containsEntry("owedPurges", 0).containsEntry("droppedPurges", 0L);
            @SuppressWarnings("unchecked")
            Map<String, Object> upNode = ((List<Map<String, Object>>) up.details().get("nodes")).get(0);
            assertThat(upNode).containsEntry("status", "UP").containsEntry("owedPurges", 0)
                    .containsEntry("oldestOwed", "PT0S");
        });
    }

    @Test
    void owedPurgesTheirAgeAndDownNodesAreGaugedPerNode() {
        runner().run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            Roan roan = context.getBean(Roan.class);
            String node = cache.purgeUrl();
            assertThat(gauge(registry, RoanMetrics.OWED, node)).isZero();
            assertThat(gauge(registry, RoanMetrics.NODE_DOWN, node)).isZero();

            // Gauges hold their state weakly unless told otherwise: a collection must not turn them into NaN.
            System.gc();
            cache.respond(path -> PurgeServer.Answer.status(503));
            context.getBean(Posts.class).add("Hello");
            await("owed and down", () -> gauge(registry, RoanMetrics.OWED, node) == 1
                    && gauge(registry, RoanMetrics.NODE_DOWN, node) == 1);
            Thread.sleep(300);
            assertThat(registry.find(RoanMetrics.OLDEST_OWED).tag("node", node).timeGauge().value(TimeUnit.MILLISECONDS))
                    .as("age of the oldest owed purge").isGreaterThanOrEqualTo(300);

            cache.respond(path -> PurgeServer.Answer.status(200));
            assertThat(roan.flush(Duration.ofSeconds(10))).isTrue();
            await("nothing owed, up", () -> gauge(registry, RoanMetrics.OWED, node) == 0
                    && gauge(registry, RoanMetrics.NODE_DOWN, node) == 0);
            assertThat(registry.find(RoanMetrics.OLDEST_OWED).tag("node", node).timeGauge().value()).isZero();
            assertThat(registry.find(RoanMetrics.DROPPED).functionCounter().count()).isZero();
            assertThat(registry.getMeters()).allSatisfy(meter -> assertThat(meter.getId().toString())
                    .doesNotContain("s3cret"));
        });
    }

    @Test
    void purgesGivenUpAreCountedAsDropped() {
        cache.respond(path -> PurgeServer.Answer.status(503));
        runner().withPropertyValues("roan.give-up-after=500ms").run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            context.getBean(Posts.class).add("Hello");
            await("dropped after give-up-after", () ->
                    registry.find(RoanMetrics.DROPPED).functionCounter().count() == 1);
            assertThat(context.getBean(Roan.class).droppedPurges()).isEqualTo(1);
            assertThat(Boot.health(context.getBean(RoanHealthIndicator.class)).details()).containsEntry("droppedPurges", 1L).containsEntry("owedPurges", 0);
        });
    }

    private static double gauge(MeterRegistry registry, String name, String node) {
        var gauge = registry.find(name).tag("node", node).gauge();
        assertThat(gauge).as("gauge %s{node=%s}", name, node).isNotNull();
        return gauge.value();
    }

    @Test
    void healthSwitchIsInTheConfigurationMetadata() throws IOException {
        try (var in = RoanProperties.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("\"management.health.roan.enabled\"");
        }
    }

    @Test
    void healthIndicatorCanBeDisabled() {
        runner().withPropertyValues("management.health.roan.enabled=false").run(context ->
                assertThat(context).hasNotFailed().hasSingleBean(Roan.class)
                        .doesNotHaveBean(RoanHealthIndicator.class));
    }

    @Test
    void withoutMicrometerNorActuatorTheStarterStillWorks() {
        BootFixture.runner(cache, RoanMetricsAutoConfiguration.class, RoanHealthAutoConfiguration.class)
                .withClassLoader(new FilteredClassLoader(Boot.withoutMicrometerNorActuator()))
                .withUserConfiguration(App.class)
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(Roan.class)
                            .doesNotHaveBean(RoanMetrics.class).doesNotHaveBean(RoanHealthIndicator.class);
                    context.getBean(Posts.class).add("Hello");
                    assertThat(cache.take().path()).isEqualTo("/posts");
                });
    }

    @Test
    void withoutMeterRegistryBeanNoMeters() {
        BootFixture.runner(cache, RoanMetricsAutoConfiguration.class).withUserConfiguration(App.class)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Roan.class)
                        .doesNotHaveBean(RoanMetrics.class));
    }
}
