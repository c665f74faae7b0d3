package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** What {@code roan.explain(query)} answers, as printed: the paths, and only the parts that have something to say. */
class ExplanationTest {

    @Test
    void itsTextNamesThePathsAndOnlyTheUnknownRowsAndRelatedReadsThereAre() {
        assertThat(new Explanation(Set.of("/posts/1"), Set.of(), List.of()))
                .hasToString("Explanation[paths=[/posts/1]]");
        assertThat(new Explanation(Set.of("/posts"), Set.of("/authors/{author_id}"), List.of()))
                .hasToString("Explanation[paths=[/posts], rowsUnknown=[/authors/{author_id}]]");
        assertThat(new Explanation(Set.of(), Set.of(), List.of("select post.author_id from post")))
                .hasToString("Explanation[paths=[], relatedReads=[select post.author_id from post]]");
    }

    @Test
    void aQueryBuiltWithoutAConfigurationIsExplainedAndNoQueryIsRefused() {
        try (Roan roan = Roan.builder().purgeUrl("http://localhost:1/purge").build()) {
            roan.purge("/posts").onWrite(dev.roan.jooq.test.db.Tables.POST);

            assertThat(roan.explain(org.jooq.impl.DSL.update(dev.roan.jooq.test.db.Tables.POST)
                    .set(dev.roan.jooq.test.db.Tables.POST.TITLE, "New")
                    .where(dev.roan.jooq.test.db.Tables.POST.ID.eq(1L))).paths()).containsExactly("/posts");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> roan.explain(null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query is null");
        }
    }
}
