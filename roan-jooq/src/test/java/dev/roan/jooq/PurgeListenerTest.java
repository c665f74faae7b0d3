package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import dev.roan.testkit.PurgeServer.Answer;
import io.github.resilience4j.retry.RetryConfig;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a {@link PurgeListener} is told, and that it cannot hurt delivery. */
class PurgeListenerTest {

    private static final RetryConfig THREE_FAST = RetryConfig.custom().maxAttempts(3)
            .waitDuration(Duration.ofMillis(10)).build();

    /** Records every event, and each as a short line. */
    private static final class Recording implements PurgeListener {
        final List<PurgeEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onPurge(PurgeEvent event) {
            events.add(event);
        }

        List<String> lines() {
            return events.stream().map(e -> e.outcome() + " " + e.path() + " #" + e.attempt()
                    + (e.status().isPresent() ? " " + e.status().getAsInt() : "")).toList();
        }
    }

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private TestDb db;
    private PurgeServer cache;
    private final Recording recording = new Recording();
    /** The dispatcher's clock where a test waits for probes: advanced instead of sleeping through the backoff. */
    private final FakeClock clock = new FakeClock();

    @BeforeEach
    void setUp() throws Exception {
        db = fixture.db();
        cache = fixture.cache();
    }

    private Roan roan(PurgeListener... listeners) {
        return withPostsRule(builder(listeners).build());
    }

    /** As {@link #roan}, its probes due when the test moves {@link #clock}. */
    private Roan roanOnTheClock(PurgeListener... listeners) {
        return withPostsRule(clock.build(builder(listeners)));
    }

    private Roan.Builder builder(PurgeListener... listeners) {
        Roan.Builder builder = Roan.builder().purgeUrl(cache.purgeUrl()).retryConfig(THREE_FAST);
        for (PurgeListener l : listeners) {
            builder.listener(l);
        }
        return builder;
    }

    private static Roan withPostsRule(Roan roan) {
        roan.purge("/posts").onWrite(POST);
        return roan;
    }

    /** Once the node is down, moves the clock past the longest wait for its probe: the probe goes out now. */
    private void probe(Roan roan) throws InterruptedException {
        long deadline = System.nanoTime() + Waits.DELIVERY.toNanos();
        while (!roan.cacheNodes().get(0).isDown()) {
            assertThat(System.nanoTime() - deadline).as("waiting for the node to go down").isNegative();
            Thread.sleep(5);
        }
        clock.advance(Roan.DEFAULT_MAX_RETRY_INTERVAL);
    }

    private static void write(Roan roan, DSLContext dsl, String slug) {
        dsl.insertInto(POST).set(POST.SLUG, slug).set(POST.TITLE, slug).execute();
    }

    @Test
    void deliveredPurgesAreReportedWithNodeStatusAttemptAndTimeSinceTheCommit() throws Exception {
        cache.respond(path -> new Answer(200, Duration.ofMillis(200)));
        try (Roan roan = roan(recording)) {
            write(roan, DSL.using(roan.attach(db.configuration())), "a");
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        }
        PurgeEvent event = recording.events.get(0);
        assertThat(recording.events).as("events").hasSize(1);
        assertThat(event.outcome()).as("outcome").isEqualTo(PurgeEvent.Outcome.DELIVERED);
        assertThat(event.node()).as("node").isEqualTo(cache.purgeUrl());
        assertThat(event.path()).as("path").isEqualTo("/posts");
        assertThat(event.status()).as("status").hasValue(200);
        assertThat(event.attempt()).as("attempt").isOne();
        assertThat(event.reason()).as("reason").isEmpty();
        assertThat(event.latency()).as("from the commit to the answer")
                .isGreaterThanOrEqualTo(Duration.ofMillis(200)).isLessThan(Duration.ofSeconds(10));
        assertThat(event.toString()).as("toString").contains("DELIVERED", "/posts", cache.purgeUrl(), "HTTP 200");
    }

    /** Waits (briefly, in real time) until the recording holds a line, for purges Roan keeps owed. */
    private void awaitLine(String line) throws InterruptedException {
        long deadline = System.nanoTime() + Waits.DELIVERY.toNanos();
        while (!recording.lines().contains(line)) {
            assertThat(System.nanoTime() - deadline).as("waiting for %s in %s", line, recording.lines()).isNegative();
            Thread.sleep(5);
        }
    }

    @Test
    void retriesAndFailuresAreReportedWithTheFailedAttemptAndItsStatusAndTheFailedPurgeIsSentAgain()
            throws Exception {
        AtomicInteger calls = new AtomicInteger();
        cache.respond(path -> Answer.status(calls.incrementAndGet() <= 2 ? 503 : 200));
        try (Roan roan = roanOnTheClock(recording)) {
            DSLContext dsl = DSL.using(roan.attach(db.configuration()));
            write(roan, dsl, "a");
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(recording.lines()).as("503, 503, 200")
                    .containsExactly("RETRIED /posts #1 503", "RETRIED /posts #2 503", "DELIVERED /posts #3 200");
            assertThat(recording.events.get(0).reason()).as("reason of a retry").hasValue("HTTP 503");

            recording.events.clear();
            cache.respond(path -> Answer.status(500));
            write(roan, dsl, "b");
            awaitLine("FAILED /posts #3 500");
            cache.respond(path -> Answer.status(200));
            probe(roan);
            assertThat(roan.flush(Waits.DELIVERY)).as("flush, once the node answers").isTrue();
            assertThat(recording.lines()).as("500 on every attempt, then the probe delivered")
                    .containsExactly("RETRIED /posts #1 500", "RETRIED /posts #2 500", "FAILED /posts #3 500",
                            "DELIVERED /posts #1 200");
            assertThat(recording.events.get(2).reason()).as("reason of the failure").get().asString()
                    .contains("HTTP 500 on every attempt");

            recording.events.clear();
            cache.respond(path -> Answer.status(405));
            write(roan, dsl, "c");
            awaitLine("FAILED /posts #1 405");
            cache.respond(path -> Answer.status(200));
            probe(roan);
            assertThat(roan.flush(Waits.DELIVERY)).as("flush, once the node is fixed").isTrue();
            assertThat(recording.lines()).as("405, not retried at once, sent again by the probe")
                    .containsExactly("FAILED /posts #1 405", "DELIVERED /posts #1 200");
            assertThat(recording.events.get(0).reason()).get().asString().contains("HTTP 405");
        }
    }

    @Test
    void failuresWithoutAnAnswerHaveNoStatus() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (Roan roan = Roan.builder().purgeUrl("http://127.0.0.1:" + port + "/purge").retryConfig(THREE_FAST)
                .closeTimeout(Duration.ZERO).listener(recording).build()) {
            roan.purge("/posts").onWrite(POST);
            write(roan, DSL.using(roan.attach(db.configuration())), "a");
            awaitLine("FAILED /posts #3");
            assertThat(roan.flush(Duration.ZERO)).as("flush: still owed").isFalse();
        }
        assertThat(recording.lines().subList(0, 3)).as("connection refused three times")
                .containsExactly("RETRIED /posts #1", "RETRIED /posts #2", "FAILED /posts #3");
        // (close() probes the node once more as it shuts down; that probe's event may follow.)
        assertThat(List.copyOf(recording.events).subList(0, 3)).allSatisfy(e -> assertThat(e.reason()).get().asString()
                .startsWith("ConnectException"));
    }

    @Test
    void aThrowingListenerHurtsNeitherDeliveryNorOtherListeners() throws Exception {
        PurgeListener throwing = event -> {
            throw new IllegalStateException("listener bug");
        };
        try (LogCapture log = new LogCapture(); Roan roan = roan(throwing, recording)) {
            DSLContext dsl = DSL.using(roan.attach(db.configuration()));
            write(roan, dsl, "a");
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            write(roan, dsl, "b");
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.count()).isEqualTo(2);
            assertThat(recording.lines()).containsExactly("DELIVERED /posts #1 200", "DELIVERED /posts #1 200");
            assertThat(log.messages(Level.WARNING)).filteredOn(m -> m.contains("listener")).hasSize(1);
        }
    }

    @Test
    void pendingPurgesCountsWhatIsNotDeliveredYet() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        cache.respond(path -> {
            try {
                release.await(Waits.DELIVERY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.status(200);
        });
        try (Roan roan = roan()) {
            assertThat(roan.pendingPurges()).isZero();
            write(roan, DSL.using(roan.attach(db.configuration())), "a");
            assertThat(roan.pendingPurges()).as("while the cache has not answered").isOne();
            release.countDown();
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(roan.pendingPurges()).isZero();
        }
    }

    @Test
    void nullListenerIsRejected() {
        assertThatThrownBy(() -> Roan.builder().listener(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listener");
    }
}
