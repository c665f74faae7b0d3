package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;

import dev.roan.testkit.Nginx;
import dev.roan.testkit.RawHttp;
import dev.roan.testkit.Upstream;
import dev.roan.testkit.Varnish;
import io.github.resilience4j.retry.RetryConfig;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A search page keyed by its query string, as petclinic's owner search: {@code /authors?name=Van+Winkle}, requested
 * as a browser's GET form sends it ({@code application/x-www-form-urlencoded}, a space as {@code +}), cached by a real
 * nginx under its {@code $request_uri} (and by Varnish under its {@code req.url}), and purged when the author is
 * renamed by id: Roan reads the old name before the update ({@link RowsBefore}) and encodes both names as the form
 * does ({@link PathTemplate}). The same search spelled otherwise is another page, which stays cached.
 */
class QueryStringCacheTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** What a browser sends for a form field name="name" holding "Van Winkle". */
    private static final String SEARCH = "/authors?name=Van+Winkle";

    @RegisterExtension
    final SiteFixture site = new SiteFixture();
    private LogCapture log;
    private TestDb db;
    private Upstream app;

    @BeforeEach
    void setUp() {
        log = site.closing(new LogCapture());
        db = site.db();
        db.onSeparateConnection(c -> c.insertInto(AUTHOR).set(AUTHOR.ID, 1L).set(AUTHOR.NAME, "Van Winkle").execute());
        app = site.app(path -> path + ": " + names(db));
    }

    private static String names(TestDb db) {
        return db.onSeparateConnection(c -> c.select(AUTHOR.NAME).from(AUTHOR).orderBy(AUTHOR.ID).fetch(AUTHOR.NAME))
                .stream().collect(Collectors.joining(", "));
    }

    @ParameterizedTest
    @MethodSource("dev.roan.jooq.NginxTest#purgeLocationConfigs")
    void renamingPurgesTheSearchPageABrowserRequestedThroughNginx(NginxTest.Documented config) {
        Nginx nginx = site.closing(config.start().apply(app.address()));
        renameAndCheck(nginx.baseUrl(), Roan.builder().purgeUrl(nginx.purgeUrl()));
        // Each configuration logs in its own format: the request and its status, in either.
        List<String> purges = nginx.accessLog().stream().filter(line -> line.contains("/purge/")).toList();
        assertThat(purges).as("purges of the old name's page and the new one's, encoded as the browser's form")
                .hasSize(2)
                .anySatisfy(line -> assertThat(line).contains("GET /purge/authors?name=Van+Winkle ").contains(" 200 "))
                .anySatisfy(line -> assertThat(line).contains("GET /purge/authors?name=Rip+Van+Winkle "));
    }

    @Test
    void renamingPurgesTheSearchPageABrowserRequestedThroughVarnish() {
        Varnish varnish = site.closing(Varnish.start(app.address()));
        renameAndCheck(varnish.baseUrl(), Roan.builder().purgeUrl(varnish.purgeUrl()).purgeMethod("PURGE"));
    }

    /**
     * Caches the search and its other spellings, renames the author by id in a transaction, and checks that the
     * search a browser sends was purged and shows the new name, while the other spellings are still cached.
     */
    private void renameAndCheck(String baseUrl, Roan.Builder builder) {
        Roan roan = site.closing(builder.retryConfig(RetryConfig.custom().maxAttempts(3)
                .waitDuration(Duration.ofMillis(20)).build()).closeTimeout(Duration.ofMillis(200)).build());
        roan.purge("/authors?name={name}").onUpdate(AUTHOR);
        DSLContext dsl = DSL.using(roan.attach(db.configuration()));
        NginxTest.assertCached(baseUrl, SEARCH, null, "Van Winkle");
        // The same search spelled otherwise is another page to the cache: another order, another argument, %20.
        List<String> otherSpellings = List.of("/authors?page=1&name=Van+Winkle", "/authors?name=Van+Winkle&page=2",
                "/authors?name=Van%20Winkle");
        for (String other : otherSpellings) {
            NginxTest.assertCached(baseUrl, other, null, "Van Winkle");
        }

        dsl.transaction(tx -> tx.dsl().update(AUTHOR).set(AUTHOR.NAME, "Rip Van Winkle").where(AUTHOR.ID.eq(1L))
                .execute());
        assertThat(roan.flush(WAIT)).as("flush").isTrue();

        NginxTest.assertPurged(baseUrl, SEARCH, null, "Rip Van Winkle");
        for (String other : otherSpellings) {
            RawHttp.Response page = RawHttp.get(baseUrl, other);
            String verdict = page.header("X-Cache-Status").isEmpty() ? page.header("X-Cache")
                    : page.header("X-Cache-Status");
            assertThat(verdict).as("%s, keyed apart, is not purged", other).isEqualTo("HIT");
        }
        assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
    }
}
