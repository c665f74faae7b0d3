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
}
