package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Roan#track}: the url given to track is checked before the render. */
class TrackUrlTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();

    @Test
    void controlCharactersAreRefused() {
        Roan roan = fixture.roan();
        for (String url : new String[] {"/a\r\nX-Injected: 1", "/a\nb", "/a\u0000b", "/a\tb"}) {
            assertThatIllegalArgumentException().as(url).isThrownBy(() -> roan.track(url, () -> "x"))
                    .withMessageContaining("track()");
        }
    }

    @Test
    void nonAsciiIsTakenOrRefusedAtOnce() {
        Roan roan = fixture.roan();
        assertThat(roan.track("/autoren/müller", () -> "ok")).isEqualTo("ok");
    }
}
