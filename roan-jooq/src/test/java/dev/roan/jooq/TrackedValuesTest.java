package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Roan#track}: a committed write of a row purges the page whose read matched that row, however the read spelled
 * its value (a String against a numeric column, another case on a case-insensitive column, a cast).
 */
class TrackedValuesTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        roan = fixture.roan();
        dsl = fixture.dsl();
        fixture.db().onSeparateConnection(d -> {
            d.insertInto(AUTHOR).set(AUTHOR.ID, 100L).set(AUTHOR.NAME, "ann").execute();
            d.insertInto(POST).set(POST.ID, 1L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "apple").set(POST.TITLE, "A")
                    .execute();
            d.insertInto(POST).set(POST.ID, 2L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "banana")
                    .set(POST.TITLE, "B").execute();
            return null;
        });
    }

    /** A path segment handed on as a String ("/posts/01"): the database converts it, the key keeps "01". */
    @Test
    void aStringBindAgainstANumericColumnIsPurgedByAWriteOfItsRow() {
        String body = roan.track("/posts/01",
                () -> dsl.fetch("select title from post where id = ?", "01").get(0).get(0, String.class));
        assertThat(body).isEqualTo("A");
        fixture.settle();

        dsl.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();

        assertThat(fixture.purgedOnce()).containsExactly("/posts/01");
    }

    /** The same through the DSL: a plain SQL column compared to a String. */
    @Test
    void aDslStringValueAgainstANumericColumnIsPurgedByAWriteOfItsRow() {
        roan.track("/posts/01", () -> dsl.select(POST.TITLE).from(POST).where(DSL.field("id").eq("01")).fetch());
        fixture.settle();

        dsl.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();

        assertThat(fixture.purgedOnce()).containsExactly("/posts/01");
    }

    /** A case-insensitive column (H2's VARCHAR_IGNORECASE, PostgreSQL's citext): 'ANN' matches the row 'ann'. */
    @Test
    void aCaseInsensitiveColumnIsPurgedByAWriteOfTheRowItMatched() {
        fixture.db().execute("create table \"member\" (\"id\" int primary key, \"email\" varchar_ignorecase(100),"
                + " \"name\" varchar(100)); insert into \"member\" values (1, 'ann@example.com', 'Ann')");
        String name = roan.track("/members/ANN@example.com", () -> dsl.select(DSL.field(DSL.name("name"), String.class))
                .from(DSL.table(DSL.name("member"))).where(DSL.field(DSL.name("email"), String.class).eq("ANN@example.com")).fetchOne().value1());
        assertThat(name).isEqualTo("Ann");
        fixture.settle();

        dsl.update(DSL.table(DSL.name("member"))).set(DSL.field(DSL.name("name"), String.class), "Anne")
                .where(DSL.field(DSL.name("email"), String.class).eq("ann@example.com")).execute();

        assertThat(fixture.purgedOnce()).containsExactly("/members/ANN@example.com");
    }

    /** A CAST is stripped as if it kept the value: a narrowing one matches rows whose value differs from the key. */
    @Test
    void aNarrowingCastOfTheColumnPinsNothing() {
        int rows = roan.track("/slugs/a", () -> dsl.selectFrom(POST)
                .where(DSL.cast(POST.SLUG, SQLDataType.VARCHAR(1)).eq("a")).fetch().size());
        assertThat(rows).isEqualTo(1);
        fixture.settle();

        dsl.insertInto(POST).set(POST.ID, 3L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "avocado")
                .set(POST.TITLE, "C").execute();

        assertThat(fixture.purgedOnce()).as("a new row the page lists now").containsExactly("/slugs/a");
    }

    /** The value side too: cast('apple' as varchar(1)) is 'a' in the database, 'apple' in the key. */
    @Test
    void aNarrowingCastOfTheValuePinsNothing() {
        int rows = roan.track("/slugs/short", () -> dsl.selectFrom(POST)
                .where(POST.SLUG.eq(DSL.cast(DSL.val("apple"), SQLDataType.VARCHAR(1)))).fetch().size());
        assertThat(rows).isZero();
        fixture.settle();

        dsl.insertInto(POST).set(POST.ID, 3L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "a").set(POST.TITLE, "C")
                .execute();

        assertThat(fixture.purgedOnce()).as("the row the page now lists").containsExactly("/slugs/short");
    }
}
