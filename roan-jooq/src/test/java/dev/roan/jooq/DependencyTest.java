package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class DependencyTest {

    @Test
    void targetsNeverLookLikePathsAndReadBack() {
        for (Dependency d : new Dependency[] {Dependency.table("OWNERS"), Dependency.row("Owners", "ID", "4"),
                Dependency.row("owners", "last_name", "Van Winkle, Jr./é %2F\r\n."), Dependency.row("t", "c", ".")}) {
            String target = d.target();
            assertThat(Dependency.isTarget(target)).as(target).isTrue();
            assertThat(target).as("no space, comma, CR or LF").doesNotContainPattern("[ ,\\r\\n]").doesNotStartWith("/");
            assertThat(Dependency.ofTarget(target)).as(target).isEqualTo(d);
        }
        assertThat(Dependency.isTarget("/owners/4")).isFalse();
        assertThat(Dependency.row("Owners", "ID", "4").target()).isEqualTo("#r:owners.id=4");
        assertThat(Dependency.table("Owners").target()).isEqualTo("#t:owners");
    }

    @Test
    void tagsAreShortTokens() {
        assertThat(Dependency.table("owners").tag()).isEqualTo("roan-t-owners");
        String tag = Dependency.row("owners", "last_name", "Van Winkle, Jr.").tag();
        assertThat(tag).matches("roan-r-[0-9a-f]{16}");
        assertThat(Dependency.row("owners", "last_name", "Van Winkle").tag()).isNotEqualTo(tag);
        assertThat(Dependency.row("OWNERS", "LAST_NAME", "Van Winkle, Jr.").tag()).isEqualTo(tag);
    }

    @Test
    void refusesHalfARowAndForeignTargets() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Dependency("t", "c", null));
        assertThatIllegalArgumentException().isThrownBy(() -> Dependency.ofTarget("#x:owners"));
        assertThat(Dependency.row("owners", "id", "4").tableKey()).isEqualTo(Dependency.table("owners"));
    }
}
