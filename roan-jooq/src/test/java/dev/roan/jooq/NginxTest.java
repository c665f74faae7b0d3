package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.roan.testkit.Nginx;
import dev.roan.testkit.RawHttp;
import dev.roan.testkit.Upstream;
import io.github.resilience4j.retry.RetryConfig;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real nginx with ngx_cache_purge, started by the test on a free port, caching a real application forever: a page
 * read twice is a HIT, and after a committed jOOQ write through Roan the next read is a MISS that shows the new
 * data. Skipped without nginx and the module, except under {@code CI=true}.
 */
class NginxTest {

    static final String PUBLIC_HOST = "www.example.test";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final RetryConfig FAST_RETRY = RetryConfig.custom()
            .maxAttempts(3)
            .waitDuration(Duration.ofMillis(20))
            .build();

    @RegisterExtension
    final SiteFixture site = new SiteFixture();
    private LogCapture log;
    private TestDb db;
    private Upstream app;

    @BeforeEach
    void setUp() {
        log = site.closing(new LogCapture());
        db = site.db();
        db.onSeparateConnection(c -> c.insertInto(POST).set(POST.ID, 1L).set(POST.SLUG, "one").set(POST.TITLE, "First")
                .execute());
        // The page is what a reader would see right now: its path and the titles in the database.
        app = site.app(path -> path + ": " + titles(db));
    }

    static String titles(TestDb db) {
        return db.onSeparateConnection(c -> c.select(POST.TITLE).from(POST).orderBy(POST.ID).fetch(POST.TITLE))
                .stream().collect(Collectors.joining(", "));
    }

    private Nginx nginx(Nginx.Builder builder) {
        return site.closing(builder.start());
    }

    private Nginx nginx(Documented config, String upstream) {
        return site.closing(config.start().apply(upstream));
    }

    /** A configuration the documentation shows: how it starts in front of an upstream, how Roan purges through it. */
    record Documented(String name, Function<String, Nginx> start, String purgeMethod) {

        @Override
        public String toString() {
            return name;
        }
    }

    /** The purge-location configurations: the test kit's, and the README's and the example's as written. */
    static Stream<Documented> purgeLocationConfigs() {
        return Stream.of(
                new Documented("test kit", upstream -> Nginx.builder(upstream).start(), "GET"),
                new Documented("README quick start",
                        upstream -> Nginx.start(DocumentedNginx.readmeQuickStart(upstream)), "GET"),
                new Documented("example/nginx/nginx.conf", upstream -> Nginx.start(DocumentedNginx.example(upstream)),
                        "GET"));
    }

    /** Every documented configuration: the purge-location ones and PURGE to a named location (README). */
    static Stream<Documented> documentedConfigs() {
        return Stream.concat(purgeLocationConfigs(), Stream.of(new Documented("test kit, PURGE to a named location",
                upstream -> Nginx.builder(upstream).purge(Nginx.Purge.NAMED_LOCATION).start(), "PURGE")));
    }

    private Roan roan(Roan.Builder builder) {
        return site.closing(builder.retryConfig(FAST_RETRY).closeTimeout(Duration.ofMillis(200)).build());
    }

    private DSLContext dsl(Roan roan) {
        return DSL.using(roan.attach(db.configuration()));
    }

    /** Renames the post in a committed transaction. */
    private static void rename(DSLContext dsl, String title) {
        dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, title).where(POST.ID.eq(1L)).execute());
    }

    /** Reads the page twice: the first read fills the cache, the second is served from it. */
    static void assertCached(String baseUrl, String rawPath, String host, String content) {
        RawHttp.Response first = RawHttp.send("GET", baseUrl, rawPath, host);
        assertThat(first.status()).as("status of %s%s", baseUrl, rawPath).isEqualTo(200);
        assertThat(first.body()).as("first read of %s%s", baseUrl, rawPath).contains(content);
        RawHttp.Response second = RawHttp.send("GET", baseUrl, rawPath, host);
        assertThat(verdict(second)).as("second read of %s%s", baseUrl, rawPath).isEqualTo("HIT");
        assertThat(second.body()).as("second read of %s%s", baseUrl, rawPath).contains(content);
    }

    /** The cache's verdict: nginx answers it in X-Cache-Status, the testkit's Varnish in X-Cache. */
    private static String verdict(RawHttp.Response page) {
        return page.header("X-Cache-Status").isEmpty() ? page.header("X-Cache") : page.header("X-Cache-Status");
    }

    /** The next read is a miss that shows {@code content}: the page was purged. */
    static void assertPurged(String baseUrl, String rawPath, String host, String content) {
        RawHttp.Response page = RawHttp.send("GET", baseUrl, rawPath, host);
        assertThat(verdict(page)).as("read of %s%s after the write", baseUrl, rawPath).isEqualTo("MISS");
        assertThat(page.body()).as("read of %s%s after the write", baseUrl, rawPath).contains(content);
    }

    private List<String> purgeLines(Nginx nginx) {
        return nginx.accessLog().stream().filter(line -> line.contains("/purge/")).toList();
    }

    @Test
    void committedWritePurgesTheCachedPageThroughThePurgeLocation() {
        Nginx nginx = nginx(Nginx.builder(app.address()));
        Roan roan = roan(Roan.builder().purgeUrl(nginx.purgeUrl()));
        roan.purge("/posts").onWrite(POST);
        DSLContext dsl = dsl(roan);
        assertCached(nginx.baseUrl(), "/posts", null, "First");

        try {
            dsl.transaction(tx -> {
                tx.dsl().update(POST).set(POST.TITLE, "Never").where(POST.ID.eq(1L)).execute();
                throw new IllegalStateException("roll back");
            });
        } catch (IllegalStateException expected) {
            // The rollback is the point.
        }
        assertThat(roan.flush(WAIT)).as("flush after the rollback").isTrue();
        RawHttp.Response afterRollback = RawHttp.get(nginx.baseUrl(), "/posts");
        assertThat(afterRollback.header("X-Cache-Status")).as("read after a rolled back write").isEqualTo("HIT");

        rename(dsl, "Second");
        assertThat(roan.flush(WAIT)).as("flush").isTrue();

        assertPurged(nginx.baseUrl(), "/posts", null, "Second");
        assertThat(app.requests("/posts")).as("reads that reached the application").isEqualTo(2);
        assertThat(purgeLines(nginx)).as("purges nginx received").containsExactly("GET /purge/posts 200 -");
        assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
    }

    /**
     * {@code PURGE {base}{path}}: the module's own same-location form (skipped where ngx_cache_purge 2.3 crashes on
     * it, Debian 12), and a named purge location reached from the cached location, which works with every version.
     */
    @ParameterizedTest
    @EnumSource(value = Nginx.Purge.class, names = {"SAME_LOCATION", "NAMED_LOCATION"})
    void purgeMethodPurgesThePageUrlItself(Nginx.Purge form) {
        Nginx nginx = nginx(Nginx.builder(app.address()).purge(form));
        Roan roan = roan(Roan.builder().purgeUrl(nginx.purgeUrl()).purgeMethod("PURGE"));
        roan.purge("/posts").onWrite(POST);
        assertCached(nginx.baseUrl(), "/posts", null, "First");

        rename(dsl(roan), "Second");
        assertThat(roan.flush(WAIT)).as("flush").isTrue();

        // A GET of the page URL would only have read the cached page: the PURGE method is what purges here.
        assertPurged(nginx.baseUrl(), "/posts", null, "Second");
        assertThat(nginx.accessLog()).as("access log").contains("PURGE /posts 200 -");
        assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
    }

    @Test
    void purgeOfAPageNotCachedIsNotFoundAndCountsAsDone() {
        Nginx nginx = nginx(Nginx.builder(app.address()));
        Roan roan = roan(Roan.builder().purgeUrl(nginx.purgeUrl()));
        roan.purge("/posts").onWrite(POST);
        DSLContext dsl = dsl(roan);

        rename(dsl, "Second");
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        rename(dsl, "Third");
        assertThat(roan.flush(WAIT)).as("flush").isTrue();

        // ngx_cache_purge answers "not cached" with 404 up to 2.3 (Debian 12), with 412 from 2.5 on.
        assertThat(purgeLines(nginx)).as("purges nginx received, each answered 'not cached', none retried")
                .hasSize(2).allMatch(line -> line.matches("GET /purge/posts (404|412) -"));
        assertThat(log.messages(Level.WARNING)).as("warnings for pages that were not cached").isEmpty();
        assertThat(app.requests("/posts")).as("reads of the page").isZero();
    }

    /**
     * ngx_cache_purge 2.5 and later answer 412 for a page that is not cached (2.3 answers 404): done, not retried,
     * not a warning. A location that answers 412 stands in for it where the installed module is older.
     */
    @Test
    void preconditionFailedOfNewerNgxCachePurgeMeansNotCached() {
        Nginx nginx = nginx(Nginx.builder(app.address()).purgeLocationAnswering(412));
        Roan roan = roan(Roan.builder().purgeUrl(nginx.purgeUrl()));
        roan.purge("/posts").onWrite(POST);
        DSLContext dsl = dsl(roan);

        rename(dsl, "Second");
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        rename(dsl, "Third");
        assertThat(roan.flush(WAIT)).as("flush").isTrue();

        assertThat(purgeLines(nginx)).as("purges nginx received: one per write, not retried")
                .containsExactly("GET /purge/posts 412 -", "GET /purge/posts 412 -");
        assertThat(log.messages(Level.WARNING)).as("warnings for pages that were not cached").isEmpty();
    }

    /** 403: the purge location does not allow Roan's address; 405: a location that answers it. */
    @ParameterizedTest
    @ValueSource(ints = {403, 405})
    void misconfiguredPurgeLocationIsReportedOnceAndThePurgeStaysOwed(int status) {
        Nginx.Builder builder = Nginx.builder(app.address());
        Nginx nginx = nginx(status == 403 ? builder.purge(Nginx.Purge.DENIED) : builder.purgeLocationAnswering(status));
        Roan roan = roan(Roan.builder().purgeUrl(nginx.purgeUrl()));
        roan.purge("/posts").onWrite(POST);
        DSLContext dsl = dsl(roan);
        assertCached(nginx.baseUrl(), "/posts", null, "First");

        rename(dsl, "Second");
        assertThat(roan.flush(Duration.ofMillis(300))).as("flush: nginx refuses the purge").isFalse();
        rename(dsl, "Third");
        assertThat(roan.flush(Duration.ofMillis(300))).as("flush").isFalse();

        assertThat(purgeLines(nginx)).as("purges nginx received: the first, not retried at once")
                .startsWith("GET /purge/posts " + status + " -");
        assertThat(roan.cacheNodes()).singleElement().satisfies(node -> {
            assertThat(node.isDown()).as("down").isTrue();
            assertThat(node.owedPurges()).as("owed: /posts, written twice").isOne();
            assertThat(node.lastFailure()).as("last failure").contains("HTTP " + status, "proxy_cache_purge");
        });
        List<String> warnings = log.messages(Level.WARNING);
        assertThat(warnings).as("warnings for the refused purges").hasSize(1);
        assertThat(warnings.get(0)).as("the warning")
                .contains(nginx.purgeUrl(), "/posts", "HTTP " + status)
                .containsIgnoringCase("nginx")
                .contains("proxy_cache_purge");
        RawHttp.Response stale = RawHttp.get(nginx.baseUrl(), "/posts");
        assertThat(stale.header("X-Cache-Status")).as("the page, still cached").isEqualTo("HIT");
        assertThat(stale.body()).as("the page, still cached").contains("First");
    }

    @Test
    void pathsWithASpaceAndNonAsciiArePurged() {
        Nginx nginx = nginx(Nginx.builder(app.address()));
        Roan roan = roan(Roan.builder().purgeUrl(nginx.purgeUrl()));
        roan.purge("/tags/a b").onWrite(POST);
        roan.purge("/tags/café").onWrite(POST);
        assertCached(nginx.baseUrl(), "/tags/a%20b", null, "/tags/a b: First");
        assertCached(nginx.baseUrl(), "/tags/caf%C3%A9", null, "/tags/café: First");

        rename(dsl(roan), "Second");
        assertThat(roan.flush(WAIT)).as("flush").isTrue();

        assertPurged(nginx.baseUrl(), "/tags/a%20b", null, "/tags/a b: Second");
        assertPurged(nginx.baseUrl(), "/tags/caf%C3%A9", null, "/tags/café: Second");
        assertThat(purgeLines(nginx)).as("purges nginx received")
                .containsExactlyInAnyOrder("GET /purge/tags/a%20b 200 -", "GET /purge/tags/caf%C3%A9 200 -");
        assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
    }

    /**
     * A row-level page whose key value holds a space and a slash: the value fills exactly one path segment
     * ({@code /posts/a%20b%2Fc}), which is the page nginx cached, and the neighbouring page {@code /posts/a%20b}
     * stays cached.
     */
    @Test
    void rowValuesWithASpaceAndASlashPurgeExactlyTheirPage() {
        Nginx nginx = nginx(Nginx.builder(app.address()));
        Roan roan = roan(Roan.builder().purgeUrl(nginx.purgeUrl()));
        roan.purge("/posts/{slug}").onWrite(POST);
        DSLContext dsl = dsl(roan);
        dsl.update(POST).set(POST.SLUG, "a b/c").where(POST.ID.eq(1L)).execute();
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        assertCached(nginx.baseUrl(), "/posts/a%20b%2Fc", null, "First");
        assertCached(nginx.baseUrl(), "/posts/a%20b", null, "First");

        dsl.update(POST).set(POST.TITLE, "Second").where(POST.SLUG.eq("a b/c")).execute();
        assertThat(roan.flush(WAIT)).as("flush").isTrue();

        assertPurged(nginx.baseUrl(), "/posts/a%20b%2Fc", null, "Second");
        RawHttp.Response neighbour = RawHttp.get(nginx.baseUrl(), "/posts/a%20b");
        assertThat(neighbour.header("X-Cache-Status")).as("the page of another value").isEqualTo("HIT");
        assertThat(purgeLines(nginx)).as("purges nginx received").contains("GET /purge/posts/a%20b%2Fc 200 -");
    }

    /**
     * Every value a row can hold reaches the purge location and purges the page a reader cached under it: nginx
     * decodes a request's path before it chooses a location (a decoded {@code %0A} matches no {@code /purge(/.*)}
     * and the site answered the purge with 200), so the documented configuration chooses purges by the target as
     * sent and keys pages by it too. The pages are named as Roan names them, every byte outside RFC 3986's
     * unreserved characters percent-encoded; a static rule's page with a query is purged too. {@code /} and
     * {@code /posts/a} stand by: a value must purge nothing else ({@code ..} is no parent segment, {@code a*} is no
     * ngx_cache_purge 2.5 prefix key).
     */
    @ParameterizedTest
    @MethodSource("documentedConfigs")
    void rowValuesWithLineBreaksReservedAndNonAsciiCharactersPurgeTheirPage(Documented config) {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("line\nfeed", "/posts/line%0Afeed");
        pages.put("carriage\rreturn", "/posts/carriage%0Dreturn");
        pages.put("crlf\r\n", "/posts/crlf%0D%0A");
        pages.put("tab\tbed", "/posts/tab%09bed");
        pages.put("100%", "/posts/100%25");
        pages.put("%0A", "/posts/%250A");
        pages.put("and/or", "/posts/and%2For");
        pages.put("why?", "/posts/why%3F");
        pages.put("c#", "/posts/c%23");
        pages.put("café", "/posts/caf%C3%A9");
        pages.put("日本", "/posts/%E6%97%A5%E6%9C%AC");
        pages.put("..", "/posts/%2E%2E");
        pages.put("a*", "/posts/a%2A");
        pages.put("it's (1)", "/posts/it%27s%20%281%29");
        List<String> slugs = List.copyOf(pages.keySet());
        pages.put("(a static rule)", "/posts?page=2&tag=caf%C3%A9");
        db.onSeparateConnection(c -> {
            long id = 10;
            for (String slug : slugs) {
                c.insertInto(POST).set(POST.ID, id++).set(POST.SLUG, slug).set(POST.TITLE, "First").execute();
            }
            return null;
        });
        Nginx nginx = nginx(config, app.address());
        String purgeUrl = config.purgeMethod().equals("GET") ? nginx.purgeUrl() : nginx.baseUrl();
        Roan roan = roan(Roan.builder().purgeUrl(purgeUrl).purgeMethod(config.purgeMethod()));
        roan.purge("/posts/{slug}").onWrite(POST);
        roan.purge("/posts?page=2&tag=café").onWrite(POST);
        for (String page : pages.values()) {
            assertCached(nginx.baseUrl(), page, null, "First");
        }
        List<String> bystanders = List.of("/", "/posts/a");
        for (String page : bystanders) {
            assertCached(nginx.baseUrl(), page, null, "First");
        }

        dsl(roan).update(POST).set(POST.TITLE, "Second").where(POST.SLUG.in(slugs)).execute();
        assertThat(roan.flush(WAIT)).as("flush").isTrue();

        // Bystanders first: reading a purged page again fills the cache, under whatever key the configuration uses.
        for (String page : bystanders) {
            assertThat(verdict(RawHttp.get(nginx.baseUrl(), page))).as("read of %s, which no value names", page)
                    .isEqualTo("HIT");
        }
        for (String page : pages.values()) {
            assertPurged(nginx.baseUrl(), page, null, "Second");
        }
        String purge = config.purgeMethod().equals("GET") ? "GET /purge" : "PURGE ";
        List<String> accessLog = nginx.accessLog();
        for (String page : pages.values()) {
            assertThat(accessLog).as("access log: %s%s purged", purge, page)
                    .anyMatch(line -> line.contains(purge + page + " ") && line.contains(" 200 "));
        }
        assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
    }

    /**
     * Only a request whose target, as sent, starts with {@code /purge/} is a purge: targets that nginx would decode
     * or normalise into {@code /purge/posts} are pages like any other, and the purge location itself cannot be
     * requested.
     */
    @ParameterizedTest
    @MethodSource("purgeLocationConfigs")
    void requestsThatOnlyDecodeToAPurgeArePages(Documented config) {
        Nginx nginx = nginx(config, app.address());
        assertCached(nginx.baseUrl(), "/posts", null, "First");

        for (String disguised : List.of("/x/../purge/posts", "/%70urge/posts", "//purge/posts", "/./purge/posts",
                "/purge%2Fposts")) {
            RawHttp.Response page = RawHttp.get(nginx.baseUrl(), disguised);
            assertThat(page.status()).as("status of %s", disguised).isEqualTo(200);
            assertThat(verdict(page)).as("cache verdict of %s, a page", disguised).isEqualTo("MISS");
        }
        assertThat(RawHttp.get(nginx.baseUrl(), "/.roan-purge").status()).as("status of the purge location itself")
                .isEqualTo(404);

        assertThat(verdict(RawHttp.get(nginx.baseUrl(), "/posts"))).as("read of /posts").isEqualTo("HIT");
    }

    /**
     * A visitor's own pages are not everyone's: a request with the session cookie (a signed-in page, a flash
     * message after a form) or with credentials goes to the application and is not stored, so the next reader
     * without them fills the cache with the public page.
     */
    @ParameterizedTest
    @MethodSource("documentedConfigs")
    void requestsOfASessionAreNeitherServedFromNorStoredInTheCache(Documented config) {
        for (String header : List.of("Cookie: theme=dark; JSESSIONID=1F2E3D", "Cookie: SESSION=YjM0",
                "Authorization: Basic YTpi")) {
            assertSessionBypassesTheCache(nginx(config, app.address()), header);
        }
    }

    private void assertSessionBypassesTheCache(Nginx nginx, String header) {
        String[] nameValue = header.split(": ", 2);
        Map<String, String> session = Map.of(nameValue[0], nameValue[1]);
        int before = app.requests("/posts");
        assertCached(nginx.baseUrl(), "/posts", null, "First");

        for (int read = 1; read <= 2; read++) {
            RawHttp.Response page = RawHttp.send("GET", nginx.baseUrl(), "/posts", null, session);
            assertThat(verdict(page)).as("cache verdict of read %s of the cached page with %s", read, header)
                    .isEqualTo("BYPASS");
            RawHttp.Response fresh = RawHttp.send("GET", nginx.baseUrl(), "/posts/one", null, session);
            assertThat(verdict(fresh)).as("cache verdict of read %s of a page not cached, with %s", read, header)
                    .isEqualTo("BYPASS");
        }
        assertThat(app.requests("/posts") - before).as("reads of /posts with %s that reached the application", header)
                .isEqualTo(3);
        int sessionReads = app.requests("/posts/one");
        assertThat(verdict(RawHttp.get(nginx.baseUrl(), "/posts/one"))).as("first read without %s", header)
                .isEqualTo("MISS");
        assertThat(app.requests("/posts/one") - sessionReads).as("reads of /posts/one without %s", header).isEqualTo(1);
    }

    /** A response that sets a cookie belongs to one visitor: nginx does not store it. */
    @ParameterizedTest
    @MethodSource("documentedConfigs")
    void responsesThatSetACookieAreNotCached(Documented config) {
        Upstream cookies = site.closing(Upstream.start(path -> path + ": " + titles(db),
                path -> path.equals("/login") ? Map.of("Set-Cookie", "JSESSIONID=1F2E3D; Path=/; HttpOnly") : Map.of()));
        Nginx nginx = nginx(config, cookies.address());

        for (int read = 1; read <= 2; read++) {
            RawHttp.Response page = RawHttp.get(nginx.baseUrl(), "/login");
            assertThat(page.header("Set-Cookie")).as("cookie of read %s", read).startsWith("JSESSIONID=");
            assertThat(verdict(page)).as("cache verdict of read %s", read).isEqualTo("MISS");
        }
        assertThat(cookies.requests("/login")).as("reads that reached the application").isEqualTo(2);
        assertCached(nginx.baseUrl(), "/posts", null, "First");
    }

    /**
     * Two nodes reached by address, both caching the public host ({@code $host} in the cache key): the purge
     * location names the public host literally, since Roan's purge requests carry the node's address as Host.
     */
    @Test
    void everyNodeIsPurgedWhenThePurgeKeyNamesThePublicHost() {
        Nginx.Builder builder = Nginx.builder(app.address())
                .cacheKey("$host$request_uri")
                .purgeKey(PUBLIC_HOST + Nginx.PURGE_KEY);
        assertEveryNodePurged(nginx(builder), nginx(builder), Roan.builder());
    }

    /**
     * The same with the purge key built from {@code $host}, as for pages, and Roan sending {@code Host}: needs
     * {@code -Djdk.httpclient.allowRestrictedHeaders=host}, given by the pom's "restricted-host-header" run.
     */
    @Test
    @Tag("restricted-host-header")
    void everyNodeIsPurgedWhenRoanSendsThePublicHost() {
        Nginx.Builder builder = Nginx.builder(app.address())
                .cacheKey("$host$request_uri")
                .purgeKey("$host" + Nginx.PURGE_KEY);
        assertEveryNodePurged(nginx(builder), nginx(builder), Roan.builder().header("Host", PUBLIC_HOST));
    }

    private void assertEveryNodePurged(Nginx first, Nginx second, Roan.Builder builder) {
        Roan roan = roan(builder.purgeUrls(first.purgeUrl(), second.purgeUrl()));
        roan.purge("/posts").onWrite(POST);
        for (Nginx node : List.of(first, second)) {
            assertCached(node.baseUrl(), "/posts", PUBLIC_HOST, "First");
        }

        rename(dsl(roan), "Second");
        assertThat(roan.flush(WAIT)).as("flush").isTrue();

        for (Nginx node : List.of(first, second)) {
            assertPurged(node.baseUrl(), "/posts", PUBLIC_HOST, "Second");
            assertThat(purgeLines(node)).as("purges %s received", node).containsExactly("GET /purge/posts 200 -");
        }
        assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
    }
}
