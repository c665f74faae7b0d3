package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.testkit.PurgeServer;
import java.time.Duration;

import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Durable mode: purges by hand go through the outbox table, and awaitPurges waits for their delivery. */
class ReadYourWritesDurableTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    @RegisterExtension
    final HeldAnswers held = new HeldAnswers("/held");
    private PurgeServer cache;
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        cache = fixture.cache().respond(held);
        roan = fixture.builder(b -> b.outbox(fixture.db().dataSource)).roan();
        roan.purge("/held/posts").onWrite(POST);
        dsl = fixture.dsl();
        // Tracking starts with the first call.
        assertThat(roan.awaitPurges(Duration.ZERO)).isTrue();
        fixture.db().onSeparateConnection(d -> d.insertInto(AUTHOR).set(AUTHOR.ID, 100L).set(AUTHOR.NAME, "ann")
                .execute());
    }

    @Test
    void aPurgeByHandOutsideATransactionIsWrittenToTheOutboxFirst() {
        long before = roan.outbox().rowsWritten();

        roan.purgeAfterCommit("/owners/6");

        assertThat(roan.outbox().rowsWritten() - before).as("rows written before it is sent").isEqualTo(1);
        assertThat(fixture.purged()).containsExactly("/owners/6");
    }

    @Test
    void aPurgeByHandInATransactionIsWrittenWithItsPurges() {
        long before = roan.outbox().rowsWritten();

        dsl.transaction(tx -> {
            tx.dsl().insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "a").set(POST.TITLE, "a").execute();
            roan.purgeAfterCommit("/owners/6", "/held/posts");
        });

        assertThat(roan.outbox().rowsWritten() - before).as("one row per path").isEqualTo(2);
        held.release();
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/owners/6", "/held/posts");
    }

    @Test
    void awaitPurgesWaitsForDeliveryOfTheTransactionsRows() {
        dsl.transaction(tx -> roan.purgeAfterCommit("/held/owners/6"));
        assertThat(roan.awaitPurges(Duration.ofMillis(100))).isFalse();

        dsl.transaction(tx -> roan.purgeAfterCommit("/held/owners/7"));
        held.release();
        assertThat(roan.awaitPurges(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).contains("/held/owners/7");
    }

    @Test
    void awaitPurgesWaitsForAnAutoCommittedWrite() {
        dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "a").set(POST.TITLE, "a").execute();

        assertThat(roan.awaitPurges(Duration.ofMillis(100))).isFalse();
        held.release();
        dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "b").set(POST.TITLE, "b").execute();
        assertThat(roan.awaitPurges(Waits.DELIVERY)).isTrue();
    }
}
