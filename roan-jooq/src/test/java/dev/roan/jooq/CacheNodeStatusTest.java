package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** A node's status is a value: health checks and their tests compare statuses by what they say. */
class CacheNodeStatusTest {

    private static final CacheNodeStatus DOWN = new CacheNodeStatus("http://cache/purge", 3, Duration.ofSeconds(5),
            true, "HTTP 503");

    @Test
    void statusesSayingTheSameAreEqualWithOneHashCode() {
        CacheNodeStatus same = new CacheNodeStatus("http://cache/purge", 3, Duration.ofSeconds(5), true, "HTTP 503");

        assertThat(same).isEqualTo(DOWN).hasSameHashCodeAs(DOWN);
        assertThat(DOWN).isNotEqualTo("CacheNodeStatus").isNotEqualTo(null);
    }

    @Test
    void statusesDifferingInAnyPartAreNotEqual() {
        assertThat(DOWN)
                .isNotEqualTo(new CacheNodeStatus("http://other/purge", 3, Duration.ofSeconds(5), true, "HTTP 503"))
                .isNotEqualTo(new CacheNodeStatus("http://cache/purge", 4, Duration.ofSeconds(5), true, "HTTP 503"))
                .isNotEqualTo(new CacheNodeStatus("http://cache/purge", 3, Duration.ofSeconds(6), true, "HTTP 503"))
                .isNotEqualTo(new CacheNodeStatus("http://cache/purge", 3, Duration.ofSeconds(5), false, "HTTP 503"))
                .isNotEqualTo(new CacheNodeStatus("http://cache/purge", 3, Duration.ofSeconds(5), true, null));
        assertThat(DOWN.hashCode()).isNotEqualTo(
                new CacheNodeStatus("http://cache/purge", 4, Duration.ofSeconds(5), true, "HTTP 503").hashCode());
    }

    @Test
    void itsTextSaysWhetherTheNodeIsDownAndWhy() {
        assertThat(DOWN).hasToString("CacheNodeStatus[purgeUrl=http://cache/purge, owedPurges=3, oldestOwed=PT5S,"
                + " down, lastFailure=HTTP 503]");
        assertThat(new CacheNodeStatus("http://cache/purge", 0, Duration.ZERO, false, null))
                .hasToString("CacheNodeStatus[purgeUrl=http://cache/purge, owedPurges=0, oldestOwed=PT0S]");
    }
}
