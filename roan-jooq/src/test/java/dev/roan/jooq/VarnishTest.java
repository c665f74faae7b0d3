package dev.roan.jooq;

import static dev.roan.jooq.NginxTest.assertCached;
import static dev.roan.jooq.NginxTest.assertPurged;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.logging.Level;

import dev.roan.testkit.Upstream;
import dev.roan.testkit.Varnish;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real Varnish, started by the test on a free port, caching a real application: {@code PURGE {base}{path}} from
 * Roan ({@code purgeMethod("PURGE")}) drops the object, so the next read is a miss with the new data. Skipped
 * without varnishd, except under {@code CI=true}.
 */
class VarnishTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private LogCapture log;
    private TestDb db;
    private Upstream app;
    private Varnish varnish;
    private Roan roan;

    @BeforeEach
    void setUp() {
        log = new LogCapture();
        db = new TestDb();
        db.onSeparateConnection(c -> c.insertInto(POST).set(POST.ID, 1L).set(POST.SLUG, "one").set(POST.TITLE, "First")
                .execute());
        app = Upstream.start(path -> path + ": " + NginxTest.titles(db));
        varnish = Varnish.start(app.address());
        roan = Roan.builder().purgeUrl(varnish.purgeUrl()).purgeMethod("PURGE").closeTimeout(Duration.ofMillis(200))
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            roan.close();
            varnish.close();
            app.close();
            db.close();
        } finally {
            log.close();
        }
    }

    private void rename(String title) {
        DSLContext dsl = DSL.using(roan.attach(db.configuration()));
        dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, title).where(POST.ID.eq(1L)).execute());
    }

    @Test
    void purgeDropsTheCachedObject() {
        roan.purge("/posts").onWrite(POST);
        assertCached(varnish.baseUrl(), "/posts", null, "First");

        rename("Second");
        assertThat(roan.flush(WAIT)).as("flush").isTrue();

        assertPurged(varnish.baseUrl(), "/posts", null, "Second");
        assertThat(app.requests("/posts")).as("reads that reached the application").isEqualTo(2);
        assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
    }

    @Test
    void pathsWithASpaceAndNonAsciiArePurged() {
        roan.purge("/tags/a b").onWrite(POST);
        roan.purge("/tags/café").onWrite(POST);
        assertCached(varnish.baseUrl(), "/tags/a%20b", null, "/tags/a b: First");
        assertCached(varnish.baseUrl(), "/tags/caf%C3%A9", null, "/tags/café: First");

        rename("Second");
        assertThat(roan.flush(WAIT)).as("flush").isTrue();

        assertPurged(varnish.baseUrl(), "/tags/a%20b", null, "/tags/a b: Second");
        assertPurged(varnish.baseUrl(), "/tags/caf%C3%A9", null, "/tags/café: Second");
        assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
    }
}
