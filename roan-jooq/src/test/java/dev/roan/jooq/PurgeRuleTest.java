package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.test.RecordingCache;
import dev.roan.test.RoanExtension;

import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rule registration: paths are validated and percent-encoded once, tables are checked, rules are shared. Each test
 * gets a Roan of its own from the test kit's extension, as a user's tests of their rules do; its purge URL ends in
 * {@code /purge}, which the length limits count.
 */
class PurgeRuleTest {

    @RegisterExtension
    final RoanExtension extension = RoanExtension.create();

    private Roan roan;

    @BeforeEach
    void setUp(Roan roan) {
        this.roan = roan;
    }

    @Test
    void pathMustStartWithSlash() {
        assertThatThrownBy(() -> roan.purge("posts"))
                .as("path without leading slash")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with '/'")
                .hasMessageContaining("\"/posts\"");
    }

    @Test
    void nullPathIsRejected() {
        assertThatThrownBy(() -> roan.purge(null))
                .as("null path")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("path is null")
                .hasMessageContaining("\"/posts\"");
    }

    @Test
    void controlCharactersAreRejectedAndShownEscaped() {
        assertThatThrownBy(() -> roan.purge("/posts\r\nX-Injected: 1"))
                .as("CR LF in path")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character")
                .hasMessageContaining("/posts\\r\\nX-Injected: 1")
                .hasMessageNotContaining("\r")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> roan.purge("/tab\there"))
                .as("TAB in path")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\\u0009")
                .hasMessageNotContaining("\t");
        assertThatThrownBy(() -> roan.purge("posts\n"))
                .as("no leading slash and LF")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("posts\\n")
                .hasMessageNotContaining("\n");
    }

    @Test
    void fragmentIsRejected() {
        assertThatThrownBy(() -> roan.purge("/posts#comments"))
                .as("# in path")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'#'")
                .hasMessageContaining("%23");
    }

    @Test
    @SuppressWarnings("removal") // onWrite() without a table is what the compiler flags; here it runs anyway
    void tablesMustBeGivenAndNotNull() {
        PurgeRule rule = roan.purge("/posts");
        assertThatThrownBy(() -> rule.onWrite())
                .as("no table")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onWrite()")
                .hasMessageContaining("/posts")
                .hasMessageContaining("at least one table");
        assertThatThrownBy(() -> rule.onWrite(new Table<?>[0]))
                .as("an empty array")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one table");
        assertThatThrownBy(() -> rule.onSave()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onSave()");
        assertThatThrownBy(() -> rule.onInsert()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onInsert()");
        assertThatThrownBy(() -> rule.onUpdate()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onUpdate()");
        assertThatThrownBy(() -> rule.onWrite((Table<?>[]) null))
                .as("null array")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onWrite()")
                .hasMessageContaining("at least one table");
        assertThatThrownBy(() -> rule.onWrite(POST, null))
                .as("null table")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onWrite()")
                .hasMessageContaining("table #2");
        assertThatThrownBy(() -> rule.onDelete())
                .as("the message names the method called")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onDelete()");
        assertThat(rule.toString()).as("nothing registered by the failed calls").contains("no table yet");
    }

    @Test
    void aTablelessCallIsFlaggedByTheCompiler() throws Exception {
        for (String method : new String[] {"onWrite", "onSave", "onInsert", "onUpdate", "onDelete"}) {
            Deprecated deprecated = PurgeRule.class.getMethod(method).getAnnotation(Deprecated.class);
            assertThat(deprecated).as(method + "() is deprecated for removal, so javac warns where it is called")
                    .isNotNull();
            assertThat(deprecated.forRemoval()).as(method).isTrue();
            assertThat(PurgeRule.class.getMethod(method, Table[].class).isVarArgs()).as(method + "(Table<?>...) stays")
                    .isTrue();
        }
        Table<?>[] tables = {POST, COMMENT};
        assertThat(roan.purge("/both").onWrite(tables).onWrite(POST).onWrite(POST, COMMENT).toString())
                .as("an array, one table and several still compile and register")
                .contains("POST (write)", "COMMENT (write)");
    }

    @Test
    void aPathRefusedForItsPurgeUrlLeavesNoRule() {
        String longPath = "/" + "a".repeat(PurgePaths.MAX_REQUEST_TARGET);
        assertThatThrownBy(() -> roan.purge(longPath)).isInstanceOf(IllegalArgumentException.class);
        assertThat(roan.toString()).as("no rule registered by the refused call").doesNotContain("aaaa");
    }

    @Test
    void dotSegmentsAreRefusedWithTheResolvedPath() {
        assertThatThrownBy(() -> roan.purge("/../posts")).as("leading ..")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dot segment").hasMessageContaining("write \"/posts\"");
        assertThatThrownBy(() -> roan.purge("/a/../b")).as("inner ..")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write \"/b\"");
        assertThatThrownBy(() -> roan.purge("/%2e%2e/posts")).as("encoded ..")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write \"/posts\"");
        assertThatThrownBy(() -> roan.purge("/posts/./{id}")).as(". before a placeholder")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write \"/posts/{id}\"");
        assertThatThrownBy(() -> roan.purge("/posts/..?page=2")).as("trailing .. with a query")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write \"/?page=2\"");
        assertThat(roan.purge("/posts/a..b/.well-known/{id}.json?x=..").path()).as("dots inside segments and queries")
                .isEqualTo("/posts/a..b/.well-known/{id}.json?x=..");
    }

    @Test
    void whitespaceAroundAPathIsRefusedWithTheTrimmedPath() {
        assertThatThrownBy(() -> roan.purge("/posts ")).as("trailing space")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ends with whitespace").hasMessageContaining("write \"/posts\"");
        assertThatThrownBy(() -> roan.purge(" /posts")).as("leading space")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starts with whitespace").hasMessageContaining("write \"/posts\"")
                .hasMessageNotContaining("/ /posts");
        assertThatThrownBy(() -> roan.purge("/posts\u00a0")).as("no-break space")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write \"/posts\"");
        assertThatThrownBy(() -> roan.purge("posts\t")).as("no slash, trailing tab")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write \"/posts\"")
                .hasMessageNotContaining("\t");
        assertThat(roan.purge("/tags/a b/x").path()).as("inner spaces are encoded").isEqualTo("/tags/a%20b/x");
    }

    @Test
    void loneSurrogatesAreRefused() {
        assertThatThrownBy(() -> roan.purge("/emoji/\uD83D")).as("high surrogate at the end")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lone surrogate").hasMessageContaining("\\ud83d");
        assertThatThrownBy(() -> roan.purge("/emoji/\uDE00x")).as("low surrogate alone")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> roan.purge("/emoji/\uD83Dx")).as("high surrogate before a letter")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate");
    }

    @Test
    void pathsLongerThanACacheAcceptsAreRefusedPurgeUrlIncluded() throws Exception {
        // The recording cache's http://127.0.0.1:PORT/purge: the request target is "/purge" + path.
        int room = PurgePaths.MAX_REQUEST_TARGET - "/purge".length();
        assertThat(roan.purge("/" + "a".repeat(room - 1)).path()).as("exactly at the limit").hasSize(room);
        assertThatThrownBy(() -> roan.purge("/" + "a".repeat(room))).as("one character more")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("8000").hasMessageContaining("414");
        assertThatThrownBy(() -> roan.purge("/" + "\u00e9".repeat(room / 3))).as("the encoded length counts")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> roan.purge("/posts/{id}").whenRowsUnknown("/" + "a".repeat(room)))
                .as("a fallback path too").isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8000");
        assertThat(roan.purge("/posts/{id}").whenRowsUnknown("/" + "a".repeat(room - 1)).toString())
                .as("a fallback at the limit").contains("aaaa");
        try (Roan longPrefix = Roan.builder().purgeUrls("http://a.test/p", "http://b.test/" + "p".repeat(1000)).build()) {
            assertThatThrownBy(() -> longPrefix.purge("/" + "a".repeat(room - 1))).as("the longest purge URL counts")
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void messagesEscapeEveryLineBreakingCharacter() {
        assertThat(PurgePaths.printable("a\u0085b\u2028c\u2029d\u009be\u202ef\r\n\u007f"))
                .isEqualTo("a\\u0085b\\u2028c\\u2029d\\u009be\\u202ef\\r\\n\\u007f");
        assertThat(PurgePaths.printable("caf\u00e9 \uD83D\uDE00")).as("letters and emoji stay").isEqualTo("caf\u00e9 \uD83D\uDE00");
        assertThat(PurgePaths.printable("x\uD83D")).as("a lone surrogate is shown, not turned into '?'")
                .isEqualTo("x\\ud83d");
        assertThatThrownBy(() -> roan.purge("posts\u0085")).as("NEL in a message")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\\u0085").hasMessageNotContaining("\u0085");
        assertThatThrownBy(() -> roan.purge("/posts/{a\u2028b}")).as("LINE SEPARATOR in a placeholder")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\\u2028").hasMessageNotContaining("\u2028");
        assertThat(PurgePaths.abbreviate("update post\u0085set x = 1")).doesNotContain("\u0085");
    }

    @Test
    void pathsArePercentEncoded() {
        assertThat(roan.purge("/tags/a b").path()).as("space").isEqualTo("/tags/a%20b");
        assertThat(roan.purge("/caf\u00e9").path()).as("non-ASCII as UTF-8").isEqualTo("/caf%C3%A9");
        assertThat(roan.purge("/emoji/\uD83D\uDE00").path()).as("surrogate pair as one UTF-8 sequence")
                .isEqualTo("/emoji/%F0%9F%98%80");
        assertThat(roan.purge("/a%2Fb").path()).as("existing escape kept").isEqualTo("/a%2Fb");
        assertThat(roan.purge("/100%").path()).as("lone percent sign").isEqualTo("/100%25");
        assertThat(roan.purge("/posts?page=2&sort=new").path()).as("query characters kept")
                .isEqualTo("/posts?page=2&sort=new");
    }

    @Test
    void samePathGivesSameRule() {
        PurgeRule rule = roan.purge("/posts");
        assertThat(roan.purge("/posts")).as("same path").isSameAs(rule);
        assertThat(roan.purge("/tags/a b")).as("raw and encoded spelling")
                .isSameAs(roan.purge("/tags/a%20b"));
        assertThat(roan.purge("/other")).as("other path").isNotSameAs(rule);
        assertThat(rule.onWrite(POST)).as("methods chain").isSameAs(rule);
    }

    @Test
    void toStringShowsTablesAndKinds() {
        PurgeRule rule = roan.purge("/posts");
        assertThat(rule.toString()).as("before any table").contains("/posts", "no table yet");
        rule.onWrite(POST).onDelete(COMMENT).onInsert(COMMENT);
        assertThat(rule.toString()).as("rule")
                .contains("/posts", "POST (write)", "COMMENT (insert|delete|truncate)");
        roan.purge("/saved").onSave(POST);
        assertThat(roan.toString()).as("roan lists its rules")
                .contains("/posts on", "/saved on POST (save)");
    }

    @Test
    void encodedPathReachesTheCache(RecordingCache cache) throws Exception {
        try (TestDb db = new TestDb()) {
            roan.purge("/tags/a b").onWrite(POST);
            roan.purge("/caf\u00e9").onWrite(POST);

            DSL.using(roan.attach(db.configuration())).insertInto(POST).set(POST.SLUG, "s").set(POST.TITLE, "S").execute();

            cache.assertPurgedExactly("/tags/a%20b", "/caf%C3%A9");
        }
    }

    @Test
    void eachKindOfWriteChainsOnTheSameRule() {
        PurgeRule rule = roan.purge("/posts");

        assertThat(rule.onSave(POST)).isSameAs(rule);
        assertThat(rule.onInsert(COMMENT)).isSameAs(rule);
        assertThat(rule.onUpdate(COMMENT)).isSameAs(rule);
        assertThat(rule.onDelete(COMMENT)).isSameAs(rule);
        assertThat(rule.onWrite(COMMENT)).isSameAs(rule);
    }
}
