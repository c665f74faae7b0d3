package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/** MERGE's target from jOOQ's model where it has one (3.20+); the SQL text's reading is in {@link SqlTextTest}. */
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
}
