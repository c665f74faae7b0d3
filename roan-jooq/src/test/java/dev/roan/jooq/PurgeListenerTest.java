package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a {@link PurgeListener} is told, and that it cannot hurt delivery. */
class PurgeListenerTest {

    private static final RetryConfig THREE_FAST = RetryConfig.custom().maxAttempts(3)
            .waitDuration(Duration.ofMillis(10)).build();

    /** Records every call as a line. */
    private static final class Recording implements PurgeListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Duration> latencies = new CopyOnWriteArrayList<>();

        @Override
        public void purgeDelivered(String purgeUrl, String path, int status, Duration sinceRequested) {
            events.add("delivered " + path + " " + status);
            latencies.add(sinceRequested);
        }

        @Override
        public void purgeRetried(String purgeUrl, String path) {
            events.add("retried " + path);
        }

        @Override
        public void purgeFailed(String purgeUrl, String path, String reason) {
            events.add("failed " + path + " " + reason);
        }
    }

    private TestDb db;
    private PurgeServer cache;
    private final Recording recording = new Recording();

    @BeforeEach
    void setUp() throws Exception {
        db = new TestDb();
        cache = new PurgeServer();
    }

    @AfterEach
    void tearDown() throws Exception {
        cache.close();
        db.close();
    }

    private Roan roan(PurgeListener... listeners) {
        Roan.Builder builder = Roan.builder().purgeUrl(cache.purgeUrl()).retryConfig(THREE_FAST);
        for (PurgeListener l : listeners) {
            builder.listener(l);
        }
        Roan roan = builder.build();
        roan.purge("/posts").onWrite(POST);
        return roan;
    }

    private static void write(Roan roan, DSLContext dsl, String slug) {
        dsl.insertInto(POST).set(POST.SLUG, slug).set(POST.TITLE, slug).execute();
    }

    @Test
    void deliveredPurgesAreReportedWithStatusAndTimeSinceTheCommit() throws Exception {
        cache.respond(path -> new Answer(200, Duration.ofMillis(200)));
        try (Roan roan = roan(recording)) {
            write(roan, DSL.using(roan.attach(db.configuration())), "a");
            assertThat(roan.flush(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(recording.events).containsExactly("delivered /posts 200");
        assertThat(recording.latencies.get(0)).as("from the commit to the answer")
                .isGreaterThanOrEqualTo(Duration.ofMillis(200)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void retriesAndGivingUpAreReported() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        cache.respond(path -> Answer.status(calls.incrementAndGet() <= 2 ? 503 : 200));
        try (Roan roan = roan(recording)) {
            DSLContext dsl = DSL.using(roan.attach(db.configuration()));
            write(roan, dsl, "a");
            assertThat(roan.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(recording.events).containsExactly("retried /posts", "retried /posts", "delivered /posts 200");

            recording.events.clear();
            cache.respond(path -> Answer.status(500));
            write(roan, dsl, "b");
            assertThat(roan.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(recording.events).hasSize(3).startsWith("retried /posts", "retried /posts");
            assertThat(recording.events.get(2)).startsWith("failed /posts").contains("HTTP 500");

            recording.events.clear();
            cache.respond(path -> Answer.status(405));
            write(roan, dsl, "c");
            assertThat(roan.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(recording.events).singleElement().asString().startsWith("failed /posts").contains("HTTP 405");
        }
    }

    @Test
    void aThrowingListenerHurtsNeitherDeliveryNorOtherListeners() throws Exception {
        PurgeListener throwing = new PurgeListener() {
            @Override
            public void purgeDelivered(String purgeUrl, String path, int status, Duration sinceRequested) {
                throw new IllegalStateException("listener bug");
            }
        };
        try (LogCapture log = new LogCapture(); Roan roan = roan(throwing, recording)) {
            DSLContext dsl = DSL.using(roan.attach(db.configuration()));
            write(roan, dsl, "a");
            assertThat(roan.flush(Duration.ofSeconds(10))).isTrue();
            write(roan, dsl, "b");
            assertThat(roan.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(cache.count()).isEqualTo(2);
            assertThat(recording.events).containsExactly("delivered /posts 200", "delivered /posts 200");
            assertThat(log.messages(Level.WARNING)).filteredOn(m -> m.contains("listener")).hasSize(1);
        }
    }

    @Test
    void pendingPurgesCountsWhatIsNotDeliveredYet() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        cache.respond(path -> {
            try {
                release.await(10, TimeUnit.SECONDS);
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
            assertThat(roan.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(roan.pendingPurges()).isZero();
        }
    }

    @Test
    void nullListenerIsRejected() {
        assertThatThrownBy(() -> Roan.builder().listener(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listener");
    }
}
