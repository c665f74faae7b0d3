package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.LogRecord;

import dev.roan.testkit.PurgeServer.Answer;
import io.github.resilience4j.retry.RetryConfig;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How a purge request looks: its method and headers, and secrets kept out of every message. */
class PurgeRequestTest {

    private static final String SECRET = "s3cr3t-token-value";

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private TestDb db;
    private PurgeServer cache;

    @BeforeEach
    void setUp() throws Exception {
        db = fixture.db();
        cache = fixture.cache();
    }

    private void write(Roan roan) {
        insert(roan);
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
    }

    private void insert(Roan roan) {
        roan.purge("/posts").onWrite(POST);
        DSLContext dsl = DSL.using(roan.attach(db.configuration()));
        dsl.insertInto(POST).set(POST.SLUG, "s").set(POST.TITLE, "t").execute();
    }

    @Test
    void purgesAreGetByDefault() throws Exception {
        try (Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).build()) {
            write(roan);
        }
        assertThat(cache.take().method()).isEqualTo("GET");
    }

    @Test
    void purgeMethodSetsTheMethod() throws Exception {
        try (Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).purgeMethod("PURGE").build()) {
            write(roan);
        }
        PurgeServer.Request request = cache.take();
        assertThat(request.method()).isEqualTo("PURGE");
        assertThat(request.path()).isEqualTo("/posts");
    }

    @Test
    void headersAreSentWithEveryPurgeAndTheLastValueOfANameWins() throws Exception {
        try (Roan roan = Roan.builder().purgeUrl(cache.purgeUrl())
                .header("X-Purge-Token", "old")
                .header("x-purge-token", SECRET)
                .header("X-Xkey-Purge", "posts")
                .build()) {
            write(roan);
        }
        PurgeServer.Request request = cache.take();
        assertThat(request.header("X-Purge-Token")).isEqualTo(SECRET);
        assertThat(request.header("X-Xkey-Purge")).isEqualTo("posts");
    }

    @Test
    void headerValuesNeverAppearInToStringOrLogs() throws Exception {
        // Fails twice (both attempts), then the probe is delivered: the node goes down and recovers, and logs both.
        AtomicInteger answers = new AtomicInteger();
        cache.respond(path -> Answer.status(answers.incrementAndGet() <= 2 ? 500 : 200));
        Roan.Builder builder = Roan.builder().purgeUrl(cache.purgeUrl()).header("Authorization", "Bearer " + SECRET)
                .retryConfig(RetryConfig.custom().maxAttempts(2).waitDuration(Duration.ofMillis(10)).build());
        assertThat(builder.toString()).contains("Authorization").doesNotContain(SECRET);
        // The probe waits for this clock, moved once the node is down, instead of a second of real time.
        FakeClock clock = new FakeClock();
        try (LogCapture log = new LogCapture(); Roan roan = clock.build(builder)) {
            assertThat(roan.toString()).doesNotContain(SECRET);
            insert(roan);
            long deadline = System.nanoTime() + Waits.DELIVERY.toNanos();
            while (!roan.cacheNodes().get(0).isDown()) {
                assertThat(System.nanoTime() - deadline).as("waiting for the node to go down").isNegative();
                Thread.sleep(5);
            }
            clock.advance(Roan.DEFAULT_MAX_RETRY_INTERVAL);
            assertThat(roan.flush(Waits.DELIVERY)).as("flush once the probe is delivered").isTrue();
            assertThat(log.records()).as("something was logged").isNotEmpty();
            for (LogRecord record : log.records()) {
                assertThat(record.getMessage()).doesNotContain(SECRET);
                assertThat(String.valueOf(record.getThrown())).doesNotContain(SECRET);
            }
        }
    }

    @Test
    void badMethodsAndHeadersAreRejectedWithoutEchoingTheValue() {
        assertThatThrownBy(() -> Roan.builder().purgeMethod("PUR GE")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HTTP method name");
        assertThatThrownBy(() -> Roan.builder().purgeMethod(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Roan.builder().purgeMethod("CONNECT")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Roan.builder().header("Bad Name", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header name");
        assertThatThrownBy(() -> Roan.builder().header("X-Token", SECRET + "\r\nX-Injected: 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line break")
                .message().doesNotContain(SECRET);
        assertThatThrownBy(() -> Roan.builder().header("X-Token", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hostHeaderExplainsHowToSendItOrKeyTheCache() {
        // The JDK refuses Host unless the JVM allows it; this test JVM does not.
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders", "").toLowerCase().contains("host")) {
            return;
        }
        assertThatThrownBy(() -> Roan.builder().header("Host", "www.example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Djdk.httpclient.allowRestrictedHeaders=host")
                .hasMessageContaining("purge location");
    }

    @Test
    void repurgeAfterSendsEachCommittedPurgeOnceMoreAfterTheDelay() throws Exception {
        Duration delay = Duration.ofMillis(300);
        try (Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).repurgeAfter(delay).build()) {
            long committed = System.nanoTime();
            write(roan);
            assertThat(cache.count()).as("flush waits for the re-purge").isEqualTo(2);
            PurgeServer.Request first = cache.take();
            PurgeServer.Request second = cache.take();
            assertThat(second.path()).isEqualTo(first.path()).isEqualTo("/posts");
            assertThat(second.arrivedNanos() - first.arrivedNanos()).as("nanos between purge and re-purge")
                    .isGreaterThanOrEqualTo(delay.toNanos());
            assertThat(first.arrivedNanos()).isGreaterThan(committed);
            assertThat(roan.flush(Duration.ofSeconds(1))).isTrue();
            assertThat(cache.count()).as("a re-purge is not re-purged").isEqualTo(2);
        }
    }

    @Test
    void aCommitDuringTheDelayReplacesThePendingRepurge() throws Exception {
        try (Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).repurgeAfter(Duration.ofMillis(400)).build()) {
            roan.purge("/posts").onWrite(POST);
            DSLContext dsl = DSL.using(roan.attach(db.configuration()));
            dsl.insertInto(POST).set(POST.SLUG, "a").set(POST.TITLE, "a").execute();
            assertThat(cache.take().path()).isEqualTo("/posts");
            dsl.insertInto(POST).set(POST.SLUG, "b").set(POST.TITLE, "b").execute();
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.count()).as("purge, purge for the second commit, then one re-purge").isEqualTo(3);
        }
    }

    @Test
    void withoutRepurgeAfterOneCommitIsOnePurge() throws Exception {
        try (Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).build()) {
            write(roan);
            assertThat(roan.flush(Duration.ofMillis(500))).isTrue();
        }
        assertThat(cache.count()).isOne();
    }

    @Test
    void repurgeAfterMustBePositive() {
        assertThatThrownBy(() -> Roan.builder().repurgeAfter(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repurgeAfter");
        assertThatThrownBy(() -> Roan.builder().repurgeAfter(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
