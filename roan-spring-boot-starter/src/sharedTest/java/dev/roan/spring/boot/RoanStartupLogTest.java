package dev.roan.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.logging.Level;

import dev.roan.jooq.Roan;
import dev.roan.testkit.PurgeServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The starter's one INFO line at startup: its effective configuration, never a secret. */
class RoanStartupLogTest {

    @AutoClose
    private final PurgeServer cache = new PurgeServer();

    private List<String> startupLines(String... properties) {
        try (LogRecords log = LogRecords.of(RoanStartupLog.class)) {
            BootFixture.runner(cache).withPropertyValues(properties)
                    .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Roan.class));
            return log.messages(Level.INFO);
        }
    }

    @Test
    void logsTheEffectiveConfigurationOnceWithHeaderNamesOnly() {
        List<String> lines = startupLines("roan.headers.X-Purge-Token=t0ken-value", "roan.purge-method=PURGE",
                "roan.request-timeout=3s", "roan.retry.max-attempts=4", "roan.read-your-writes.enabled=true");

        assertThat(lines).as("one line at startup").hasSize(1);
        assertThat(lines.get(0))
                .startsWith("Roan purges at " + cache.purgeUrl() + " with PURGE")
                .contains("headers [X-Purge-Token] (values hidden)", "retry 4 attempts from 200ms",
                        "until delivered", "timeouts connect 2s, request 3s, close 5s",
                        "durable mode off (up to " + Roan.DEFAULT_MAX_OWED_PATHS + " owed paths in memory)",
                        "tracking off", "read-your-writes on (2s)")
                .doesNotContain("t0ken-value");
    }

    @Test
    void logsDurableModeAndTracking() {
        List<String> lines = startupLines("roan.outbox.enabled=true", "roan.track.enabled=true",
                "roan.give-up-after=1h");

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("durable mode on (table " + Roan.DEFAULT_OUTBOX_TABLE + ")", "tracking on",
                "given up after 1h", "read-your-writes off");
    }

    @Test
    void aPurgeUrlWithCredentialsFailsStartupWithoutShowingThem() {
        // Roan refuses user-info in a purge URL, so no startup line can show it; the failure does not either.
        try (LogRecords log = LogRecords.of(RoanStartupLog.class)) {
            String withPassword = cache.purgeUrl().replace("http://", "http://admin:s3cret@");
            BootFixture.runner(cache).withPropertyValues("roan.purge-url=" + withPassword).run(context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).rootCause().message().doesNotContain("s3cret");
            });
            assertThat(log.all).isEmpty();
        }
    }
}
