package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Supplier;

import dev.roan.jooq.test.db.tables.Post;
import dev.roan.jooq.test.db.tables.records.PostRecord;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Roan#track}: for each shape of read, a committed write that changes what the read returns purges its page.
 * Each write below changes the page's result.
 */
class TrackedReadShapesTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        roan = fixture.roan();
        dsl = fixture.dsl();
        fixture.db().execute(TestRows.ANN_AND_BOB_A_POST_EACH);
    }

    private void page(Supplier<?> render) {
        roan.track("/page", render);
        fixture.settle();
    }

    private void assertPurged(String description) {
        assertThat(fixture.purgedOnce()).as(description).contains("/page");
    }

    private void movePost2ToAnn() {
        dsl.update(POST).set(POST.AUTHOR_ID, 100L).where(POST.ID.eq(2L)).execute();
    }

    @Test
    void union() {
        page(() -> dsl.select(POST.TITLE).from(POST).where(POST.ID.eq(1L))
                .union(DSL.select(AUTHOR.NAME).from(AUTHOR).where(AUTHOR.ID.eq(101L))).fetch());
        dsl.update(AUTHOR).set(AUTHOR.NAME, "bobby").where(AUTHOR.ID.eq(101L)).execute();
        assertPurged("union");
    }

    @Test
    void fetchExistsAndCount() {
        page(() -> dsl.fetchExists(POST, POST.AUTHOR_ID.eq(100L).and(POST.TITLE.eq("B")))
                + "/" + dsl.fetchCount(POST, POST.AUTHOR_ID.eq(100L)));
        movePost2ToAnn();
        assertPurged("fetchExists, fetchCount");
    }

    @Test
    void limitOffsetOfAPinnedSet() {
        page(() -> dsl.selectFrom(POST).where(POST.AUTHOR_ID.eq(100L)).orderBy(POST.ID.desc()).limit(1).fetch());
        movePost2ToAnn();
        assertPurged("limit");
    }

    @Test
    void derivedTableWithAWindowFunction() {
        var ranked = DSL.select(POST.ID, DSL.rowNumber().over(DSL.orderBy(POST.TITLE.desc())).as("rn")).from(POST)
                .asTable("ranked");
        page(() -> dsl.select(ranked.field("rn")).from(ranked).where(ranked.field(POST.ID).eq(1L)).fetch());
        dsl.insertInto(POST).set(POST.ID, 3L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "c").set(POST.TITLE, "C")
                .execute();
        assertPurged("window over the whole table");
    }

    @Test
    void commonTableExpression() {
        var mine = DSL.name("mine").as(DSL.selectFrom(POST).where(POST.AUTHOR_ID.eq(100L)));
        page(() -> dsl.with(mine).selectFrom(mine).fetch());
        movePost2ToAnn();
        assertPurged("cte");
    }

    @Test
    void groupByAndDistinct() {
        page(() -> dsl.selectDistinct(POST.AUTHOR_ID, DSL.count()).from(POST).where(POST.AUTHOR_ID.in(100L, 101L))
                .groupBy(POST.AUTHOR_ID).fetch());
        movePost2ToAnn();
        assertPurged("group by");
    }

    @Test
    void inSubqueryAndCorrelatedNotExists() {
        page(() -> dsl.selectFrom(AUTHOR).where(AUTHOR.ID.eq(101L))
                .andNotExists(DSL.selectOne().from(POST).where(POST.AUTHOR_ID.eq(AUTHOR.ID))).fetch());
        dsl.deleteFrom(POST).where(POST.ID.eq(2L)).execute();
        assertPurged("not exists");
    }

    @Test
    void selfJoinThroughAliases() {
        Post p1 = POST.as("p1");
        Post p2 = POST.as("p2");
        page(() -> dsl.select(p2.TITLE).from(p1).join(p2).on(p2.AUTHOR_ID.eq(p1.AUTHOR_ID)).where(p1.ID.eq(1L))
                .fetch());
        movePost2ToAnn();
        assertPurged("self join");
    }

    @Test
    void leftAntiJoin() {
        page(() -> dsl.select(AUTHOR.NAME).from(AUTHOR).leftJoin(POST).on(POST.AUTHOR_ID.eq(AUTHOR.ID))
                .where(AUTHOR.ID.eq(101L)).and(POST.ID.isNull()).fetch());
        dsl.deleteFrom(POST).where(POST.ID.eq(2L)).execute();
        assertPurged("anti join");
    }

    @Test
    void joinOnANonEquality() {
        page(() -> dsl.select(POST.TITLE).from(AUTHOR).join(POST).on(POST.AUTHOR_ID.ge(AUTHOR.ID))
                .where(AUTHOR.ID.eq(101L)).fetch());
        dsl.update(POST).set(POST.TITLE, "B2").where(POST.ID.eq(2L)).execute();
        assertPurged("join on >=");
    }

    @Test
    void naturalAndUsingJoins() {
        page(() -> dsl.select(DSL.field(DSL.name("y", "TITLE"))).from(POST.as("x")).join(POST.as("y")).using(POST.AUTHOR_ID)
                .where(DSL.field(DSL.name("x", "ID")).eq(1L)).fetch());
        movePost2ToAnn();
        assertPurged("using");
    }

    @Test
    void recordRefresh() {
        PostRecord[] post = new PostRecord[1];
        post[0] = dsl.fetchOne(POST, POST.ID.eq(1L));
        page(() -> {
            post[0].refresh();
            return post[0].getTitle();
        });
        dsl.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();
        assertPurged("refresh");
    }

    @Test
    void orUnderNot() {
        page(() -> dsl.selectFrom(POST).where(DSL.not(POST.ID.ne(1L).and(POST.ID.ne(2L)))).fetch());
        dsl.update(POST).set(POST.TITLE, "B2").where(POST.ID.eq(2L)).execute();
        assertPurged("not(and) = or");
    }

    @Test
    void columnComparedToAnotherColumnOfItsRow() {
        page(() -> dsl.selectFrom(POST).where(POST.ID.eq(POST.AUTHOR_ID.minus(99L))).fetch());
        dsl.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();
        assertPurged("id = author_id - 99");
    }
}
