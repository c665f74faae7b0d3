package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/**
 * The render/commit race of {@link Roan#track}, driven deterministically: inside the render, after its read, another
 * thread commits a write of what it read, and that write's purges are resolved (flushed) before the render registers
 * its page, which the index did not know yet. The page may then hold the old row: it must not stay cached.
 */
abstract class TrackRaceContract {

    abstract RoanFixture fixture();

    /** Posts 1 and 2 exist, with titles "A" and "B". */
    abstract void givenTwoPosts() throws Exception;

    private String renderWhileAnotherThreadCommits(long written, List<String> headers) {
        RoanFixture fixture = fixture();
        Roan roan = fixture.roan();
        DSLContext dsl = fixture.dsl();
        return roan.track("/posts/1", () -> {
            String title = dsl.selectFrom(POST).where(POST.ID.eq(1L)).fetchOne().getTitle();
            CompletableFuture.runAsync(() -> dsl.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "new")
                    .where(POST.ID.eq(written)).execute())).join();
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(fixture.cache().paths()).as("the write's own purges: the page is not known yet")
                    .doesNotContain("/posts/1");
            return title;
        }, (name, value) -> headers.add(name + ": " + value));
    }

    @Test
    void aCommitOfWhatTheRenderReadMakesItsPageUncachedAndPurgedAfterIt() throws Exception {
        givenTwoPosts();
        fixture().settle();
        List<String> headers = Collections.synchronizedList(new ArrayList<>());

        String title = renderWhileAnotherThreadCommits(1L, headers);

        assertThat(title).as("the render read the old row").isEqualTo("A");
        assertThat(headers).containsExactly("Cache-Control: no-store");
        assertThat(fixture().purged()).contains("/posts/1");
        assertThat(fixture().roan().tracking().overlappedRenders()).isEqualTo(1);
    }

    @Test
    void aCommitOfSomethingElseChangesNothing() throws Exception {
        givenTwoPosts();
        fixture().settle();
        List<String> headers = Collections.synchronizedList(new ArrayList<>());

        renderWhileAnotherThreadCommits(2L, headers);

        assertThat(headers).isEmpty();
        fixture().assertNothingPurged();
        assertThat(fixture().roan().tracking().overlappedRenders()).isZero();
    }
}
