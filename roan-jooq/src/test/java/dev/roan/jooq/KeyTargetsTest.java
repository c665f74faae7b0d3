package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Dependency}: a key survives its trip as a purge target (held, outboxed, expanded, tagged). */
class KeyTargetsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a+b", "c++", "50%", "%41", "a b", "x=y", "é", "a/b", "a\r\nb", "", "*"})
    void aRowKeyComesBackFromItsTargetUnchanged(String value) {
        Dependency key = Dependency.row("post", "slug", value);

        assertThat(Dependency.ofTarget(key.target())).isEqualTo(key);
        assertThat(Dependency.ofTarget(key.target()).tag()).isEqualTo(key.tag());
    }
}
