package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Roan#track}: a read of what no write names (a view, a stored procedure call) makes its page depend on
 * everything, so that any committed write purges it.
 */
class TrackEverythingTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        roan = fixture.roan();
        dsl = fixture.dsl();
        fixture.db().execute(TestRows.ANN_AND_POST_1);
    }

    /** A view names no table the writes name: the page depends on everything. */
    @Test
    void aPageReadingAViewIsPurgedByAWriteOfItsTable() {
        fixture.db().execute("create view \"post_title\" as select \"ID\" as \"id\", \"TITLE\" as \"title\""
                + " from post");
        String title = roan.track("/titles/1", () -> dsl.select(DSL.field(DSL.name("title"), String.class))
                .from(DSL.table(DSL.name("post_title"))).where(DSL.field(DSL.name("id"), Long.class).eq(1L))
                .fetchOne().value1());
        assertThat(title).isEqualTo("A");
        fixture.settle();

        dsl.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();

        assertThat(fixture.purgedOnce()).containsExactly("/titles/1");
    }

    /** A stored function's call: what its body reads is unknown (a Java function here; the call is what counts). */
    @Test
    void aPageCallingAStoredFunctionIsPurgedByAnyWrite() {
        fixture.db().execute("create alias \"title_of\" for 'java.lang.String.valueOf(long)'");
        roan.track("/titles/1", () -> new TitleOf(1L, true).execute(dsl.configuration()));
        fixture.settle();

        dsl.update(AUTHOR).set(AUTHOR.NAME, "anne").where(AUTHOR.ID.eq(100L)).execute();

        assertThat(fixture.purgedOnce()).containsExactly("/titles/1");
    }

    /** A stored procedure's call, which jOOQ runs as a JDBC call with no query to show. */
    @Test
    void aPageCallingAStoredProcedureIsPurgedByAnyWrite() {
        fixture.db().execute("create alias \"title_of\" for 'java.lang.String.valueOf(long)'");
        roan.track("/titles/1", () -> new TitleOf(1L, false).execute(dsl.configuration()));
        fixture.settle();

        dsl.update(AUTHOR).set(AUTHOR.NAME, "anne").where(AUTHOR.ID.eq(100L)).execute();

        assertThat(fixture.purgedOnce()).containsExactly("/titles/1");
    }

    /** A routine as jOOQ's code generator declares one: a function (with a return value) or a procedure. */
    static final class TitleOf extends org.jooq.impl.AbstractRoutine<String> {
        private static final long serialVersionUID = 1L;
        static final org.jooq.Parameter<String> RETURN_VALUE = DSL.out("RETURN_VALUE", org.jooq.impl.SQLDataType.VARCHAR);
        static final org.jooq.Parameter<Long> ID = DSL.in("ID", org.jooq.impl.SQLDataType.BIGINT);

        TitleOf(long id, boolean function) {
            super("title_of", null, function ? org.jooq.impl.SQLDataType.VARCHAR : null);
            if (function) {
                setReturnParameter(RETURN_VALUE);
            }
            addInParameter(ID);
            setValue(ID, id);
        }
    }
}
