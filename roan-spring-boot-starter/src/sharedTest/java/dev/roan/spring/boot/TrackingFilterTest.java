package dev.roan.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.unquotedName;
import static org.jooq.impl.DSL.table;

import dev.roan.jooq.CacheNodeStatus;
import dev.roan.jooq.Roan;
import dev.roan.testkit.PurgeServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.LogRecord;

import javax.sql.DataSource;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code roan.track.enabled}: a real Spring MVC application on an embedded Tomcat whose GET pages declare nothing
 * (no rule is registered), against a local purge endpoint: a committed write purges the pages whose reads it changed.
 */
class TrackingFilterTest {

    static final Table<Record> POST = table(unquotedName("post"));
    static final Field<Integer> ID = field(unquotedName("post", "id"), Integer.class);
    static final Field<String> TITLE = field(unquotedName("post", "title"), String.class);

    /** A blog's pages and its one write; every read through Boot's DSLContext. */
    @Controller
    @ResponseBody
    static class Posts {
        private final DSLContext dsl;

        Posts(DSLContext dsl) {
            this.dsl = dsl;
        }

        @GetMapping("/posts")
        @Transactional(readOnly = true)
        String list(@RequestParam(name = "q", defaultValue = "") String q) {
            return String.join("\n", dsl.select(TITLE).from(POST).orderBy(ID).fetch(TITLE));
        }

        @GetMapping("/posts/{id}")
        @Transactional(readOnly = true)
        ResponseEntity<String> post(@PathVariable("id") int id) {
            return dsl.select(TITLE).from(POST).where(ID.eq(id)).fetchOptional(TITLE)
                    .map(title -> ResponseEntity.ok().header("X-Page", "post").body(title))
                    .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body("no post " + id));
        }

        /** A page far larger than the servlet container's response buffer (8 KB): it would be committed early. */
        @GetMapping("/big/{id}")
        String big(@PathVariable("id") int id) {
            return dsl.select(TITLE).from(POST).where(ID.eq(id)).fetchOptional(TITLE).orElse("").repeat(10_000);
        }

        /** Answered on another thread: Spring MVC's asynchronous request processing. */
        @GetMapping("/async/{id}")
        java.util.concurrent.Callable<String> async(@PathVariable("id") int id) {
            return () -> dsl.select(TITLE).from(POST).where(ID.eq(id)).fetchOptional(TITLE).orElse("none");
        }

        @GetMapping("/broken")
        String broken() {
            dsl.select(TITLE).from(POST).fetch();
            throw new IllegalStateException("the render failed");
        }

        @PostMapping("/posts/{id}")
        @Transactional
        String rename(@PathVariable("id") int id, @RequestParam("title") String title) {
            dsl.update(POST).set(TITLE, title).where(ID.eq(id)).execute();
            return "renamed";
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Posts.class)
    static class App {
        @Bean
        DataSource dataSource(org.springframework.core.env.Environment environment) {
            return BootFixture.h2(environment.getRequiredProperty("test.database-url"));
        }
    }

    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    /** The purge endpoint of every application of this class, emptied before each test. */
    private static final PurgeServer cache = new PurgeServer();
    /** One application with roan.track.enabled=true for the tests that need nothing else: a start costs seconds. */
    private static ConfigurableApplicationContext shared;
    private ConfigurableApplicationContext app;

    @BeforeEach
    void noApplicationYet() {
        app = null;
        cache.clear();
    }

    @AfterEach
    void stop() {
        if (app != null && app != shared) {
            app.close();
        }
    }

    @AfterAll
    static void stopShared() {
        if (shared != null) {
            shared.close();
        }
        cache.close();
    }

    /** The shared application, tracked, with the default settings; its data as the tests below leave it. */
    private void startShared() {
        if (shared == null) {
            start("roan.track.enabled=true");
            shared = app;
        }
        app = shared;
    }

    @Test
    void aCommittedWritePurgesThePagesThatReadWhatItChanged() throws Exception {
        // The purge endpoint as nginx sees it: the request target with its query (PurgeServer keeps the path only).
        List<String> targets = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer nginx = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        nginx.createContext("/", exchange -> {
            targets.add(exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        nginx.start();
        try {
            start("roan.track.enabled=true",
                    "roan.purge-url=http://127.0.0.1:" + nginx.getAddress().getPort() + "/purge");
            assertThat(get("/posts/1").body()).isEqualTo("first");
            assertThat(get("/posts/2").body()).isEqualTo("second");
            assertThat(get("/posts?q=a+b").body()).isEqualTo("first\nsecond");

            assertThat(post("/posts/1?title=renamed").statusCode()).isEqualTo(200);
            roan().flush(Duration.ofSeconds(10));

            assertThat(targets).as("no rule registered: the pages that read post 1, as the client asked for them")
                    .contains("/purge/posts/1", "/purge/posts?q=a+b").doesNotContain("/purge/posts/2");
            assertThat(get("/posts/1").body()).isEqualTo("renamed");
        } finally {
            nginx.stop(0);
        }
    }

    @Test
    void behindVarnishWithXkeyThePageCarriesItsKeysAndAWritePurgesThem() throws Exception {
        String varnish = cache.purgeUrl().replace("/purge", "");
        // purge-url at its default, as when it is not set: no path node beside Varnish.
        start("roan.track.enabled=true", "roan.xkey-purge-url=" + varnish, "roan.purge-url=http://localhost/purge");

        HttpResponse<String> first = get("/posts/1");
        HttpResponse<String> big = get("/big/1");
        String keys = first.headers().firstValue("xkey").orElse("");
        assertThat(keys).as("the page's keys, in the header Varnish reads").isNotBlank();
        assertThat(big.headers().firstValue("xkey")).as("a page larger than the response buffer carries them too")
                .hasValue(keys);
        assertThat(get("/posts/2").headers().firstValue("xkey")).as("another row, other keys").isPresent()
                .isNotEqualTo(first.headers().firstValue("xkey"));

        post("/posts/1?title=renamed");
        roan().flush(Duration.ofSeconds(10));

        List<String> purged = cache.received().stream().map(request -> request.method() + " " + request.path()
                + " " + request.header("xkey-purge")).toList();
        assertThat(purged).as("purged by key, with no purge-url: the keys of the page that read post 1")
                .anyMatch(request -> request.startsWith("PURGE / ")
                        && List.of(request.substring("PURGE / ".length()).split(" ")).stream()
                                .anyMatch(List.of(keys.split(" "))::contains));
        assertThat(purged).as("no path node: purge-url left at its default").allMatch(r -> r.startsWith("PURGE / "));
        assertThat(roan().cacheNodes()).extracting(CacheNodeStatus::purgeUrl).containsExactly(varnish);
    }

    @Test
    void anEmptyPurgeUrlBesideVarnishLeavesVarnishTheOnlyNode() {
        String varnish = cache.purgeUrl().replace("/purge", "");
        configured().withPropertyValues("roan.purge-url=", "roan.xkey-purge-url=" + varnish).run(context ->
                assertThat(context.getBean(Roan.class).cacheNodes()).extracting(CacheNodeStatus::purgeUrl)
                        .containsExactly(varnish));

        configured().withPropertyValues("roan.purge-url=" + cache.purgeUrl(), "roan.xkey-purge-url=" + varnish)
                .run(context -> assertThat(context.getBean(Roan.class).cacheNodes())
                        .extracting(CacheNodeStatus::purgeUrl).containsExactlyInAnyOrder(cache.purgeUrl(), varnish));
    }

    @Test
    void aUrlNoPurgeCanNameIsAnsweredUntrackedAndNotLogged() throws Exception {
        startShared();
        List<LogRecord> logged;
        try (LogRecords records = LogRecords.of(TrackingFilter.class)) {
            logged = records.all;
            String base = "http://127.0.0.1:" + Boot.port(app);
            // A dot segment, as sent: Roan refuses to track a URL no purge can name (caches differ on dot segments).
            dev.roan.testkit.RawHttp.Response page = dev.roan.testkit.RawHttp.get(base, "/posts/./1?token=s3cret");
            dev.roan.testkit.RawHttp.get(base, "/posts/./2?token=s3cret");

            assertThat(page.status()).as("answered by the application as without Roan (no mapping), not a 500")
                    .isEqualTo(404);
        }
        assertThat(logged).as("one warning for all such URLs").hasSize(1);
        assertThat(logged.get(0).getMessage()).contains("untracked").doesNotContain("s3cret").doesNotContain("/posts");
    }

    @Test
    void anAsynchronousAnswerReachesTheClientWholeAndIsWarnedAboutOnce() throws Exception {
        startShared();
        List<LogRecord> logged;
        try (LogRecords records = LogRecords.of(TrackingFilter.class)) {
            logged = records.all;
            HttpResponse<String> first = get("/async/1");
            HttpResponse<String> second = get("/async/2");

            assertThat(first.body()).as("the body the other thread wrote, copied out of the buffer").isEqualTo("first");
            assertThat(second.body()).isEqualTo("second");
        }
        assertThat(logged).as("one warning for all asynchronous answers").hasSize(1);
        assertThat(logged.get(0).getMessage()).contains("asynchronously").doesNotContain("/async");
    }

    @Test
    void excludedPathsAreAnsweredUntracked() throws Exception {
        start("roan.track.enabled=true", "roan.track.exclude=/big/,/nothing");
        assertThat(get("/big/1").body()).startsWith("firstfirst");
        get("/posts/1");

        post("/posts/1?title=renamed");
        roan().flush(Duration.ofSeconds(10));

        assertThat(cache.paths()).contains("/posts/1").doesNotContain("/big/1");
        assertThat(TrackingFilter.prefix("/big/")).isEqualTo("/big");
        assertThat(trace(startupFailure("roan.track.exclude=actuator"))).as("a prefix without /")
                .contains("roan.track.exclude", "starting with /");
    }

    @Test
    void beyondMaxPagesThePageRenderedLongestAgoIsPurged() throws Exception {
        start("roan.track.enabled=true", "roan.track.max-pages=1");
        get("/posts/1");

        get("/posts/2");
        roan().flush(Duration.ofSeconds(10));

        assertThat(cache.paths()).as("forgotten, so purged: no write can miss it").containsExactly("/posts/1");
        assertThat(new RoanProperties().getTrack().getMaxPages()).isEqualTo(Roan.DEFAULT_MAX_TRACKED_PAGES);
    }

    @Test
    void withoutThePropertyNothingIsTrackedAndNothingPurged() throws Exception {
        start();
        get("/posts/1");

        post("/posts/1?title=renamed");
        roan().flush(Duration.ofSeconds(10));

        assertThat(cache.paths()).isEmpty();
        assertThat(app.getBeansOfType(FilterRegistrationBean.class)).doesNotContainKey("roanTrackingFilter");
    }

    @Test
    void theRenderedAnswerReachesTheClientWhole() throws Exception {
        startShared();

        HttpResponse<String> page = get("/posts/2");
        HttpResponse<String> big = get("/big/1");
        HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/posts/2"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

        assertThat(page.headers().firstValue("X-Page")).hasValue("post");
        assertThat(page.headers().firstValue("Content-Length")).hasValue("6");
        assertThat(big.body()).hasSize("first".length() * 10_000);
        assertThat(big.headers().firstValue("Content-Length")).hasValue(String.valueOf(5 * 10_000));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void aMissingPageIsTrackedTooAndAppearsWhenItsRowIsWritten() throws Exception {
        startShared();
        HttpResponse<String> missing = get("/posts/3");
        assertThat(missing.statusCode()).isEqualTo(404);

        app.getBean(DSLContext.class).insertInto(POST).set(ID, 3).set(TITLE, "third").execute();
        roan().flush(Duration.ofSeconds(10));

        assertThat(cache.paths()).as("a cache that stores 404s (Varnish does) must hear of the new row")
                .contains("/posts/3");
    }

    @Test
    void aRenderThatFailsIsLeftToTheContainerAndWritesAreNotTracked() throws Exception {
        startShared();
        List<LogRecord> logged;
        try (LogRecords records = LogRecords.everyLogger()) {
            logged = records.all;
            assertThat(get("/broken?token=s3cret").statusCode()).isEqualTo(500);
            assertThat(post("/posts/2?title=second&token=s3cret").statusCode()).isEqualTo(200);
            roan().flush(Duration.ofSeconds(10));
        }

        assertThat(cache.paths()).as("a POST is no page: nothing read in it is tracked").doesNotContain("/posts/2");
        assertThat(logged).extracting(LogRecord::getMessage).noneMatch(m -> m != null && m.contains("s3cret"));
    }

    @Test
    void withThePageIndexInTheDatabaseAWriteOnOneInstancePurgesAPageRenderedOnAnother() throws Exception {
        String database = "jdbc:h2:mem:shared-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        start("roan.track.enabled=true", "test.database-url=" + database, "roan.page-index.enabled=true",
                "roan.page-index.table=roan_test_page_index");
        ConfigurableApplicationContext renderer = app;
        // The second instance: the same database, its schema and rows already there.
        start("roan.track.enabled=true", "test.database-url=" + database, "roan.page-index.enabled=true",
                "roan.page-index.table=roan_test_page_index", "spring.sql.init.mode=never");
        ConfigurableApplicationContext writer = app;
        try {
            assertThat(writer.getBean(Roan.class).toString()).contains("roan_test_page_index");
            assertThat(writer.getBean(RoanProperties.class).toString())
                    .contains("pageIndex=PageIndex[table=roan_test_page_index, createTable=true]");

            app = renderer;
            // A first page teaches both instances that post.id is pinned; a page rendered while a pin is young is
            // purged again three seconds later, which is awaited here so that only the write can purge /posts/1.
            get("/posts/2");
            awaitPurge("/posts/2");
            get("/posts/1");
            cache.clear();

            app = writer;
            assertThat(post("/posts/1?title=renamed").statusCode()).isEqualTo(200);
            assertThat(writer.getBean(Roan.class).flush(Duration.ofSeconds(10))).isTrue();

            assertThat(cache.paths()).as("the page the other instance rendered, found in the shared index")
                    .contains("/posts/1").doesNotContain("/posts/2");
        } finally {
            app = null;
            writer.close();
            renderer.close();
        }
    }

    @Test
    void thePageIndexPropertiesDefaultToRoansAndABadTableNameFailsStartupNamingItsProperty() {
        RoanProperties.PageIndex defaults = new RoanProperties().getPageIndex();
        assertThat(defaults.isEnabled()).isFalse();
        assertThat(defaults.getTable()).isEqualTo(Roan.DEFAULT_PAGE_INDEX_TABLE);
        assertThat(defaults.isCreateTable()).isTrue();
        assertThat(new RoanProperties().toString()).doesNotContain("pageIndex");

        assertThat(trace(startupFailure("roan.page-index.enabled=true", "roan.page-index.table=roan page index")))
                .as("a table name with spaces").contains("roan.page-index.table");
    }

    /** Waits up to 5 s for a purge of {@code path}: an index in memory sends none, and the test goes on. */
    private static void awaitPurge(String path) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!cache.paths().contains(path) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void offOutsideAServletWebApplicationAndWithoutSpringWeb() {
        BootFixture.onlyInServletApplicationsWith(OncePerRequestFilter.class, RoanTrackingAutoConfiguration.class,
                "roan.track.enabled=true", FilterRegistrationBean.class, cache);
    }

    @Test
    void aCdnTokenAppearsInNoStartupFailureNorInTheProperties() {
        List<String[]> inputs = List.of(
                new String[] {"roan.fastly.id=SU1Z0isxPaozGVKXdv0eY", "roan.fastly.api-token=hunter2 x"},
                new String[] {"roan.fastly.id=not/an/id", "roan.fastly.api-token=hunter2"},
                new String[] {"roan.cloudflare.id=023e105f4ecef8ad9ca31a8372d0c353", "roan.cloudflare.api-token=hunter2\u2603"},
                new String[] {"roan.xkey-purge-url=http://user:hunter2@/", "roan.track.enabled=true"});
        for (String[] input : inputs) {
            assertThat(trace(startupFailure(input))).as("startup failure for %s", List.of(input))
                    .doesNotContain("hunter2");
        }
        RoanProperties properties = new RoanProperties();
        properties.getCloudflare().setId("023e105f4ecef8ad9ca31a8372d0c353");
        properties.getCloudflare().setApiToken("hunter2");
        properties.setXkeyPurgeUrl(List.of("http://user:hunter2@cache:6081"));
        assertThat(properties.toString()).contains("cloudflare=", "xkeyPurgeUrl=").doesNotContain("hunter2");
    }

    /**
     * Roan's and the filter's auto-configuration on an H2 database, tracked, in a web application context without a
     * server: for what startup alone decides, a second faster than starting Tomcat.
     */
    private static WebApplicationContextRunner configured() {
        return new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(Boot.JOOQ, RoanAutoConfiguration.class,
                        RoanTrackingAutoConfiguration.class))
                .withBean(DataSource.class, () -> BootFixture.h2("jdbc:h2:mem:config-" + UUID.randomUUID()))
                .withPropertyValues("roan.track.enabled=true", "roan.purge-url=" + cache.purgeUrl(), "roan.close-timeout=0s",
                        "roan.shutdown-hook=false");
    }

    /** How startup with {@code properties} fails; an assertion error if it does not. */
    private static Throwable startupFailure(String... properties) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        configured().withPropertyValues(properties).run(context -> failure.set(context.getStartupFailure()));
        assertThat(failure.get()).as("%s fails startup", List.of(properties)).isNotNull();
        return failure.get();
    }

    private static String trace(Throwable failure) {
        java.io.StringWriter trace = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(trace));
        return trace.toString();
    }

    private Roan roan() {
        return app.getBean(Roan.class);
    }

    private void start(String... properties) {
        List<String> all = new ArrayList<>(List.of("server.port=0",
                "test.database-url=jdbc:h2:mem:track-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "spring.sql.init.schema-locations=classpath:roan-schema.sql",
                "spring.sql.init.data-locations=classpath:roan-tracked-data.sql",
                "roan.purge-url=" + cache.purgeUrl(), "roan.close-timeout=0s", "roan.shutdown-hook=false",
                "management.health.roan.enabled=false", "logging.level.root=WARN"));
        for (String property : properties) {
            all.removeIf(p -> p.startsWith(property.substring(0, property.indexOf('=') + 1)));
            all.add(property);
        }
        app = new SpringApplicationBuilder(App.class).properties(all.toArray(String[]::new)).run();
    }

    private URI uri(String path) {
        int port = Boot.port(app);
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    private HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return browser.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
