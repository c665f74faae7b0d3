package dev.roan.jooq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.LogRecord;

import dev.roan.testkit.RecordingApi;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Roan that purges through a CDN's API, against a local endpoint that follows it: the events it tells, its log, and
 * what a test of a CDN client asks of it (send and wait, the first failure's reason, everything it shows). Closed after
 * each test, with the endpoint. Register it with {@code @RegisterExtension}.
 */
final class CdnApiFixture implements AfterEachCallback {

    final List<PurgeEvent> events = new CopyOnWriteArrayList<>();
    private final RecordingApi api;
    private final LogCapture log = new LogCapture();
    private Roan roan;

    CdnApiFixture(RecordingApi api) {
        this.api = api;
    }

    /** Builds the Roan under test, telling {@link #events}. */
    Roan start(Roan.Builder builder) {
        return start(builder, null);
    }

    /** Builds the Roan under test on a fake clock (null for the real one), telling {@link #events}. */
    Roan start(Roan.Builder builder, FakeClock clock) {
        Roan.Builder b = builder.listener(events::add).closeTimeout(Duration.ofMillis(200));
        roan = clock == null ? b.build() : clock.build(b);
        return roan;
    }

    Roan roan() {
        return roan;
    }

    /** Hands targets to the dispatcher and waits for their delivery: whether every one was delivered. */
    boolean send(String... targets) {
        roan.delivery().dispatcher().submit(List.of(targets));
        return roan.flush(Waits.DELIVERY);
    }

    /**
     * Hands targets to the dispatcher and waits for the first failed purge (at most {@link Waits#DELIVERY}): whether
     * they were delivered all the same (a refusal keeps them owed).
     */
    boolean sendRefused(String... targets) {
        int failed = failures();
        roan.delivery().dispatcher().submit(List.of(targets));
        long deadline = System.nanoTime() + Waits.DELIVERY.toNanos();
        while (failures() == failed && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return roan.flush(Duration.ofMillis(20));
    }

    private int failures() {
        return (int) events.stream().filter(e -> e.outcome() == PurgeEvent.Outcome.FAILED).count();
    }

    /** The reason of the first failed purge. */
    String failure() {
        return events.stream().filter(e -> e.outcome() == PurgeEvent.Outcome.FAILED).findFirst()
                .flatMap(PurgeEvent::reason).orElseThrow();
    }

    /** Everything Roan shows a user: events, log lines, its own and its nodes' and its backlog's strings. */
    List<String> shown() {
        List<String> shown = new ArrayList<>();
        events.forEach(e -> shown.add(e.toString()));
        log.records().stream().map(LogRecord::getMessage).forEach(shown::add);
        shown.add(roan.toString());
        shown.add(roan.cacheNodes().toString());
        shown.add(roan.delivery().dispatcher().pending().toString());
        return shown;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (roan != null) {
                roan.close();
            }
            api.close();
        } finally {
            log.close();
        }
    }
}
