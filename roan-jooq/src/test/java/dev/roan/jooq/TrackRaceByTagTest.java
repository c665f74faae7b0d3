package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.roan.testkit.PurgeServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A render that overlapped a commit of its keys, behind a cache that purges by tag: its purges after the response go
 * by its keys too, as Fastly and Cloudflare refuse a URL outside their zone.
 */
class TrackRaceByTagTest {

    /** A local endpoint in Varnish's place: it records each xkey purge's header. */
    private final PurgeServer varnish = new PurgeServer();
    /** Roan's clock: the race's second purge comes when the test moves it past the delay. */
    private final FakeClock clock = new FakeClock();
    @RegisterExtension
    final RoanFixture fixture = new RoanFixture().clock(clock)
            .builder(b -> b.xkeyPurgeUrls(varnish.purgeUrl().replace("/purge", "")));

    @AfterEach
    void tearDown() {
        varnish.close();
    }

    @Test
    void theRacePurgesGoByThePagesKeys() throws Exception {
        fixture.db().onSeparateConnection(d -> {
            d.insertInto(AUTHOR).set(AUTHOR.ID, 100L).set(AUTHOR.NAME, "ann").execute();
            return d.insertInto(POST).set(POST.ID, 1L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "a")
                    .set(POST.TITLE, "A").execute();
        });
        Roan roan = fixture.roan();
        roan.track("/posts/1", () -> {
            fixture.dsl().selectFrom(POST).where(POST.ID.eq(1L)).fetch();
            CompletableFuture.runAsync(() -> fixture.dsl().update(POST).set(POST.TITLE, "new")
                    .where(POST.ID.eq(1L)).execute()).join();
            return null;
        }, (name, value) -> { });
        String tag = Dependency.row("post", "id", "1").tag();

        flush(roan);
        long atOnce = purgesByTag(tag);
        assertThat(atOnce).as("the commit's purge").isPositive();

        clock.advance(Tracking.RACE_REPURGE_DELAY);
        flush(roan);

        assertThat(purgesByTag(tag)).as("and the race's after the response").isEqualTo(atOnce + 1);
    }

    /** Flushes, moving the clock through the coalescing windows of follow-ups, far less than the race's delay. */
    private void flush(Roan roan) {
        Duration moved = Duration.ZERO;
        while (!roan.flush(Duration.ofMillis(5))) {
            assertThat(moved).as("flushed within the race's delay").isLessThan(Tracking.RACE_REPURGE_DELAY);
            clock.advance(Roan.DEFAULT_COALESCE_WINDOW);
            moved = moved.plus(Roan.DEFAULT_COALESCE_WINDOW);
        }
    }

    private long purgesByTag(String tag) {
        return varnish.received().stream().filter(r -> tag.equals(r.header("xkey-purge"))).count();
    }
}
