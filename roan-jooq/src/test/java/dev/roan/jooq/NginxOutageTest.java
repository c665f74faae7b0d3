package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.roan.testkit.Nginx;
import dev.roan.testkit.RawHttp;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The headline, for real and with default settings: nginx caches every page, then is stopped for 30 s while
 * writes commit, then started again with its cache on disk, serving the old pages as HITs. Roan, still owing their
 * purges, probes until nginx answers and purges them: every page is fresh soon after (at most the longest wait
 * between probes, 30 s by default, plus the time to deliver). About 60 s of real time.
 */
class NginxOutageTest {

    private static final int PAGES = 10;
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    /** The default maxRetryInterval, plus time to deliver. */
    private static final Duration FRESH_WITHIN = Roan.DEFAULT_MAX_RETRY_INTERVAL.plusSeconds(10);

    @RegisterExtension
    final SiteFixture site = new SiteFixture();
    private TestDb db;
    private Nginx nginx;

    @BeforeEach
    void setUp() {
        db = site.db();
        db.onSeparateConnection(d -> {
            for (int i = 0; i < PAGES; i++) {
                d.insertInto(POST).set(POST.SLUG, "p" + i).set(POST.TITLE, "v0").execute();
            }
            return null;
        });
        site.app(this::render);
        nginx = site.nginx();
    }

    private String render(String path) {
        String slug = path.substring("/posts/".length());
        return db.onSeparateConnection(d -> d.select(POST.TITLE).from(POST).where(POST.SLUG.eq(slug))
                .fetchOne(POST.TITLE));
    }

    @Test
    void pagesWrittenWhileNginxWasDownAreFreshSoonAfterItIsBack() throws Exception {
        try (Roan roan = Roan.builder().purgeUrl(nginx.purgeUrl()).build()) {
            roan.purge("/posts/{slug}").onWrite(POST);
            DSLContext dsl = DSL.using(roan.attach(db.configuration()));
            for (int i = 0; i < PAGES; i++) {
                assertThat(RawHttp.get(nginx.baseUrl(), "/posts/p" + i).body()).isEqualTo("v0");
            }

            nginx.stopKeepingCache();
            long outageEnd = System.nanoTime() + OUTAGE.toNanos();
            // Writes spread over the outage, each page written once.
            for (int i = 0; i < PAGES; i++) {
                long id = i;
                dsl.transaction(c -> DSL.using(c).update(POST).set(POST.TITLE, "v1").where(POST.SLUG.eq("p" + id))
                        .execute());
                Thread.sleep(OUTAGE.toMillis() / PAGES);
            }
            Thread.sleep(Math.max(0, (outageEnd - System.nanoTime()) / 1_000_000));
            nginx.startAgain();
            long back = System.nanoTime();
            RawHttp.Response first = RawHttp.get(nginx.baseUrl(), "/posts/p0");
            if (first.body().equals("v0")) {
                assertThat(first.header("X-Cache-Status")).as("the old page survived the restart").isEqualTo("HIT");
            }

            Map<String, String> stale = stalePages();
            while (!stale.isEmpty() && System.nanoTime() - back < FRESH_WITHIN.toNanos()) {
                Thread.sleep(250);
                stale = stalePages();
            }

            assertThat(stale).as("pages still stale %s s after nginx came back", FRESH_WITHIN.toSeconds()).isEmpty();
            assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(roan.droppedPurges()).isZero();
        }
    }

    /** Page to what nginx serves for it, for the pages not showing the last write. */
    private Map<String, String> stalePages() {
        Map<String, String> stale = new LinkedHashMap<>();
        for (int i = 0; i < PAGES; i++) {
            String body = RawHttp.get(nginx.baseUrl(), "/posts/p" + i).body();
            if (!body.equals("v1")) {
                stale.put("/posts/p" + i, body);
            }
        }
        return stale;
    }
}
