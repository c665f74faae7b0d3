package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Roan#track} in durable mode: the keys a transaction owes go through the outbox table. */
class TrackDurableTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();

    /**
     * A transaction's write ran before any tracked read pinned post.id; a render on another thread read the old row
     * and pinned it; the rows the commit writes to the outbox hold the keys of every row of post.
     */
    @Test
    void aWriteInFlightWhenAColumnIsFirstPinnedPurgesThePageThroughTheOutbox() {
        fixture.builder(b -> b.outbox(fixture.db().dataSource));
        fixture.db().onSeparateConnection(d -> {
            d.insertInto(AUTHOR).set(AUTHOR.ID, 100L).set(AUTHOR.NAME, "ann").execute();
            return d.insertInto(POST).set(POST.ID, 1L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "a")
                    .set(POST.TITLE, "A").execute();
        });
        Roan roan = fixture.roan();

        fixture.dsl().transaction(tx -> {
            tx.dsl().update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();
            String seen = CompletableFuture.supplyAsync(() -> roan.track("/posts/1",
                    () -> fixture.dsl().selectFrom(POST).where(POST.ID.eq(1L)).fetchOne().getTitle())).join();
            assertThat(seen).isEqualTo("A");
        });

        assertThat(fixture.purgedOnce()).containsExactly("/posts/1");
    }
}
