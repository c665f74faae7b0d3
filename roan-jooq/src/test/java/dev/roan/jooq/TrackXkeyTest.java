package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.roan.testkit.PurgeServer;
import dev.roan.testkit.RawHttp;
import dev.roan.testkit.Upstream;
import dev.roan.testkit.Varnish;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tracked renders behind a real Varnish with xkey and the README's VCL, no rule anywhere: each page carries its keys in
 * the {@code xkey} header the 3-argument {@code track} hands over, and a committed write purges by key exactly the
 * pages it changed. A page's body counts its renders, so a read showing the same count came from the cache. Skipped
 * without varnishd or the xkey vmod, except under {@code CI=true}.
 */
class TrackXkeyTest {

    private TestDb db;
    private volatile Roan roan;
    private DSLContext dsl;
    private Upstream app;
    private Varnish varnish;
    private final Map<String, AtomicInteger> renders = new ConcurrentHashMap<>();
    /** The headers of the response being rendered, on the application's thread. */
    private final ThreadLocal<Map<String, String>> headers = ThreadLocal.withInitial(LinkedHashMap::new);
    /** The last xkey header each page was sent with. */
    private final Map<String, String> sent = new ConcurrentHashMap<>();

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
        app = Upstream.start(this::render, path -> {
            Map<String, String> page = Map.copyOf(headers.get());
            headers.remove();
            if (page.containsKey("xkey")) {
                sent.put(path, page.get("xkey"));
            }
            return page;
        });
        varnish = Varnish.startWithXkey(app.address(), VarnishXkeyTest::readmeVcl);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (roan != null) {
                roan.close();
            }
            if (varnish != null) {
                varnish.close();
            }
            app.close();
        } finally {
            db.close();
        }
    }

    private void roan(Roan.Builder builder) {
        roan = builder.closeTimeout(Duration.ofMillis(200)).build();
        dsl = DSL.using(roan.attach(db.configuration()));
    }

    /** The application: every page rendered through track, its tag headers set on the response. */
    private String render(String path) {
        if (roan == null) {
            // The testkit's readiness check, through the README's VCL, before the test builds Roan.
            return "starting";
        }
        String body = roan.track(path, () -> {
            if (path.startsWith("/authors/")) {
                long id = Long.parseLong(path.substring("/authors/".length()));
                return dsl.select(AUTHOR.NAME, POST.TITLE).from(AUTHOR).leftJoin(POST).on(POST.AUTHOR_ID.eq(AUTHOR.ID))
                        .where(AUTHOR.ID.eq(id)).orderBy(POST.ID).fetch().stream()
                        .map(r -> r.get(AUTHOR.NAME) + ": " + r.get(POST.TITLE)).collect(Collectors.joining(", "));
            }
            return "no page";
        }, headers.get()::put);
        return body + " render " + renders.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    }

    private String read(String path) {
        RawHttp.Response page = RawHttp.get(varnish.baseUrl(), path);
        assertThat(page.status()).as(path).isEqualTo(200);
        return page.body();
    }

    private void assertCached(String path, int render) {
        assertThat(read(path)).as("read of %s", path).endsWith(" render " + render);
        assertThat(read(path)).as("read again of %s: from the cache", path).endsWith(" render " + render);
    }

    @Test
    void aWritePurgesByKeyTheTrackedPagesItChangedAndOnlyThose() {
        roan(Roan.builder().xkeyPurgeUrls(varnish.baseUrl()));
        assertCached("/authors/100", 1);
        assertCached("/authors/101", 1);
        assertThat(sent.get("/authors/100")).as("the page's keys, in the xkey header")
                .contains(Dependency.row("author", "id", "100").tag());

        dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "Fresh").where(POST.ID.eq(1L)).execute());
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(read("/authors/100")).contains("ann: Fresh").endsWith("render 2");
        assertCached("/authors/101", 1);

        // A new post of author 101: its page only.
        dsl.insertInto(POST).set(POST.ID, 3L).set(POST.AUTHOR_ID, 101L).set(POST.SLUG, "c").set(POST.TITLE, "Zed")
                .execute();
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(read("/authors/101")).contains("bob: Other, bob: Zed").endsWith("render 2");
        assertCached("/authors/100", 2);
    }

    @Test
    void withAPathNodeBesideItThePathNodeGetsTheUrlsAndVarnishTheKeys() throws Exception {
        try (PurgeServer nginx = new PurgeServer()) {
            roan(Roan.builder().purgeUrl(nginx.purgeUrl()).xkeyPurgeUrls(varnish.baseUrl()));
            assertCached("/authors/100", 1);
            assertCached("/authors/101", 1);

            dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "Fresh").where(POST.ID.eq(1L)).execute());
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();

            assertThat(nginx.paths()).as("the path node: the page's URL, never a key").containsExactly("/authors/100");
            assertThat(read("/authors/100")).contains("ann: Fresh").endsWith("render 2");
            assertCached("/authors/101", 1);
        }
    }
}
