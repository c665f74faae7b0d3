package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/** MERGE's target from jOOQ's model where it has one (3.20+), from the SQL where it has not (3.19). */
class MergeModelTest {

    private final DSLContext dsl = DSL.using(SQLDialect.H2);

    private static boolean jooqModelsMerge() {
        try {
            Class.forName("org.jooq.impl.QOM$Merge");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    void theModelNamesTheTargetWhereJooqHasOne() {
        Query merge = dsl.mergeInto(POST).using(DSL.selectOne()).on(POST.ID.eq(1L))
                .whenMatchedThenUpdate().set(POST.TITLE, "t");
        if (jooqModelsMerge()) {
            assertThat(MergeModel.target(merge)).as("QOM.Merge.$into() on jOOQ 3.20+").isEqualTo(POST);
        } else {
            assertThat(MergeModel.target(merge)).as("no model on jOOQ 3.19").isNull();
        }
    }

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
