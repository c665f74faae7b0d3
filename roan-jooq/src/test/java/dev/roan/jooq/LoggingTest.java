package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.roan.testkit.PurgeServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import dev.roan.testkit.PurgeServer.Answer;
import io.github.resilience4j.retry.RetryConfig;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What Roan logs through {@code System.Logger}, captured from its default backend, java.util.logging:
 * one warning when a node starts failing, one line when it recovers, a debug line per purge, and never
 * a stack trace per write.
 */
class LoggingTest {

    private static final Duration WAIT = Waits.DELIVERY;
    private static final RetryConfig TWO_ATTEMPTS = RetryConfig.custom()
            .maxAttempts(2)
            .waitDuration(Duration.ofMillis(20))
            .build();
    private static final List<String> PATHS = List.of("/p1", "/p2", "/p3", "/p4", "/p5");

    private LogCapture log;

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private TestDb db;
    private PurgeServer cache;
    private Roan roan;
    private final AtomicInteger posts = new AtomicInteger();
    /** The dispatcher's clock where a test waits for a probe: advanced instead of sleeping through the backoff. */
    private final FakeClock clock = new FakeClock();

    @BeforeEach
    void setUp() throws Exception {
        log = new LogCapture();
        db = fixture.db();
        cache = fixture.cache();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (roan != null) {
                roan.close();
            }
        } finally {
            log.close();
        }
    }

    private DSLContext roanOn(String purgeUrl) {
        return roanOn(purgeUrl, Roan.DEFAULT_REQUEST_TIMEOUT);
    }

    private DSLContext roanOn(String purgeUrl, Duration requestTimeout) {
        return rulesOn(builder(purgeUrl, requestTimeout).build());
    }

    /** As {@link #roanOn(String)}, its probes due when the test moves {@link #clock}. */
    private DSLContext roanOnTheClock(String purgeUrl) {
        return rulesOn(clock.build(builder(purgeUrl, Roan.DEFAULT_REQUEST_TIMEOUT)));
    }

    private static Roan.Builder builder(String purgeUrl, Duration requestTimeout) {
        return Roan.builder().purgeUrl(purgeUrl).retryConfig(TWO_ATTEMPTS).requestTimeout(requestTimeout)
                .closeTimeout(Duration.ofMillis(200));
    }

    private DSLContext rulesOn(Roan roan) {
        this.roan = roan;
        for (String path : PATHS) {
            roan.purge(path).onWrite(POST);
        }
        return DSL.using(roan.attach(db.configuration()));
    }

    /** One write owing a purge of each of {@link #PATHS}, delivered. */
    private void writeAndFlush(DSLContext dsl) {
        write(dsl);
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
    }

    private void write(DSLContext dsl) {
        int n = posts.incrementAndGet();
        dsl.insertInto(POST).set(POST.SLUG, "post-" + n).set(POST.TITLE, "Post " + n).execute();
    }

    /** Writes, then waits (up to {@link #WAIT}) until the node is down: its purges fail and stay owed. */
    private void writeUntilDown(DSLContext dsl) {
        write(dsl);
        long deadline = System.nanoTime() + WAIT.toNanos();
        // The dispatcher logs once it has released its lock, a moment after the node is down: wait for both.
        while (!roan.cacheNodes().get(0).isDown()
                || about(roan.cacheNodes().get(0).purgeUrl(), Level.WARNING).isEmpty()) {
            assertThat(System.nanoTime() - deadline).as("waiting for the node to go down and its warning").isNegative();
            // Parked, not spinning: on two busy cores a spin takes the time the delivery threads need.
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Records of one node (other tests' Roans may still be winding down in this JVM). */
    private List<LogRecord> about(String purgeUrl, Level level) {
        return log.records().stream()
                .filter(r -> r.getLevel().equals(level) && r.getMessage() != null && r.getMessage().contains(purgeUrl))
                .toList();
    }

    private static List<String> messages(List<LogRecord> list) {
        return list.stream().map(LogRecord::getMessage).toList();
    }

    @Test
    void everyClassLogsUnderTheNameTheReadmeDocuments() {
        // The README tells users to configure "dev.roan.jooq.Roan"; the facade may move, the name may not.
        assertThat(Log.NAME).as("Roan's logger name").isEqualTo("dev.roan.jooq.Roan").isEqualTo(Roan.class.getName());
        assertThat(Log.LOGGER.getName()).isEqualTo(Log.NAME);
    }

    @Test
    void failingNodeWarnsOnceAndRecoveryIsLoggedOnce() {
        String url = cache.purgeUrl();
        cache.respond(path -> Answer.status(500));
        DSLContext dsl = roanOnTheClock(url);

        writeUntilDown(dsl);
        write(dsl);
        assertThat(roan.flush(Duration.ofMillis(100))).as("flush while down").isFalse();

        List<LogRecord> warnings = about(url, Level.WARNING);
        assertThat(messages(warnings)).as("warnings for 5 failed purges, owed by 2 writes").hasSize(1);
        assertThat(warnings.get(0).getMessage()).as("the warning")
                .contains("Cache node " + url + " is down", "HTTP 500 on every attempt", "Logged once until it recovers");
        assertThat(messages(about(url, Level.FINE))).as("each failure, at DEBUG")
                .filteredOn(m -> m.contains("failed after")).hasSizeGreaterThanOrEqualTo(5);
        assertThat(messages(about(url, Level.INFO))).as("no recovery yet").isEmpty();

        cache.respond(path -> Answer.status(200));
        // Past the longest wait for the probe: it goes out now instead of after up to a second of real time.
        clock.advance(Roan.DEFAULT_MAX_RETRY_INTERVAL);
        assertThat(roan.flush(WAIT)).as("flush once the node answers").isTrue();
        writeAndFlush(dsl);

        assertThat(messages(about(url, Level.INFO))).as("recovery lines")
                .singleElement(STRING)
                .contains("Cache node " + url + " recovered after", "the 5 purge(s) it owes");
        assertThat(about(url, Level.WARNING)).as("warnings in all").hasSize(1);
        assertThat(log.records()).as("records").allSatisfy(r -> assertThat(r.getThrown())
                .as("thrown of \"%s\"", r.getMessage()).isNull());
    }

    @Test
    void debugLinesShowEachPurgeWithPathAndStatus() {
        String url = cache.purgeUrl();
        cache.respond(path -> Answer.status(path.equals("/p5") ? 404 : 200));
        DSLContext dsl = roanOn(url);

        long start = System.nanoTime();
        writeAndFlush(dsl);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        List<String> debug = messages(about(url, Level.FINE));
        for (String path : List.of("/p1", "/p2", "/p3", "/p4")) {
            assertThat(debug).as("debug line of %s", path)
                    .anySatisfy(m -> assertThat(m).contains("Purged " + path + " on " + url + " (GET, HTTP 200)"));
        }
        assertThat(debug).as("debug lines of purges").filteredOn(m -> m.startsWith("Purged ")).hasSize(5)
                .allSatisfy(m -> assertThat(Long.parseLong(m.replaceAll(".* in (\\d+) ms$", "$1")))
                        .as("the milliseconds of \"%s\"", m).isBetween(0L, tookMillis));
        assertThat(debug).as("debug line of /p5")
                .anySatisfy(m -> assertThat(m).contains("Purged /p5 on " + url + " (GET, HTTP 404, was not cached)"));
        assertThat(about(url, Level.WARNING)).as("warnings").isEmpty();
        assertThat(about(url, Level.INFO)).as("info").isEmpty();
    }

    @Test
    void unreachableNodeWarnsOnceWithoutStackTrace() throws Exception {
        String url = deadPurgeUrl();
        DSLContext dsl = roanOn(url);

        writeUntilDown(dsl);
        write(dsl);
        write(dsl);

        List<LogRecord> warnings = about(url, Level.WARNING);
        assertThat(messages(warnings)).as("warnings for 5 failed purges, owed by 3 writes").hasSize(1);
        assertThat(warnings.get(0).getMessage()).as("the warning")
                .contains("Cache node " + url + " is down", "ConnectException", "check that the cache runs");
        assertThat(messages(about(url, Level.FINE))).as("retries, at DEBUG")
                .anySatisfy(m -> assertThat(m).contains("Retrying purge on " + url));
        assertThat(log.records()).as("records with a stack trace").allSatisfy(r -> assertThat(r.getThrown())
                .as("thrown of \"%s\"", r.getMessage()).isNull());
    }

    @Test
    void timedOutPurgesWarnOnceWithoutStackTrace() {
        String url = cache.purgeUrl();
        cache.respond(path -> new Answer(200, Duration.ofMillis(500)));
        DSLContext dsl = roanOn(url, Duration.ofMillis(100));

        writeUntilDown(dsl);

        List<LogRecord> warnings = about(url, Level.WARNING);
        assertThat(messages(warnings)).as("warnings for 5 timed out purges").hasSize(1);
        assertThat(warnings.get(0).getMessage()).as("the warning").contains("Cache node " + url, "HttpTimeoutException");
        assertThat(log.records()).as("records").allSatisfy(r -> assertThat(r.getThrown())
                .as("thrown of \"%s\"", r.getMessage()).isNull());
    }

    private static String deadPurgeUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/purge";
        }
    }
}
