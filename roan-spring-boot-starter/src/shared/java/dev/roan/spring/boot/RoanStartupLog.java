package dev.roan.spring.boot;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

import dev.roan.jooq.CacheNodeStatus;
import dev.roan.jooq.Roan;

/**
 * The one INFO line each starter logs when it has built the {@code Roan} bean: its effective configuration, so that a
 * user sees where purges go without reading the properties. Never a secret: purge URLs as {@link Roan#maskUrl} shows
 * them (user-info masked), header names without their values, CDN ids without their tokens.
 */
final class RoanStartupLog {

    private static final System.Logger LOG = System.getLogger(RoanStartupLog.class.getName());

    private RoanStartupLog() {
    }

    static void log(Roan roan, RoanProperties properties) {
        LOG.log(Level.INFO, () -> describe(roan, properties));
    }

    static String describe(Roan roan, RoanProperties properties) {
        StringBuilder line = new StringBuilder("Roan purges ");
        List<String> nodes = roan.cacheNodes().stream().map(CacheNodeStatus::purgeUrl).map(Roan::maskUrl).toList();
        line.append(nodes.isEmpty() ? "nowhere (no cache node)" : "at " + String.join(", ", nodes));
        line.append(" with ").append(properties.getPurgeMethod());
        if (!properties.getHeaders().isEmpty()) {
            // Names only: a header's value is a secret (an API key, a token).
            line.append(", headers ").append(properties.getHeaders().keySet().stream().map(Roan::maskUrl).toList())
                    .append(" (values hidden)");
        }
        RoanProperties.Retry retry = properties.getRetry();
        line.append("; retry ").append(retry.getMaxAttempts()).append(" attempts from ")
                .append(duration(retry.getInitialBackoff())).append(", then every ")
                .append(duration(properties.getMaxRetryInterval())).append(" at most until ")
                .append(properties.getGiveUpAfter() == null ? "delivered" : "given up after "
                        + duration(properties.getGiveUpAfter()));
        line.append("; timeouts connect ").append(duration(properties.getConnectTimeout())).append(", request ")
                .append(duration(properties.getRequestTimeout())).append(", close ")
                .append(duration(properties.getCloseTimeout()));
        RoanProperties.Outbox outbox = properties.getOutbox();
        line.append("; durable mode ").append(outbox.isEnabled() ? "on (table " + outbox.getTable() + ")"
                : "off (up to " + properties.getMaxOwedPaths() + " owed paths in memory)");
        line.append("; tracking ").append(!properties.getTrack().isEnabled() ? "off"
                : properties.getPageIndex().isEnabled() ? "on (page index in table " + properties.getPageIndex().getTable() + ")"
                : "on");
        line.append("; read-your-writes ").append(properties.getReadYourWrites().isEnabled()
                ? "on (" + duration(properties.getReadYourWrites().getTimeout()) + ")" : "off");
        return line.toString();
    }

    /** {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}: as the properties are written. */
    private static String duration(Duration duration) {
        if (duration.isZero() || duration.toNanos() % 1_000_000 != 0) {
            return duration.isZero() ? "0s" : duration.toString();
        }
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
