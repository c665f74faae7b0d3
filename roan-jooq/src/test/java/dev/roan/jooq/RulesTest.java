package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUDIT_LOG;
import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;

import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * The registry's cheap questions, asked of every statement before any work: each says no unless a registered rule
 * needs that work, since a yes costs every write (a read before UPDATE and DELETE, a lookup of related rows). The
 * tests of Roan show what the work does; these, that it is skipped when no rule asks for it.
 */
class RulesTest {

    private final Rules rules = new Rules();

    private Rule register(String path, int kinds, Table<?>... tables) {
        Rule rule = rules.rule(PathTemplate.parse(path), 1_000);
        rules.register(rule, kinds, tables);
        return rule;
    }

    @Test
    void withoutRulesNothingIsNeeded() {
        assertThat(rules.isEmpty()).as("empty").isTrue();
        assertThat(rules.mentions(POST)).as("mentions POST").isFalse();
        assertThat(rules.anyTemplated()).as("any templated").isFalse();
        assertThat(rules.anyReading()).as("any reading").isFalse();
        assertThat(rules.anyVia()).as("any via").isFalse();
        assertThat(rules.anyUnverified()).as("any unverified").isFalse();
    }

    @Test
    void aFixedPathNeedsNoRowsAndNoRead() {
        Rule rule = register("/posts", WriteKinds.WRITE, POST);

        assertThat(rules.isEmpty()).as("empty").isFalse();
        assertThat(rules.mentions(POST)).as("mentions POST").isTrue();
        assertThat(rules.mentions(POST.as("p"))).as("mentions an alias of POST").isTrue();
        assertThat(rules.mentions(AUTHOR)).as("mentions AUTHOR").isFalse();
        assertThat(rules.needsRows(POST)).as("rows of POST").isFalse();
        assertThat(rules.anyTemplated()).as("any templated").isFalse();
        assertThat(rules.anyReading()).as("any reading").isFalse();
        assertThat(rules.anyVia()).as("any via").isFalse();
        assertThat(rules.describe(rule)).as("a fixed path has no placeholder to reach").doesNotContain("awaiting");
    }

    @Test
    void placeholdersNeedTheRowsOfTheirTableOnly() {
        register("/posts/{slug}", WriteKinds.INSERT, POST);
        register("/log", WriteKinds.WRITE, AUDIT_LOG);

        assertThat(rules.anyTemplated()).as("any templated").isTrue();
        assertThat(rules.needsRows(POST)).as("rows of POST").isTrue();
        assertThat(rules.needsRows(AUDIT_LOG)).as("rows of AUDIT_LOG, whose rule is fixed").isFalse();
        assertThat(rules.needsRows(AUTHOR)).as("rows of AUTHOR, which no rule names").isFalse();
        assertThat(rules.anyReading()).as("any reading, on INSERT only").isFalse();
    }

    @Test
    void onlyARuleWithPlaceholdersOnUpdateOrDeleteReadsRowsFirst() {
        register("/posts", WriteKinds.WRITE, POST);
        assertThat(rules.anyReading()).as("a fixed path on every write").isFalse();

        register("/authors/{id}", WriteKinds.INSERT | WriteKinds.MERGE | WriteKinds.TRUNCATE, AUTHOR);
        assertThat(rules.anyReading()).as("placeholders on INSERT, MERGE and TRUNCATE").isFalse();

        Rule onDelete = register("/posts/{slug}", WriteKinds.DELETE, POST);
        assertThat(rules.anyReading()).as("placeholders on DELETE").isTrue();
        assertThat(rules.reading(POST, WriteKinds.DELETE)).extracting(b -> b.rule).containsExactly(onDelete);
        assertThat(rules.reading(POST, WriteKinds.UPDATE)).as("reading rules for an UPDATE").isEmpty();

        rules.withoutReadingRows(onDelete);
        assertThat(rules.anyReading()).as("once the rule reads no rows").isFalse();
        assertThat(rules.reading(POST, WriteKinds.DELETE)).as("reading rules for a DELETE").isEmpty();
        assertThat(rules.templated(POST, WriteKinds.DELETE, false)).as("templated rules for a DELETE")
                .extracting(b -> b.rule).containsExactly(onDelete);

        register("/authors/{id}/posts", WriteKinds.UPDATE, AUTHOR);
        assertThat(rules.anyReading()).as("placeholders on UPDATE").isTrue();
    }

    @Test
    void relatedRowsAreLookedUpOnceARulesJoinReachesItsPlaceholders() {
        Rule rule = register("/authors/{author_id}", WriteKinds.WRITE, COMMENT);
        assertThat(rules.anyVia()).as("awaiting its via()").isFalse();
        assertThat(rules.anyTemplated()).as("templated, awaiting its via()").isTrue();
        assertThat(rules.templated(COMMENT, WriteKinds.INSERT, false)).as("matched before its via()").isEmpty();

        rules.via(rule, COMMENT.POST_ID, POST.ID);
        assertThat(rules.anyVia()).as("with its via()").isTrue();
        assertThat(rules.via(COMMENT, WriteKinds.UPDATE)).extracting(b -> b.rule).containsExactly(rule);
        assertThat(rules.via(POST, WriteKinds.UPDATE)).as("via rules of POST").isEmpty();
    }

    @Test
    void aTableThatDoesNotKnowItsColumnsIsCheckedAtItsFirstWriteOnce() {
        register("/posts", WriteKinds.WRITE, DSL.table("post"));
        assertThat(rules.anyUnverified()).as("a fixed path has nothing to check").isFalse();

        register("/posts/{slug}", WriteKinds.WRITE, DSL.table("post"));
        assertThat(rules.anyUnverified()).as("placeholders on a table without columns").isTrue();

        rules.verify(AUTHOR, null);
        assertThat(rules.anyUnverified()).as("after a write of another table").isTrue();
        rules.verify(POST, null);
        assertThat(rules.anyUnverified()).as("after the table's first write").isFalse();
    }

    @Test
    void aWriteBeforeTheRulesViaPurgesTheFallbackAndNamesWhatIsMissingOnce() {
        Rule one = register("/authors/{author_id}", WriteKinds.WRITE, COMMENT);
        one.fallbacks("/authors");
        Rule two = register("/authors/{author_id}/posts/{slug}", WriteKinds.WRITE, COMMENT);
        try (LogCapture log = new LogCapture()) {
            Purges purges = new Purges();
            rules.match(COMMENT, WriteKinds.INSERT, List::of, null, purges);
            rules.match(COMMENT, WriteKinds.INSERT, List::of, null, purges);

            assertThat(purges.paths()).as("the fallback paths").containsExactly("/authors");
            List<String> warnings = log.messages(Level.WARNING);
            assertThat(warnings).as("warnings, once per rule").hasSize(2);
            assertThat(warnings.get(0)).contains("\"" + one.path() + "\"").contains("{author_id} is not a column of COMMENT")
                    .contains("purge only the rule's fallback paths [/authors]");
            assertThat(warnings.get(1)).contains("\"" + two.path() + "\"")
                    .contains("{author_id}, {slug} are not columns of COMMENT").contains("(none declared)");
        }
    }

    @Test
    void aViaWithoutAColumnSaysWhichIsMissing() {
        Rule rule = register("/authors/{author_id}", WriteKinds.WRITE, COMMENT);

        assertThatThrownBy(() -> rules.via(rule, null, POST.ID)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got null as from column");
        assertThatThrownBy(() -> rules.via(rule, COMMENT.POST_ID, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got null as to column");
    }

    /**
     * Whether a write must look up its rows' parents for tracked pages: only once a tracked read touched a table, not
     * for a page that depends on everything, which any write purges anyway.
     */
    @Test
    void aTrackedTableIsThereOnlyOnceATrackedReadTouchedOne() {
        assertThat(rules.anyTrackedTable()).as("no tracked read").isFalse();
        rules.trackEverything();
        assertThat(rules.anyTrackedTable()).as("only a page that depends on everything").isFalse();
        rules.track(POST, null);
        assertThat(rules.anyTrackedTable()).as("a read of POST").isTrue();
        assertThat(rules.isTrackedTable("post")).isTrue();
        assertThat(rules.trackedTables()).containsExactly("post");
    }

    /** Every matched write asks for a table's rules several times: a generated table's are one lookup of its class. */
    @Test
    void aGeneratedTablesRulesAreFoundByItsClass() {
        Rules.Binding[] postRules = new Rules.Binding[0];
        TreeMap<String, Rules.Binding[]> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.put("post", postRules);

        Rules.Snapshot snapshot = new Rules.Snapshot(Map.of(POST.getClass(), "post", AUTHOR.getClass(), "author"),
                byName, false, false, false);

        assertThat(snapshot.byClass.get(POST.getClass())).as("POST's").isSameAs(postRules);
        assertThat(snapshot.byClass.get(AUTHOR.getClass())).as("AUTHOR's, which has none").isEmpty();
    }
}
