package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tracked page rendered for caches that purge by tag carries its keys in each such cache's header, set on the
 * response through the callback given to {@code track}; without such a cache it carries none. No cache is reached:
 * {@code TrackXkeyTest} proves against a real Varnish that the header is what it purges by.
 */
class TrackTagHeaderTest {

    private final TestDb db = new TestDb();
    private Roan roan;

    TrackTagHeaderTest() {
        db.execute(TestRows.ANN_AND_POSTS_1_AND_2);
    }

    @AfterEach
    void close() throws Exception {
        roan.close();
        db.close();
    }

    private Map<String, String> render(Roan.Builder builder) {
        roan = builder.closeTimeout(Duration.ofMillis(200)).build();
        DSLContext dsl = DSL.using(roan.attach(db.configuration()));
        Map<String, String> headers = new LinkedHashMap<>();
        String title = roan.track("/posts/1", () -> dsl.selectFrom(POST).where(POST.ID.eq(1L)).fetchOne().getTitle(),
                headers::put);
        assertThat(title).isNotNull();
        return headers;
    }

    @Test
    void aPageForVarnishWithXkeyCarriesItsKeysInTheXkeyHeader() {
        Map<String, String> headers = render(Roan.builder().xkeyPurgeUrls("http://localhost:1"));

        assertThat(headers).containsOnlyKeys("xkey");
        assertThat(headers.get("xkey")).contains(Dependency.row("post", "id", "1").tag());
    }

    @Test
    void aPageCarriesTheHeadersChosenOnTheBuilderInsteadOfTheCachesOwn() {
        Map<String, String> headers = render(Roan.builder().xkeyPurgeUrls("http://localhost:1")
                .tagHeader(CacheTagHeader.FASTLY_SURROGATE_KEY).tagHeader(CacheTagHeader.AKAMAI_EDGE_CACHE_TAG));

        assertThat(headers).containsOnlyKeys("Surrogate-Key", "Edge-Cache-Tag");
        assertThat(headers.values()).allSatisfy(value -> assertThat(value)
                .contains(Dependency.row("post", "id", "1").tag()));
    }

    @Test
    void aPageForCachesThatPurgeUrlsCarriesNoTagHeader() {
        assertThat(render(Roan.builder().purgeUrl("http://localhost:1/purge"))).isEmpty();
    }
}
