package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Collectors;

import dev.roan.testkit.Nginx;
import dev.roan.testkit.RawHttp;
import dev.roan.testkit.Upstream;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tracked pages behind a real nginx (ngx_cache_purge) caching forever, with no rule registered: after each write,
 * the pages it changed are misses showing the new data, and the others are still hits. Skipped without nginx and the
 * module, except under {@code CI=true}.
 */
class TrackNginxTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestDb db;
    private Roan roan;
    private DSLContext dsl;
    private Upstream app;
    private Nginx nginx;

    @BeforeEach
    void setUp() {
        db = new TestDb();
        db.onSeparateConnection(d -> {
            d.insertInto(AUTHOR).set(AUTHOR.ID, 100L).set(AUTHOR.NAME, "ann").execute();
            d.insertInto(AUTHOR).set(AUTHOR.ID, 101L).set(AUTHOR.NAME, "bob").execute();
            d.insertInto(POST).set(POST.ID, 1L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "a").set(POST.TITLE, "First")
                    .execute();
            return d.insertInto(POST).set(POST.ID, 2L).set(POST.AUTHOR_ID, 101L).set(POST.SLUG, "b")
                    .set(POST.TITLE, "Other").execute();
        });
        app = Upstream.start(this::render);
        nginx = Nginx.builder(app.address()).start();
        roan = Roan.builder().purgeUrl(nginx.purgeUrl()).closeTimeout(Duration.ofMillis(200)).build();
        dsl = DSL.using(roan.attach(db.configuration()));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            roan.close();
            nginx.close();
            app.close();
        } finally {
            db.close();
        }
    }

    /** The application: every page rendered through track, no rule anywhere. */
    private String render(String path) {
        return roan.track(path, () -> {
            if (path.startsWith("/authors/")) {
                long id = Long.parseLong(path.substring("/authors/".length()));
                return dsl.select(AUTHOR.NAME, POST.TITLE).from(AUTHOR).leftJoin(POST).on(POST.AUTHOR_ID.eq(AUTHOR.ID))
                        .where(AUTHOR.ID.eq(id)).orderBy(POST.ID).fetch().stream()
                        .map(r -> r.get(AUTHOR.NAME) + ": " + r.get(POST.TITLE)).collect(Collectors.joining(", "));
            }
            if (path.startsWith("/search/")) {
                String prefix = path.substring("/search/".length());
                return dsl.select(POST.TITLE).from(POST).where(POST.TITLE.startsWith(prefix)).orderBy(POST.ID)
                        .fetch(POST.TITLE).toString();
            }
            return "no page";
        });
    }

    private String read(String path, String verdict) {
        RawHttp.Response page = RawHttp.get(nginx.baseUrl(), path);
        assertThat(page.status()).as(path).isEqualTo(200);
        assertThat(page.header("X-Cache-Status")).as("read of %s", path).isEqualTo(verdict);
        return page.body();
    }

    @Test
    void aWritePurgesTheTrackedPagesItChangedAndOnlyThose() {
        for (String path : new String[] {"/authors/100", "/authors/101", "/search/F"}) {
            read(path, "MISS");
            read(path, "HIT");
        }

        dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "Fresh").where(POST.ID.eq(1L)).execute());
        assertThat(roan.flush(WAIT)).isTrue();
        assertThat(read("/authors/100", "MISS")).contains("ann: Fresh");
        assertThat(read("/search/F", "MISS")).contains("Fresh");
        read("/authors/101", "HIT");

        // A new post of author 101: its page, and the search (a prefix read depends on the whole table).
        dsl.insertInto(POST).set(POST.ID, 3L).set(POST.AUTHOR_ID, 101L).set(POST.SLUG, "c").set(POST.TITLE, "Zed")
                .execute();
        assertThat(roan.flush(WAIT)).isTrue();
        assertThat(read("/authors/101", "MISS")).contains("bob: Zed");
        read("/search/F", "MISS");
        read("/authors/100", "HIT");

        // Moving a post: both authors' pages.
        dsl.update(POST).set(POST.AUTHOR_ID, 100L).where(POST.SLUG.eq("c")).execute();
        assertThat(roan.flush(WAIT)).isTrue();
        assertThat(read("/authors/100", "MISS")).contains("ann: Zed");
        assertThat(read("/authors/101", "MISS")).doesNotContain("Zed");
    }
}
