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
}
