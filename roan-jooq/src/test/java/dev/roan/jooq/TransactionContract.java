package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * Hold until commit, the same on every database: a write outside a transaction is purged at once, one inside is
 * purged after the commit, a committed savepoint waits for the outer commit, and many writes of a transaction give one
 * purge per path. {@link TransactionTest} (H2), {@link PostgresTest} and {@link MariaDbTest} run these; each adds what
 * only its database does.
 *
 * <p>A subclass's set-up leaves author 100 in the database and registers the rules "/posts" on POST and "/authors" on
 * AUTHOR before {@link RoanFixture#dsl()}.
 */
abstract class TransactionContract {

    /** The fixture on the database under test. */
    abstract RoanFixture fixture();

    /** How many posts with this slug another connection, not attached to Roan, sees. */
    abstract int postsWithSlug(String slug);

    static void insertPost(DSLContext ctx, String slug) {
        ctx.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, slug).set(POST.TITLE, slug).execute();
    }

    @Test
    void autoCommitWriteIsPurgedAtOnceAndReadersSeeItsRow() throws Exception {
        PurgeServer cache = fixture().cache();
        cache.onArrival(path -> postsWithSlug("auto"));
        insertPost(fixture().dsl(), "auto");
        PurgeServer.Request request = cache.take();
        assertThat(request.path()).isEqualTo("/posts");
        assertThat(request.observed()).as("rows a separate connection sees when the purge arrives").isEqualTo(1);
    }

    @Test
    void transactionIsPurgedAfterItsCommitAndReadersSeeTheRows() throws Exception {
        PurgeServer cache = fixture().cache();
        cache.onArrival(path -> postsWithSlug("tx"));
        fixture().dsl().transaction(c -> {
            insertPost(DSL.using(c), "tx");
            assertThat(fixture().roan().flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.count()).as("purges sent before the commit").isZero();
        });
        PurgeServer.Request request = cache.take();
        assertThat(request.path()).isEqualTo("/posts");
        assertThat(request.observed()).as("rows a separate connection sees when the purge arrives").isEqualTo(1);
    }

    @Test
    void committedSavepointWaitsForTheOuterCommit() {
        DSLContext dsl = fixture().dsl();
        assertThatThrownBy(() -> dsl.transaction(outer -> {
            DSL.using(outer).transaction(inner -> insertPost(DSL.using(inner), "nested"));
            assertThat(fixture().roan().flush(Waits.DELIVERY)).isTrue();
            assertThat(fixture().cache().count()).as("purges sent at the savepoint's release").isZero();
            throw new IllegalStateException("outer fails");
        })).hasMessage("outer fails");
        assertThat(postsWithSlug("nested")).isZero();
        fixture().assertNothingPurged();

        dsl.transaction(outer -> DSL.using(outer).transaction(inner -> insertPost(DSL.using(inner), "nested")));
        assertThat(postsWithSlug("nested")).isEqualTo(1);
        assertThat(fixture().purged()).containsExactly("/posts");
    }

    @Test
    void fiftyInsertsInOneTransactionGiveOnePurgePerPath() {
        fixture().dsl().transaction(c -> {
            for (int i = 0; i < 50; i++) {
                insertPost(DSL.using(c), "p" + i);
            }
            DSL.using(c).update(AUTHOR).set(AUTHOR.NAME, "bob").where(AUTHOR.ID.eq(100L)).execute();
        });
        assertThat(postsWithSlug("p49")).isOne();
        assertThat(fixture().purged()).containsExactlyInAnyOrder("/posts", "/authors");
    }
}
