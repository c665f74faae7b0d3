package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.roan.testkit.PurgeServer;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A jOOQ transaction that writes a table no tracked page had read yet produces no key; a page rendered before its
 * commit may read the rows it changed, and pin them. So its commit owes the keys of what was first pinned since its
 * first write, nested transactions included, and only those.
 */
class TransactionPinsTest {

    private final TestDb db = new TestDb();
    private final PurgeServer cache = new PurgeServer();
    private final Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).closeTimeout(Duration.ofMillis(200)).build();
    private final DSLContext dsl;

    TransactionPinsTest() {
        db.execute(TestRows.ANN_AND_POSTS_1_AND_2);
        dsl = DSL.using(roan.attach(db.configuration()));
    }

    @AfterEach
    void close() throws Exception {
        roan.close();
        cache.close();
        db.close();
    }

    private String postPage(long id) {
        return roan.track("/posts/" + id, () -> dsl.selectFrom(POST).where(POST.ID.eq(id)).fetchOne().getTitle());
    }

    private String authorPage(long id) {
        return roan.track("/authors/" + id, () -> dsl.selectFrom(AUTHOR).where(AUTHOR.ID.eq(id)).fetchOne().getName());
    }

    @Test
    void aPageThatPinnedWhatANestedTransactionWroteIsPurgedAfterTheOutermostCommit() {
        authorPage(100);
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();

        dsl.transaction(outer -> {
            DSL.using(outer).transaction(inner ->
                    DSL.using(inner).update(POST).set(POST.TITLE, "New").where(POST.ID.eq(1L)).execute());
            assertThat(postPage(1)).as("read before the commit").isNotEqualTo("New");
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.paths()).as("nothing before the commit").isEmpty();
        });

        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).as("the post page, pinned since the write; not the author page, pinned before")
                .containsExactly("/posts/1");
    }

    @Test
    void theEarliestWriteOfTheNestedTransactionsCounts() {
        dsl.transaction(outer -> {
            DSL.using(outer).transaction(first ->
                    DSL.using(first).update(POST).set(POST.TITLE, "New").where(POST.ID.eq(1L)).execute());
            postPage(1);
            DSL.using(outer).transaction(second ->
                    DSL.using(second).update(AUTHOR).set(AUTHOR.NAME, "Ann").where(AUTHOR.ID.eq(100L)).execute());
        });

        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).as("pinned after the first write, before the second").contains("/posts/1");
    }

    @Test
    void aRolledBackTransactionOwesNothingForWhatWasPinnedMeanwhile() {
        try {
            dsl.transaction(tx -> {
                DSL.using(tx).update(POST).set(POST.TITLE, "New").where(POST.ID.eq(1L)).execute();
                postPage(1);
                throw new IllegalStateException("roll back");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }

        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).isEmpty();
    }
}
