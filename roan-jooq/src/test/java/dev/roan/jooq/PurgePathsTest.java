package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.Test;

/** How registered paths are checked and encoded, and how values are shown in messages. */
class PurgePathsTest {

    @Test
    void aPathMustBeGivenAndStartWithASlash() {
        assertThatThrownBy(() -> PurgePaths.normalize(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("such as \"/posts\"");
        assertThatThrownBy(() -> PurgePaths.normalize("posts")).hasMessageContaining("write \"/posts\"");
        assertThatThrownBy(() -> PurgePaths.normalize("")).hasMessageContaining("must start with '/': write \"/\"");
        assertThat(PurgePaths.normalize("/")).isEqualTo("/");
    }

    @Test
    void leadingOrTrailingWhitespaceIsRefusedWithThePathToWriteInstead() {
        assertThatThrownBy(() -> PurgePaths.normalize(" /posts")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starts with whitespace").hasMessageContaining("write \"/posts\"");
        assertThatThrownBy(() -> PurgePaths.normalize("/posts \t")).hasMessageContaining("ends with whitespace")
                .hasMessageContaining("write \"/posts\"");
        assertThatThrownBy(() -> PurgePaths.normalize("  posts  ")).hasMessageContaining("starts with whitespace")
                .hasMessageContaining("write \"/posts\"");
        assertThatThrownBy(() -> PurgePaths.normalize("\u00a0/posts")).as("a no-break space")
                .hasMessageContaining("starts with whitespace");
        assertThatThrownBy(() -> PurgePaths.normalize("/posts\u2003")).as("an em space")
                .hasMessageContaining("ends with whitespace");
        assertThatThrownBy(() -> PurgePaths.normalize("   ")).hasMessageContaining("write \"/\"");
        assertThatThrownBy(() -> PurgePaths.normalize(" ")).hasMessageContaining("write \"/\"");
        assertThat(PurgePaths.normalize("/a b")).as("inside, a space is a character of the path").isEqualTo("/a%20b");
    }

    @Test
    void dotSegmentsAreRefusedWithThePathACacheWouldSee() {
        assertDotSegment("/a/../b", "/b");
        assertDotSegment("/../posts", "/posts");
        assertDotSegment("/%2e%2e/posts", "/posts");
        assertDotSegment("/%2E./x/%2E", "/x/");
        assertDotSegment("/a/./b", "/a/b");
        assertDotSegment("/a/.", "/a/");
        assertDotSegment("/a/..", "/");
        assertDotSegment("/a/b/..?x=/../", "/a/?x=/../");
        assertDotSegment("/a/b/../../../c", "/c");
    }

    @Test
    void dotsThatAreNoSegmentArePartOfThePath() {
        for (String path : new String[] {"/...", "/.a", "/a.", "/a..b", "/a?x=/../", "/a?..", "/%2e%2e%2e"}) {
            assertThatCode(() -> PurgePaths.checkDotSegments(path, path)).as(path).doesNotThrowAnyException();
        }
    }

    private static void assertDotSegment(String path, String suggestion) {
        assertThatThrownBy(() -> PurgePaths.checkDotSegments(path, path)).as(path)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has a dot segment")
                .hasMessageEndingWith("write \"" + suggestion + "\"");
    }

    @Test
    void theRequestTargetIsThePathAndTheQuery() {
        assertThat(PurgePaths.requestTarget(URI.create("http://h:8080/purge/a"))).isEqualTo(8);
        assertThat(PurgePaths.requestTarget(URI.create("http://h/purge/a?b=c"))).isEqualTo(12);
        assertThat(PurgePaths.requestTarget(URI.create("http://h/purge/a?"))).as("an empty query").isEqualTo(9);
    }

    @Test
    void purgeRequestsUpToEightThousandCharactersAreAccepted() {
        assertThatCode(() -> PurgePaths.checkLength(8_000, "/p")).doesNotThrowAnyException();
        String path = "/" + "a".repeat(8_000);
        assertThatThrownBy(() -> PurgePaths.checkLength(8_001, path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("path \"/" + "a".repeat(59) + "...\" (8001 characters)")
                .hasMessageContaining("target of 8001 characters, more than the 8000");
        assertThatThrownBy(() -> PurgePaths.checkLength(8_001, "/" + "a".repeat(59)))
                .hasMessageContaining("path \"/" + "a".repeat(59) + "\" (60 characters)");
    }

    @Test
    void whatAUriPathMayHoldIsKeptAndTheRestPercentEncodedAsUtf8() {
        String allowed = "/azAZ09-._~!$&'()*+,;=:@/?";
        assertThat(PurgePaths.normalize(allowed)).isSameAs(allowed);
        assertThat(PurgePaths.normalize("/`{[\"<>\\^| }")).isEqualTo("/%60%7B%5B%22%3C%3E%5C%5E%7C%20%7D");
        assertThat(PurgePaths.normalize("/caf\u00e9/\u00a0x")).isEqualTo("/caf%C3%A9/%C2%A0x");
        assertThat(PurgePaths.normalize("/\ud83d\ude00x")).as("a character beyond U+FFFF")
                .isEqualTo("/%F0%9F%98%80x");
    }

    @Test
    void percentEscapesAreKeptAndLonePercentSignsEncoded() {
        assertThat(PurgePaths.normalize("/%09%af%AF%fF")).isEqualTo("/%09%af%AF%fF");
        assertThat(PurgePaths.normalize("/%4")).isEqualTo("/%254");
        assertThat(PurgePaths.normalize("/%")).isEqualTo("/%25");
        assertThat(PurgePaths.normalize("/%g0%0g%G0%/0%:0%@0%`0")).isEqualTo("/%25g0%250g%25G0%25/0%25:0%25@0%25%600");
    }

    @Test
    void controlCharactersAndFragmentsAreRefused() {
        for (char c : new char[] {0, 0x1f, '\r', '\n', 0x7f, 0x80, 0x85, 0x9f}) {
            assertThatThrownBy(() -> PurgePaths.normalize("/a" + c + "b")).as("U+%04x", (int) c)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
        }
        assertThatThrownBy(() -> PurgePaths.normalize("/a#top")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contains '#'").hasMessageContaining("%23");
    }

    @Test
    void loneSurrogatesAreRefused() {
        for (String path : new String[] {"/\ud83d", "/\ud83dx", "/\ude00", "/x\ude00\ud83d"}) {
            assertThatThrownBy(() -> PurgePaths.normalize(path)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lone surrogate");
        }
        assertThatThrownBy(() -> PurgePaths.normalize("/\ud83d")).hasMessageContaining("(\\ud83d)");
    }

    @Test
    void anEncodedLiteralNamesTheWholePathInItsMessage() {
        assertThatThrownBy(() -> PurgePaths.encodeLiteral("a#", "/{id}/a#")).hasMessageContaining("\"/{id}/a#\"");
        assertThat(PurgePaths.encodeLiteral("a b", "/{id}/a b")).isEqualTo("a%20b");
    }

    @Test
    void messagesShowControlCharactersEscaped() {
        assertThat(PurgePaths.printable("a\rb\nc\td\u001f\u0000")).isEqualTo("a\\rb\\nc\\u0009d\\u001f\\u0000");
        assertThat(PurgePaths.printable("\u007f\u0085\u009f")).isEqualTo("\\u007f\\u0085\\u009f");
        assertThat(PurgePaths.printable("\u2028\u2029\u061c\u200e\u200f\u202a\u202e\u2066\u2069"))
                .isEqualTo("\\u2028\\u2029\\u061c\\u200e\\u200f\\u202a\\u202e\\u2066\\u2069");
    }

    @Test
    void messagesShowPrintableCharactersAsTheyAre() {
        String printable = " ~\u00a0\u00e9\u2027\u202f\u2065\u206a\u061b\u061d\u200d\u2010";
        assertThat(PurgePaths.printable(printable)).isSameAs(printable);
        assertThat(PurgePaths.printable("\ud83d\ude00")).as("a whole character").isEqualTo("\ud83d\ude00");
    }

    @Test
    void messagesShowLoneSurrogatesEscaped() {
        assertThat(PurgePaths.printable("a\ud83d")).isEqualTo("a\\ud83d");
        assertThat(PurgePaths.printable("\ud83dx")).isEqualTo("\\ud83dx");
        assertThat(PurgePaths.printable("\ude00")).isEqualTo("\\ude00");
        assertThat(PurgePaths.printable("x\ude00")).isEqualTo("x\\ude00");
        assertThat(PurgePaths.printable("\ud83d\ud83d\ude00")).isEqualTo("\\ud83d\ud83d\ude00");
    }

    @Test
    void sqlInALogLineIsOnOneLineAndAtMostTwoHundredCharacters() {
        assertThat(PurgePaths.abbreviate("  update post\n\tset a = 1  ")).isEqualTo("update post set a = 1");
        String exactly = "x".repeat(200);
        assertThat(PurgePaths.abbreviate(exactly)).isEqualTo(exactly);
        assertThat(PurgePaths.abbreviate(exactly + "y")).isEqualTo(exactly + "...");
        assertThat(PurgePaths.abbreviate("a\u0085b")).isEqualTo("a\\u0085b");
    }
}
