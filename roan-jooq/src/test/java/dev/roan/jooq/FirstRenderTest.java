package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import dev.roan.testkit.PurgeServer;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the first tracked render of a process says, once, about the pages the cache stored before it: an index in
 * memory does not know them (and purges the overflow paths, if set, to clear them); caches that purge by tag without a
 * shared index learn pins from this instance's renders only.
 */
class FirstRenderTest {

    private final TestDb db = new TestDb();
    private final PurgeServer cache = new PurgeServer();

    FirstRenderTest() {
        db.execute(TestRows.ANN_AND_POSTS_1_AND_2);
    }

    @AfterEach
    void close() throws Exception {
        cache.close();
        db.close();
    }

    /** Two renders through a Roan built so: the INFO lines they logged. */
    private List<String> twoRenders(Roan.Builder builder) {
        try (Roan roan = builder.closeTimeout(Duration.ofMillis(200)).build(); LogCapture log = new LogCapture()) {
            DSLContext dsl = DSL.using(roan.attach(db.configuration()));
            for (long id = 1; id <= 2; id++) {
                long post = id;
                roan.track("/posts/" + id, () -> dsl.selectFrom(POST).where(POST.ID.eq(post)).fetchOne().getTitle());
            }
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            return log.messages(Level.INFO).stream().filter(m -> m.contains("first tracked render")
                    || m.contains("unknown to it") || m.contains("renders only")).toList();
        }
    }

    @Test
    void anIndexInMemorySaysOnceThatItDoesNotKnowWhatTheCacheStoredBefore() {
        assertThat(twoRenders(Roan.builder().purgeUrl(cache.purgeUrl()))).singleElement().asString()
                .contains("pages the cache stored before this process started are unknown to it", "onOverflowPurge");
        assertThat(cache.paths()).isEmpty();
    }

    @Test
    void withOverflowPathsTheFirstRenderPurgesThem() {
        assertThat(twoRenders(Roan.builder().purgeUrl(cache.purgeUrl()).onOverflowPurge("/"))).singleElement()
                .asString().contains("purges [/] (onOverflowPurge) at its first tracked render");
        assertThat(cache.paths()).containsExactly("/");
    }

    @Test
    void cachesThatPurgeByTagWithoutASharedIndexLearnPinsFromThisInstanceOnly() {
        assertThat(twoRenders(Roan.builder().xkeyPurgeUrls(cache.purgeUrl().replace("/purge", ""))))
                .singleElement().asString().contains("from this instance's renders only", "pageIndex(dataSource)");
    }

    @Test
    void aSharedIndexSaysNothing() {
        assertThat(twoRenders(Roan.builder().purgeUrl(cache.purgeUrl()).pageIndex(db.dataSource))).isEmpty();
    }
}
