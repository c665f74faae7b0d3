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
    @RegisterExtension
    final RoanFixture fixture = new RoanFixture()
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

        long deadline = System.nanoTime() + Waits.DELIVERY.toNanos() + Tracking.RACE_REPURGE_DELAY.toNanos();
        long byTag = 0;
        while (System.nanoTime() < deadline && byTag < 2) {
            Thread.sleep(Duration.ofMillis(20).toMillis());
            byTag = varnish.received().stream().filter(r -> tag.equals(r.header("xkey-purge"))).count();
        }
        assertThat(byTag).as("the commit's purge, and the race's after the response").isGreaterThanOrEqualTo(2);
    }
}
