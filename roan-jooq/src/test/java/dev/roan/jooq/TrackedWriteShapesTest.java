package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Consumer;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Roan#track}: each kind of write of a row purges the tracked page that read that row by its key. */
class TrackedWriteShapesTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        roan = fixture.roan();
        dsl = fixture.dsl();
        fixture.db().execute(TestRows.ANN_POST_1_AND_BOB);
    }

    private void assertPurgesPostPage(String description, Consumer<DSLContext> write) {
        roan.track("/posts/1", () -> dsl.selectFrom(POST).where(POST.ID.eq(1L)).fetch());
        roan.track("/authors/100", () -> dsl.select(POST.TITLE).from(AUTHOR).join(POST)
                .on(POST.AUTHOR_ID.eq(AUTHOR.ID)).where(AUTHOR.ID.eq(100L)).fetch());
        fixture.settle();
        write.accept(dsl);
        assertThat(fixture.purgedOnce()).as(description).contains("/posts/1", "/authors/100");
    }

    @Test
    void plainSqlUpdateByAnotherColumn() {
        assertPurgesPostPage("plain SQL", d -> d.execute("update post set title = 'X' where slug = 'a'"));
    }

    @Test
    void plainSqlDeleteByARange() {
        assertPurgesPostPage("plain SQL delete", d -> d.execute("delete from post where id > 0"));
    }

    @Test
    void plainSqlBatchOfStatements() {
        assertPurgesPostPage("static batch", d -> d.batch("update post set title = 'X' where slug = 'a'",
                "update author set name = 'x' where id = 101").execute());
    }

    @Test
    void dslUpdateThroughASubquery() {
        assertPurgesPostPage("subquery", d -> d.update(POST).set(POST.TITLE, "X")
                .where(POST.AUTHOR_ID.in(DSL.select(AUTHOR.ID).from(AUTHOR).where(AUTHOR.NAME.eq("ann")))).execute());
    }

    @Test
    void insertFromSelectAfterDelete() {
        assertPurgesPostPage("delete then insert from a select", d -> {
            d.deleteFrom(POST).where(POST.SLUG.eq("a")).execute();
            d.insertInto(POST, POST.ID, POST.AUTHOR_ID, POST.SLUG, POST.TITLE)
                    .select(DSL.select(DSL.val(1L), AUTHOR.ID, DSL.val("a2"), DSL.val("A2")).from(AUTHOR)
                            .where(AUTHOR.ID.eq(100L)))
                    .execute();
        });
    }

    @Test
    void recordDelete() {
        assertPurgesPostPage("record delete", d -> d.fetchOne(POST, POST.SLUG.eq("a")).delete());
    }

    @Test
    void truncate() {
        assertPurgesPostPage("truncate", d -> {
            d.execute("set referential_integrity false");
            d.truncate(POST).execute();
        });
    }
}
