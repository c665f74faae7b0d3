package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.logging.Level;

import dev.roan.testkit.PurgeServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A closed Roan purges nothing more, says so once, and its description says it is closed. */
class ClosedRoanTest {

    private final PurgeServer cache = new PurgeServer();

    @AfterEach
    void close() {
        cache.close();
    }

    @Test
    void purgeAfterCommitOnAClosedRoanPurgesNothingAndIsWarnedOfOnce() {
        Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).closeTimeout(Duration.ofMillis(200)).build();
        assertThat(roan.toString()).doesNotContain("closed");
        roan.close();
        try (LogCapture log = new LogCapture()) {
            roan.purgeAfterCommit("/a");
            roan.purgeAfterCommit("/b");

            assertThat(log.messages(Level.WARNING)).singleElement().asString()
                    .contains("Roan is closed: purgeAfterCommit[/a] purges nothing");
        }
        assertThat(cache.count()).isZero();
        assertThat(roan.toString()).endsWith(", closed]");
    }

    @Test
    void theDescriptionNamesTheRepurgeDelayOnlyWhenSet() {
        try (Roan plain = Roan.builder().purgeUrl(cache.purgeUrl()).build();
                Roan repurging = Roan.builder().purgeUrl(cache.purgeUrl()).repurgeAfter(Duration.ofSeconds(2)).build()) {
            assertThat(plain.toString()).doesNotContain("repurgeAfter");
            assertThat(repurging.toString()).contains("repurgeAfter=PT2S");
        }
    }
}
