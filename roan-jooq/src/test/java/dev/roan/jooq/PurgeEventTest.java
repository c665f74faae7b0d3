package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** A purge event is a value: listeners and their tests compare events by what they say. */
class PurgeEventTest {

    private static PurgeEvent event(String node, String path, PurgeEvent.Outcome outcome, Integer status,
            long millis, int attempt, String reason) {
        return new PurgeEvent(node, path, outcome, status, Duration.ofMillis(millis), attempt, reason);
    }

    private static final PurgeEvent EVENT = event("http://cache/purge", "/a", PurgeEvent.Outcome.RETRIED, 503, 12, 2,
            "HTTP 503");

    @Test
    void eventsSayingTheSameAreEqualWithOneHashCode() {
        PurgeEvent same = event("http://cache/purge", "/a", PurgeEvent.Outcome.RETRIED, 503, 12, 2, "HTTP 503");

        assertThat(same).isEqualTo(EVENT).hasSameHashCodeAs(EVENT);
        assertThat(EVENT).isEqualTo(EVENT).isNotEqualTo("PurgeEvent").isNotEqualTo(null);
        assertThat(event("n", "/a", PurgeEvent.Outcome.DELIVERED, null, 1, 1, null))
                .isEqualTo(event("n", "/a", PurgeEvent.Outcome.DELIVERED, null, 1, 1, null));
    }

    @Test
    void eventsDifferingInAnyPartAreNotEqual() {
        assertThat(EVENT)
                .isNotEqualTo(event("http://other/purge", "/a", PurgeEvent.Outcome.RETRIED, 503, 12, 2, "HTTP 503"))
                .isNotEqualTo(event("http://cache/purge", "/b", PurgeEvent.Outcome.RETRIED, 503, 12, 2, "HTTP 503"))
                .isNotEqualTo(event("http://cache/purge", "/a", PurgeEvent.Outcome.FAILED, 503, 12, 2, "HTTP 503"))
                .isNotEqualTo(event("http://cache/purge", "/a", PurgeEvent.Outcome.RETRIED, 502, 12, 2, "HTTP 503"))
                .isNotEqualTo(event("http://cache/purge", "/a", PurgeEvent.Outcome.RETRIED, null, 12, 2, "HTTP 503"))
                .isNotEqualTo(event("http://cache/purge", "/a", PurgeEvent.Outcome.RETRIED, 503, 13, 2, "HTTP 503"))
                .isNotEqualTo(event("http://cache/purge", "/a", PurgeEvent.Outcome.RETRIED, 503, 12, 3, "HTTP 503"))
                .isNotEqualTo(event("http://cache/purge", "/a", PurgeEvent.Outcome.RETRIED, 503, 12, 2, "HTTP 502"))
                .isNotEqualTo(event("http://cache/purge", "/a", PurgeEvent.Outcome.RETRIED, 503, 12, 2, null));
        assertThat(EVENT.hashCode()).isNotEqualTo(
                event("http://cache/purge", "/b", PurgeEvent.Outcome.RETRIED, 503, 12, 2, "HTTP 503").hashCode());
    }

    @Test
    void itsTextSaysWhatHappenedWithoutTheStatusOrReasonItLacks() {
        assertThat(EVENT).hasToString(
                "PurgeEvent[RETRIED /a on http://cache/purge, HTTP 503, attempt 2, 12 ms since the commit, HTTP 503]");
        assertThat(event("n", "/a", PurgeEvent.Outcome.DELIVERED, null, 1, 1, null))
                .hasToString("PurgeEvent[DELIVERED /a on n, attempt 1, 1 ms since the commit]");
    }
}
