package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What Roan reads from SQL text where jOOQ's model says nothing: targets of MERGE and its MySQL cousins, names. */
class SqlTextTest {

    @Test
    void theSqlNamesTheTargetOfEveryMergeSpelling() {
        assertThat(SqlText.target("MERGE INTO \"PUBLIC\".\"POST\" USING ...").getName()).isEqualTo("POST");
        assertThat(SqlText.target("merge into post p using x on (...)").getName()).isEqualTo("post");
        assertThat(SqlText.target("/* c */ insert ignore into `post` (id) values (1) on duplicate key update id = 1")
                .getName()).isEqualTo("post");
        assertThat(SqlText.target("REPLACE post SET id = 1").getName()).isEqualTo("post");
        assertThat(SqlText.target("update post set id = 1")).as("not an insert or merge").isNull();
    }

    @Test
    void readableSqlDropsMySqlModifiersAndReadsReplaceAsInsert() {
        assertThat(SqlText.readable("INSERT IGNORE INTO post VALUES (1)")).isEqualTo("INSERT INTO post VALUES (1)");
        assertThat(SqlText.readable("update low_priority ignore post set a = 1")).isEqualTo("update post set a = 1");
        assertThat(SqlText.readable("REPLACE post SET a = 1")).isEqualTo("INSERT INTO post SET a = 1");
        assertThat(SqlText.readable("select 1")).isEqualTo("select 1");
        assertThat(SqlText.names("UPDATE post, `author` a SET post.title = 'x y', a.name = 'z'"))
                .contains("post", "author", "title", "name").doesNotContain("x", "y", "z");
    }

    @Test
    void theVerbIsTheFirstWordAfterCommentsInUpperCase() {
        assertThat(SqlText.verb("  -- why\n/* what */ update post set a = 1")).isEqualTo("UPDATE");
        assertThat(SqlText.verb("-- only a comment")).as("no word at all").isNull();
        assertThat(SqlText.verb("/* unclosed comment update post")).as("an unclosed comment runs to the end").isNull();
        assertThat(SqlText.verb("")).isNull();
        assertThat(SqlText.verb("(select 1)")).as("no word before the parenthesis").isNull();
        assertThat(SqlText.verb("upsert_x into post")).isEqualTo("UPSERT_X");
    }

    @Test
    void writesAreTheStatementsThatBeginWithAWriteVerb() {
        assertThat(SqlText.isWrite("insert into post values (1)")).isTrue();
        assertThat(SqlText.isWrite("Truncate table post")).isTrue();
        assertThat(SqlText.isWrite("upsert into post values (1)")).isTrue();
        assertThat(SqlText.isWrite("select * from post")).isFalse();
        assertThat(SqlText.isWrite("-- nothing")).as("no verb").isFalse();
    }

    @Test
    void replaceIsRecognisedByItsVerbOnly() {
        assertThat(SqlText.isReplace("/* c */ replace into post values (1)")).isTrue();
        assertThat(SqlText.isReplace("insert into post select * from replace_log")).isFalse();
    }

    @Test
    void readableSqlKeepsWhatPrecedesTheVerbAndEveryModifierInARow() {
        assertThat(SqlText.readable("/* c */ INSERT LOW_PRIORITY IGNORE INTO post VALUES (1)"))
                .isEqualTo("/* c */ INSERT INTO post VALUES (1)");
        assertThat(SqlText.readable("delete quick from post")).isEqualTo("delete from post");
        assertThat(SqlText.readable("replace into post values (1)")).as("INTO is not doubled")
                .isEqualTo("INSERT into post values (1)");
        assertThat(SqlText.readable("REPLACE INTO2 SET a = 1")).as("INTO2 is a table, not INTO")
                .isEqualTo("INSERT INTO INTO2 SET a = 1");
        assertThat(SqlText.readable("REPLACE into")).as("INTO at the very end").isEqualTo("INSERT into");
        assertThat(SqlText.readable("insert into post values (1)")).as("nothing to drop: the same text")
                .isEqualTo("insert into post values (1)");
        assertThat(SqlText.readable("merge ignore into post")).as("only INSERT, UPDATE, DELETE and REPLACE")
                .isEqualTo("merge ignore into post");
        assertThat(SqlText.readable("  ")).isEqualTo("  ");
    }

    @Test
    void theTargetIsNamedInEveryQuotingAndQualification() {
        assertThat(SqlText.target("insert into [dbo].[post] values (1)").getQualifiedName().getName())
                .containsExactly("dbo", "post");
        assertThat(SqlText.target("insert into \"INTO\" values (1)").getName()).as("a quoted INTO is a table name")
                .isEqualTo("INTO");
        assertThat(SqlText.target("upsert into s . post_2$x values (1)").getQualifiedName().getName())
                .containsExactly("s", "post_2$x");
        assertThat(SqlText.target("insert into \"unclosed values (1)")).as("an unclosed quote names nothing").isNull();
        assertThat(SqlText.target("insert into (select 1)")).as("no name after INTO").isNull();
        assertThat(SqlText.target("insert into")).isNull();
        assertThat(SqlText.target("")).isNull();
        assertThat(SqlText.target("merge into p")).as("a one-letter name").extracting(t -> t.getName()).isEqualTo("p");
    }

    @Test
    void namesSkipStringLiteralsNumbersAndOperatorsAndKeepTheLastPartOfQualifiedNames() {
        assertThat(SqlText.names("update s.post set title = 'it''s x' where id = 12a3 and v = b"))
                .containsExactly("update", "post", "set", "title", "where", "id", "and", "v", "b");
        assertThat(SqlText.names("x.")).as("a dot with nothing after it").containsExactly("x");
        assertThat(SqlText.names("a 'unclosed b")).containsExactly("a");
        assertThat(SqlText.names("a 'x'b")).as("a name right after a literal").containsExactly("a", "b");
        assertThat(SqlText.names("a ''")).containsExactly("a");
        assertThat(SqlText.names("a '")).containsExactly("a");
        assertThat(SqlText.names("a '' b")).as("an empty literal").containsExactly("a", "b");
        assertThat(SqlText.names("a =")).as("an operator at the end").containsExactly("a");
        assertThat(SqlText.names("a 12")).as("a number at the end").containsExactly("a");
        assertThat(SqlText.names("/*/ b */ c")).as("/*/ opens a comment, and does not close it")
                .containsExactly("c");
        assertThat(SqlText.names("a 1 b")).containsExactly("a", "b");
        assertThat(SqlText.names("a -- b\nc")).as("comments name nothing").containsExactly("a", "c");
        assertThat(SqlText.names("a /* b */ c /* d")).containsExactly("a", "c");
    }

    @Test
    void namesOfAStatementTheParserCannotReadAreCappedAtSixtyFour() {
        StringBuilder sql = new StringBuilder("update");
        for (int i = 0; i < 100; i++) {
            sql.append(" t").append(i);
        }
        assertThat(SqlText.names(sql.toString())).hasSize(64).contains("t62").doesNotContain("t63");
    }

    @Test
    void aNameRightAfterAnOperatorOrCommaIsStillANameOfTheStatement() {
        // An unreadable write purges the rules of every table it names: a table after "a," must not be lost.
        assertThat(SqlText.names("update a,post set v=b where x=12a3")).contains("a", "post", "v", "b", "x")
                .doesNotContain("12a3", "a3");
    }
}
