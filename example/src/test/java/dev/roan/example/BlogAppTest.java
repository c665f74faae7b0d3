package dev.roan.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static dev.roan.example.jooq.Tables.POST;

import com.sun.net.httpserver.HttpServer;
import dev.roan.jooq.Explanation;
import dev.roan.jooq.Roan;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Starts the blog on a free port, with a local HTTP endpoint standing in for nginx's purge location. */
class BlogAppTest {

    private static final Duration FLUSH = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<String> purges = new CopyOnWriteArrayList<>();
    /** Paths whose purge the cache has answered, after {@link #answerDelay}. */
    private final List<String> answered = new CopyOnWriteArrayList<>();
    private volatile Duration answerDelay = Duration.ZERO;
    private HttpServer cache;
    private BlogApp app;

    @BeforeAll
    static void logOneLinePerEvent() {
        Logs.configure(false);
    }

    @BeforeEach
    void start() throws IOException {
        cache = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cache.createContext("/", exchange -> {
            purges.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            try {
                Thread.sleep(answerDelay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answered.add(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        cache.start();
        app = BlogApp.start(config(null));
    }

    private BlogApp.Config config(Duration repurgeAfter) {
        String purgeUrl = "http://127.0.0.1:" + cache.getAddress().getPort() + "/purge";
        return new BlogApp.Config(0, "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", purgeUrl,
                repurgeAfter);
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        cache.stop(0);
    }

    @Test
    void homePageShowsTheSeededPostsAndSendsNoPurge() throws Exception {
        HttpResponse<String> home = get("/");

        assertThat(home.statusCode()).as("status of GET /").isEqualTo(200);
        assertThat(home.headers().firstValue("Content-Type")).as("content type").hasValue("text/html; charset=utf-8");
        assertThat(home.body()).as("home page").contains("Latest posts", "Hello, Roan", "Purge after commit", "<form");
        assertThat(get("/posts").body()).as("list page").contains("Hello, Roan", "1 comment");
        assertThat(get("/posts/hello-roan").body()).as("post page").contains("Hello, Roan", "Nice and short.");
        assertThat(app.flushPurges(FLUSH)).as("flush").isTrue();
        assertThat(purges).as("purges after reads only").isEmpty();
    }

    @Test
    void creatingAPostPurgesTheHomeListAndPostPagesAfterCommit() throws Exception {
        // Asked for before it exists (a 404 nginx does not keep, but a cache may): tracked, it read post.slug.
        assertThat(get("/posts/caches-purged").statusCode()).as("status before the post exists").isEqualTo(404);
        HttpResponse<String> created = post("/posts", Map.of("author", "Linus", "title", "Caches, purged!", "body", "Hi."));

        assertThat(created.statusCode()).as("status of POST /posts").isEqualTo(303);
        assertThat(created.headers().firstValue("Location")).as("redirect").hasValue("/posts/caches-purged");
        assertThat(app.flushPurges(FLUSH)).as("flush").isTrue();
        // Both statements of the transaction write tables under both rules, and the insert's slug is what the
        // missing post's page read; how often each path is sent is the library's business (it coalesces), that
        // they are sent after the commit is the example's.
        assertThat(purges).as("purges after a new post and author")
                .containsOnly("GET /purge/", "GET /purge/posts", "GET /purge/posts/caches-purged");
        assertThat(get("/posts/caches-purged").body()).as("new post page").contains("Caches, purged!", "by Linus");
        assertThat(get("/").body()).as("home page").contains("Caches, purged!");
    }

    @Test
    void theRedirectAfterAWriteWaitsUntilItsPurgesAreDelivered() throws Exception {
        // A cache that takes its time: without the wait, the redirect would be answered before the purge.
        answerDelay = Duration.ofMillis(100);
        get("/posts/hello-roan");

        HttpResponse<String> commented = post("/posts/hello-roan/comments", Map.of("author", "Ken", "body", "Now."));

        assertThat(commented.statusCode()).as("status of POST comments").isEqualTo(303);
        assertThat(answered).as("purges answered before the redirect, without any flush")
                .contains("/purge/posts/hello-roan");
    }

    @Test
    void aSecondPostWithTheSameTitleGetsItsOwnSlug() throws Exception {
        post("/posts", Map.of("author", "Ada", "title", "Hello, Roan", "body", ""));

        assertThat(get("/posts/hello-roan-2").statusCode()).as("status of the second post's page").isEqualTo(200);
    }

    @Test
    void commentingPurgesThePostPageAndTheListThatCountsComments() throws Exception {
        get("/posts/hello-roan");
        get("/posts/purge-after-commit");

        HttpResponse<String> commented = post("/posts/hello-roan/comments", Map.of("author", "Ken", "body", "Agreed."));

        assertThat(commented.statusCode()).as("status of POST comments").isEqualTo(303);
        assertThat(commented.headers().firstValue("Location")).as("redirect").hasValue("/posts/hello-roan");
        assertThat(app.flushPurges(FLUSH)).as("flush").isTrue();
        // The post's page read its comments by post_id, which the new comment has; the other post's page read
        // other rows. "/" through the touch of the post (a write of POST).
        assertThat(purges).as("purges after a comment")
                .containsOnly("GET /purge/posts/hello-roan", "GET /purge/posts", "GET /purge/");
        assertThat(get("/posts/hello-roan").body()).as("post page").contains("Agreed.");
    }

    @Test
    void deletingAPostRemovesItAndPurges() throws Exception {
        get("/posts/hello-roan");

        HttpResponse<String> deleted = post("/posts/hello-roan/delete", Map.of());

        assertThat(deleted.statusCode()).as("status of POST delete").isEqualTo(303);
        assertThat(get("/posts/hello-roan").statusCode()).as("status of the deleted post's page").isEqualTo(404);
        assertThat(app.flushPurges(FLUSH)).as("flush").isTrue();
        assertThat(purges).as("purges after a delete")
                .containsOnly("GET /purge/", "GET /purge/posts", "GET /purge/posts/hello-roan");
    }

    @Test
    void withRepurgesEachPurgeIsSentOnceMoreAndTheWriteStillAnswersPromptly() throws Exception {
        app.close();
        app = BlogApp.start(config(Duration.ofMillis(200)));
        get("/posts/hello-roan");

        long start = System.nanoTime();
        HttpResponse<String> commented = post("/posts/hello-roan/comments", Map.of("author", "Ken", "body", "Again."));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(commented.statusCode()).as("status of POST comments").isEqualTo(303);
        // The blog waits at most PURGE_WAIT for the purges; generous here, for slow build machines.
        assertThat(took).as("time to answer the write").isLessThan(BlogApp.PURGE_WAIT.plusSeconds(4));
        assertThat(app.flushPurges(FLUSH)).as("flush, which waits for the re-purge too").isTrue();
        assertThat(purges).as("each purge and its re-purge").containsExactlyInAnyOrder(
                "GET /purge/posts/hello-roan", "GET /purge/posts/hello-roan", "GET /purge/posts", "GET /purge/posts",
                "GET /purge/", "GET /purge/");
    }

    @Test
    void commentingOnAMissingPostIsNotFoundAndPurgesNothing() throws Exception {
        HttpResponse<String> commented = post("/posts/no-such-post/comments", Map.of("author", "Ken", "body", "Hm."));

        assertThat(commented.statusCode()).as("status of POST comments").isEqualTo(404);
        assertThat(app.flushPurges(FLUSH)).as("flush").isTrue();
        assertThat(purges).as("purges after a comment on no post").isEmpty();
    }

    @Test
    void aPostPageIsPurgedByWhatItReadNotByItsTable() throws Exception {
        get("/posts/hello-roan");
        get("/posts/purge-after-commit");

        // The comment names its post by id, as does the touch of the post: the second post's page read those rows,
        // the first post's page other ones.
        post("/posts/purge-after-commit/comments", Map.of("author", "Ken", "body", "Read."));
        assertThat(app.flushPurges(FLUSH)).as("flush").isTrue();

        assertThat(purges).as("purges after a comment on the second post")
                .contains("GET /purge/posts/purge-after-commit").doesNotContain("GET /purge/posts/hello-roan");
    }

    /**
     * How to pin your rules down in your own tests: {@code roan.explain(query)} says which paths a statement would
     * purge, without running it or sending anything. Tracked pages are not rules: what they read decides.
     */
    @Test
    void explainShowsWhatAStatementPurges() {
        Roan roan = app.roan();
        DSLContext dsl = DSL.using(SQLDialect.H2);

        // The blog's own delete (Blog.deletePostStatement): the rules of the pages that list every post.
        Explanation delete = roan.explain(Blog.deletePostStatement(dsl, "hello-roan"));
        assertThat(delete.paths()).as("paths of the delete").containsExactlyInAnyOrder("/", "/posts");
        assertThat(delete.rowsUnknown()).as("rules the delete cannot fill").isEmpty();
    }

    @Test
    void repurgeAfterTakesAPositiveIsoDuration() {
        assertThat(BlogApp.Config.parseRepurgeAfter("PT0.5S")).isEqualTo(Duration.ofMillis(500));
        assertThat(BlogApp.Config.parseRepurgeAfter("pt2s")).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> BlogApp.Config.parseRepurgeAfter("500ms"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ROAN_REPURGE_AFTER")
                .hasMessageContaining("ISO-8601")
                .hasMessageContaining("PT0.5S")
                .hasMessageEndingWith("but was 500ms");
        assertThatThrownBy(() -> BlogApp.Config.parseRepurgeAfter("PT0S"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive")
                .hasMessageContaining("leave it unset");
        assertThatThrownBy(() -> BlogApp.Config.parseRepurgeAfter("-PT1S"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive");
        assertThat(BlogApp.describe(Duration.ofMillis(500))).isEqualTo("500 ms");
        assertThat(BlogApp.describe(Duration.ofSeconds(2))).isEqualTo("2 s");
    }

    @Test
    void anIncompleteFormIsRejectedAndPurgesNothing() throws Exception {
        HttpResponse<String> rejected = post("/posts", Map.of("author", "", "title", "No author"));

        assertThat(rejected.statusCode()).as("status").isEqualTo(400);
        assertThat(rejected.body()).as("error page").contains("Please fill in author.");
        assertThat(app.flushPurges(FLUSH)).as("flush").isTrue();
        assertThat(purges).as("purges after a rejected form").isEmpty();
    }

    @Test
    void unknownPagesAndMethodsAreAnsweredPlainly() throws Exception {
        assertThat(get("/nope").statusCode()).as("status of an unknown page").isEqualTo(404);
        assertThat(get("/posts/no-such-post").statusCode()).as("status of an unknown post").isEqualTo(404);
        HttpResponse<String> postHome = post("/", Map.of());
        assertThat(postHome.statusCode()).as("status of POST /").isEqualTo(405);
        assertThat(postHome.headers().firstValue("Allow")).as("Allow header").hasValue("GET");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, Map<String, String> form) throws IOException, InterruptedException {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + app.port() + path);
    }
}
