package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TrackRaceContract} on H2; and the purge that follows the response, after the delay. */
class TrackRaceTest extends TrackRaceContract {

    /** Roan's clock: the race's second purge comes when the test moves it past the delay. */
    private final FakeClock clock = new FakeClock();
    @RegisterExtension
    final RoanFixture fixture = new RoanFixture().clock(clock);

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
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        long atOnce = purgesOfPost1();
        assertThat(atOnce).as("at once").isPositive();

        clock.advance(Tracking.RACE_REPURGE_DELAY.minusNanos(1));
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(purgesOfPost1()).as("not before the delay").isEqualTo(atOnce);

        clock.advance(Duration.ofNanos(1));
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(purgesOfPost1()).as("after the delay").isEqualTo(atOnce + 1);
    }

    private long purgesOfPost1() {
        return fixture.cache().paths().stream().filter("/posts/1"::equals).count();
    }
}
