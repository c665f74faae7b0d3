package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.time.Duration;

import org.jooq.DSLContext;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rule registration: paths are validated and percent-encoded once, tables are checked, rules are shared. */
class PurgeRuleTest {

    private Roan roan;

    @BeforeEach
    void setUp() {
        roan = Roan.builder().purgeUrl("http://cache.test/purge").build();
    }

    @AfterEach
    void tearDown() {
        roan.close();
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
    void tablesMustBeGivenAndNotNull() {
        PurgeRule rule = roan.purge("/posts");
        assertThatThrownBy(() -> rule.onWrite())
                .as("no table")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onWrite()")
                .hasMessageContaining("/posts")
                .hasMessageContaining("at least one table");
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
    void encodedPathReachesTheCache() throws Exception {
        try (TestDb db = new TestDb(); PurgeServer cache = new PurgeServer();
                Roan endToEnd = Roan.builder().purgeUrl(cache.purgeUrl()).build()) {
            endToEnd.purge("/tags/a b").onWrite(POST);
            endToEnd.purge("/caf\u00e9").onWrite(POST);
            DSLContext dsl = DSL.using(endToEnd.attach(db.configuration()));
            dsl.insertInto(POST).set(POST.SLUG, "s").set(POST.TITLE, "S").execute();
            assertThat(endToEnd.flush(Duration.ofSeconds(10))).as("flush").isTrue();
            assertThat(cache.paths()).as("raw paths received")
                    .containsExactlyInAnyOrder("/tags/a%20b", "/caf%C3%A9");
        }
    }
}
