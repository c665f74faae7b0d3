package dev.roan.example.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.roan.jooq.CacheNodeStatus;
import dev.roan.jooq.Roan;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * What the blog prints once it is ready, as the plain example's {@code BlogApp} does: where it listens, its
 * database, where purges go, and whether a cache takes them there. To find out, it sends one purge of {@code /} through
 * Roan (the front page's cached copy is of an earlier run anyway, whose in-memory database is gone) and waits for it
 * a moment: Roan's own delivery, so "a cache took it" means purges work, not only that a port is open.
 */
@Component
class StartupReport {

    /** How long startup waits for the check purge: a refused connection fails at once, a slow cache is reported. */
    static final Duration CHECK_WAIT = Duration.ofSeconds(1);

    private final Roan roan;
    private final Environment environment;
    private final ObjectProvider<Flyway> flyway;
    private volatile List<String> lines = List.of();

    StartupReport(Roan roan, Environment environment, ObjectProvider<Flyway> flyway) {
        this.roan = roan;
        this.environment = environment;
        this.flyway = flyway;
    }

    @EventListener(ApplicationReadyEvent.class)
    void ready() {
        lines = report();
        lines.forEach(System.out::println);
        System.out.flush();
    }

    /** The lines printed at startup; for tests. */
    List<String> lines() {
        return lines;
    }

    private List<String> report() {
        List<String> report = new ArrayList<>();
        report.add("Blog listening on http://" + environment.getProperty("server.address", "localhost") + ":"
                + environment.getProperty("local.server.port", environment.getProperty("server.port", "8080")) + "/");
        report.add("Database " + database() + schemaVersion());
        List<String> nodes = roan.cacheNodes().stream().map(CacheNodeStatus::purgeUrl).toList();
        for (String node : nodes) {
            report.add("Purges go to " + node + " (path appended, e.g. GET " + node + "/posts)");
        }
        roan.purgeAfterCommit("/");
        boolean delivered = roan.flush(CHECK_WAIT);
        for (CacheNodeStatus node : roan.cacheNodes()) {
            String failure = node.lastFailure();
            // A node that owes nothing took it. Roan retries a failed purge a few times before it records a failure:
            // within the wait, none may show yet.
            if (delivered || node.owedPurges() == 0) {
                report.add("A cache took the startup purge of / at " + node.purgeUrl());
            } else {
                report.add("No cache took the startup purge of / at " + node.purgeUrl()
                        + " within " + CHECK_WAIT.toMillis() + " ms" + (failure == null ? "" : " (" + failure + ")")
                        + ": Roan retries it, and the purges of writes, until one does (writes are not affected)."
                        + " Start example/nginx as example-spring/README.md says.");
            }
        }
        report.add("Press Ctrl-C to stop.");
        return report;
    }

    /** The JDBC URL without user-info and without parameters ({@code ?...}, H2's {@code ;...}): they may hold a password. */
    private String database() {
        String url = environment.getProperty("spring.datasource.url", "(Boot's embedded database)");
        int parameters = url.indexOf('?');
        int settings = url.indexOf(';');
        int end = parameters < 0 ? settings : settings < 0 ? parameters : Math.min(parameters, settings);
        return Roan.maskUrl(end < 0 ? url : url.substring(0, end));
    }

    private String schemaVersion() {
        Flyway migrations = flyway.getIfAvailable();
        MigrationInfo current = migrations == null ? null : migrations.info().current();
        return current == null || current.getVersion() == null ? "" : ", schema version " + current.getVersion()
                + " (Flyway)";
    }
}
