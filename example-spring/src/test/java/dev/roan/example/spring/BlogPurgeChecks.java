package dev.roan.example.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.jooq.Roan;
import dev.roan.testkit.PurgeServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The blog's writes through its HTTP endpoints, with a real local purge endpoint: what each purges, and that the purge
 * comes after Spring's commit. Run against H2 ({@link BlogApplicationTest}) and PostgreSQL
 * ({@link BlogApplicationPostgresTest}).
 */
abstract class BlogPurgeChecks {

    private static final Duration FLUSH = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** The blog's port. */
    abstract int port();

    /** The purge endpoint the blog's Roan sends to ({@code roan.purge-url}). */
    abstract PurgeServer cache();

    /** The blog's database, for reads on a connection of their own. */
    abstract DataSource dataSource();

    /** The blog's Roan bean. */
    abstract Roan roan();

    /** Starts each check with no purges pending and none recorded. */
    void forgetPurges() {
        roan().flush(FLUSH);
        cache().clear();
    }

    @Test
    void pagesRender() throws Exception {
        HttpResponse<String> home = get("/");
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(home.body()).contains("Hello, Roan", "Purge after commit");
        assertThat(get("/posts").body()).contains("Hello, Roan");
        assertThat(get("/posts/hello-roan").body()).contains("This page is cached by nginx");
        assertThat(get("/posts/no-such-post").statusCode()).isEqualTo(404);
    }

    @Test
    void newPostPurgesHomeListAndItsPageAfterTheCommit() throws Exception {
        forgetPurges();
        String title = "Spring post " + UUID.randomUUID();
        String slug = Blog.slug(title);
        cache().onArrival(path -> postExists(slug));

        HttpResponse<String> created = post("/posts", Map.of("author", "Author " + UUID.randomUUID(),
                "title", title, "body", "Written through Spring MVC."));

        assertThat(created.statusCode()).isEqualTo(303);
        assertThat(created.headers().firstValue("Location")).hasValue("/posts/" + slug);
        // Each path once, and each purge saw the committed post on a connection of its own.
        Map<String, Object> purged = take(3);
        assertThat(purged).containsOnlyKeys("/", "/posts", "/posts/" + slug);
        assertThat(purged.values()).containsOnly(true);
        assertThat(get("/posts/" + slug).body()).contains(title);
        assertNoMorePurges();
    }

    @Test
    void commentPurgesItsPostPage() throws Exception {
        forgetPurges();
        String comment = "Comment " + UUID.randomUUID();
        cache().onArrival(path -> commentExists(comment));

        HttpResponse<String> commented = post("/posts/purge-after-commit/comments",
                Map.of("author", "Ken", "body", comment));

        assertThat(commented.statusCode()).isEqualTo(303);
        assertThat(commented.headers().firstValue("Location")).hasValue("/posts/purge-after-commit");
        // The touch of the post's record fills /posts/{slug}; it writes POST, so "/" too.
        Map<String, Object> purged = take(3);
        assertThat(purged).containsOnlyKeys("/", "/posts", "/posts/purge-after-commit");
        assertThat(purged.values()).containsOnly(true);
        assertThat(get("/posts/purge-after-commit").body()).contains(comment);
        assertNoMorePurges();
    }

    @Test
    void theRedirectIsAnsweredOnceThePurgesAreDelivered() throws Exception {
        forgetPurges();
        List<String> answered = new java.util.concurrent.CopyOnWriteArrayList<>();
        // A cache that takes its time: without roan.read-your-writes the redirect would come first.
        cache().respond(path -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answered.add(path);
            return PurgeServer.Answer.status(200);
        });
        try {
            String comment = "Comment " + UUID.randomUUID();
            HttpResponse<String> commented = post("/posts/purge-after-commit/comments",
                    Map.of("author", "Ken", "body", comment));

            assertThat(commented.statusCode()).isEqualTo(303);
            assertThat(answered).as("purges answered before the redirect, without waiting for them here")
                    .contains("/posts/purge-after-commit");
        } finally {
            cache().respond(path -> PurgeServer.Answer.status(200));
        }
    }

    @Test
    void rolledBackWritePurgesNothing() throws Exception {
        forgetPurges();
        String author = "Rolled back " + UUID.randomUUID();

        // A new author is inserted first, then the post whose slug another post has: the unique constraint rejects
        // it inside the @Transactional method, and Spring rolls the author back too.
        HttpResponse<String> rejected = post("/posts", Map.of("author", author, "title", "Taken",
                "body", "Never published.", "slug", "hello-roan"));

        assertThat(rejected.statusCode()).isEqualTo(409);
        assertThat(rejected.body()).contains("There is already a post at /posts/hello-roan");
        assertThat(count("select count(*) from author where name = ?", author)).isZero();
        assertNoMorePurges();
    }

    /**
     * Proves that nothing else is owed: Roan has nothing pending, and a marker write's purges are the next to arrive.
     */
    private void assertNoMorePurges() throws Exception {
        assertThat(roan().flush(FLUSH)).isTrue();
        assertThat(cache().paths()).hasSizeLessThanOrEqualTo(3);
        int before = cache().paths().size();
        String title = "Marker " + UUID.randomUUID();
        assertThat(post("/posts", Map.of("author", "Marker", "title", title)).statusCode()).isEqualTo(303);
        assertThat(roan().flush(FLUSH)).isTrue();
        List<String> after = cache().paths().subList(before, cache().paths().size());
        assertThat(after).containsExactlyInAnyOrder("/", "/posts", "/posts/" + Blog.slug(title));
    }

    /** The next {@code count} purges, by path, with what each observed on arrival; fails on a path purged twice. */
    private Map<String, Object> take(int count) throws InterruptedException {
        Map<String, Object> purged = new LinkedHashMap<>();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PurgeServer.Request request = cache().take();
            paths.add(request.path());
            purged.put(request.path(), request.observed());
        }
        assertThat(paths).doesNotHaveDuplicates();
        return purged;
    }

    private boolean postExists(String slug) {
        return count("select count(*) from post where slug = ?", slug) == 1;
    }

    private boolean commentExists(String body) {
        return count("select count(*) from comment where body = ?", body) == 1;
    }

    private int count(String sql, String value) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, value);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, Map<String, String> form) throws IOException, InterruptedException {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }
}
