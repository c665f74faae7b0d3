package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TrackRaceContract} on H2; and the purge that follows the response, after the delay. */
class TrackRaceTest extends TrackRaceContract {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();

    @Override
    RoanFixture fixture() {
        return fixture;
    }

    @Override
    void givenTwoPosts() {
        fixture.db().onSeparateConnection(d -> {
            d.insertInto(AUTHOR).set(AUTHOR.ID, 100L).set(AUTHOR.NAME, "ann").execute();
            d.insertInto(POST).set(POST.ID, 1L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "a").set(POST.TITLE, "A")
                    .execute();
            return d.insertInto(POST).set(POST.ID, 2L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "b")
                    .set(POST.TITLE, "B").execute();
        });
    }

    @Test
    void thePageIsPurgedOnceMoreAfterTheDelayWhenTheCacheHasStoredIt() throws Exception {
        givenTwoPosts();
        fixture.settle();
        Roan roan = fixture.roan();
        roan.track("/posts/1", () -> {
            fixture.dsl().selectFrom(POST).where(POST.ID.eq(1L)).fetch();
            java.util.concurrent.CompletableFuture.runAsync(() -> fixture.dsl().update(POST).set(POST.TITLE, "new")
                    .where(POST.ID.eq(1L)).execute()).join();
            return roan.flush(Waits.DELIVERY);
        });
        long deadline = System.nanoTime() + Waits.DELIVERY.toNanos() + Tracking.RACE_REPURGE_DELAY.toNanos();
        List<String> purged = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            purged = fixture.cache().paths();
            if (purged.stream().filter("/posts/1"::equals).count() >= 2) {
                break;
            }
            Thread.sleep(Duration.ofMillis(20).toMillis());
        }
        assertThat(purged).as("at once, and after the delay").containsSubsequence("/posts/1", "/posts/1");
    }
}
