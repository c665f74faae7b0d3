package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.exists;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.selectOne;
import static org.jooq.impl.DSL.table;

import java.math.BigDecimal;
import java.util.Set;

import dev.roan.jooq.test.db.tables.Post;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.Test;

/** Reads → keys: one test per query shape; each fails without the support it names. */
class ReadAnalysisTest {

    private final DSLContext dsl = DSL.using(SQLDialect.H2);
    private final ReadAnalysis analysis = new ReadAnalysis();

    private Set<Dependency> keys(Query query) {
        return analysis.analyse(query, null, SQLDialect.H2).keys();
    }

    private static Dependency row(String table, String column, String value) {
        return Dependency.row(table, column, value);
    }

    @Test
    void aReadByIdDependsOnThatRow() {
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.eq(4L))))
                .containsExactlyInAnyOrder(row("post", "id", "4"), Dependency.anyRow("post"));
        assertThat(analysis.analyse(dsl.selectFrom(POST).where(POST.ID.eq(4L)), null, SQLDialect.H2).pins())
                .as("writes of post must give the values of id").extracting(ReadAnalysis.Pin::column).contains("id");
    }

    @Test
    void inListsAndConjunctionsPinEachValue() {
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.in(1L, 2L))))
                .containsExactlyInAnyOrder(row("post", "id", "1"), row("post", "id", "2"), Dependency.anyRow("post"));
        assertThat(keys(dsl.selectFrom(POST).where(POST.AUTHOR_ID.eq(100L).and(POST.TITLE.like("A%")))))
                .as("AND: the pinned conjunct bounds the rows").contains(row("post", "author_id", "100"))
                .doesNotContain(Dependency.table("post"));
    }

    @Test
    void literalsPinAsBindValuesDo() {
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.eq(inline(4L))))).contains(row("post", "id", "4"));
    }

    @Test
    void orRangesAndLikeDependOnTheTable() {
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.eq(1L).or(POST.ID.eq(2L)))))
                .containsExactly(Dependency.table("post"));
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.gt(1L)))).containsExactly(Dependency.table("post"));
        assertThat(keys(dsl.selectFrom(POST).where(POST.TITLE.like("A%")))).containsExactly(Dependency.table("post"));
        assertThat(keys(dsl.selectFrom(POST).orderBy(POST.ID).limit(10))).as("LIMIT over an unpinned set")
                .containsExactly(Dependency.table("post"));
    }

    @Test
    void aggregatesDependOnTheRowsTheyAggregate() {
        assertThat(keys(dsl.select(count()).from(POST).where(POST.AUTHOR_ID.eq(100L))))
                .contains(row("post", "author_id", "100")).doesNotContain(Dependency.table("post"));
        assertThat(keys(dsl.select(count()).from(POST))).containsExactly(Dependency.table("post"));
    }

    @Test
    void joinConditionsCarryAPinnedValueToTheOtherTable() {
        assertThat(keys(dsl.select(POST.TITLE).from(AUTHOR).join(POST).on(POST.AUTHOR_ID.eq(AUTHOR.ID))
                .where(AUTHOR.ID.eq(100L))))
                .containsExactlyInAnyOrder(row("author", "id", "100"), Dependency.anyRow("author"),
                        row("post", "author_id", "100"), Dependency.anyRow("post"));
        assertThat(keys(dsl.select(COMMENT.BODY).from(AUTHOR).join(POST).on(POST.AUTHOR_ID.eq(AUTHOR.ID))
                .join(COMMENT).on(COMMENT.POST_ID.eq(POST.ID)).where(AUTHOR.ID.eq(100L))))
                .as("a second join from an unpinned key: the table").contains(Dependency.table("comment"));
    }

    @Test
    void anOuterJoinsOnNarrowsOnlyItsNullSupplyingSide() {
        assertThat(keys(dsl.select().from(AUTHOR).leftJoin(POST).on(POST.AUTHOR_ID.eq(AUTHOR.ID)
                .and(AUTHOR.ID.eq(100L)))))
                .as("every author is returned; posts only of author 100")
                .contains(Dependency.table("author"), row("post", "author_id", "100"));
    }

    @Test
    void aliasesNameTheirTable() {
        Post p = POST.as("p");
        assertThat(keys(dsl.selectFrom(p).where(p.ID.eq(4L)))).containsExactlyInAnyOrder(row("post", "id", "4"),
                Dependency.anyRow("post"));
        assertThat(keys(dsl.select().from(POST.as("p")).join(POST.as("q")).on(field(name("q", "ID"), Long.class)
                .eq(field(name("p", "ID"), Long.class))).where(field(name("p", "ID"), Long.class).eq(4L))))
                .as("a self join, by qualified names").containsExactlyInAnyOrder(row("post", "id", "4"),
                        Dependency.anyRow("post"));
    }

    @Test
    void derivedTablesAreReadsOfTheirOwn() {
        assertThat(keys(dsl.select().from(dsl.selectFrom(POST).where(POST.ID.eq(4L)).asTable("x"))))
                .containsExactlyInAnyOrder(row("post", "id", "4"), Dependency.anyRow("post"));
    }

    @Test
    void commonTableExpressionsAreReadsOfTheirOwnAndNoTables() {
        assertThat(keys(dsl.with("x").as(dsl.selectFrom(POST).where(POST.ID.eq(4L))).selectFrom(table(name("x")))))
                .containsExactlyInAnyOrder(row("post", "id", "4"), Dependency.anyRow("post"));
    }

    @Test
    void subqueriesInWhereAreFollowed() {
        assertThat(keys(dsl.selectFrom(AUTHOR).where(AUTHOR.ID.in(select(POST.AUTHOR_ID).from(POST)
                .where(POST.ID.eq(4L))))))
                .as("IN (subquery) pins nothing of its own").containsExactlyInAnyOrder(Dependency.table("author"),
                        row("post", "id", "4"), Dependency.anyRow("post"));
        assertThat(keys(dsl.selectFrom(AUTHOR).where(AUTHOR.ID.eq(100L))
                .and(exists(selectOne().from(POST).where(POST.AUTHOR_ID.eq(AUTHOR.ID))))))
                .as("a correlated subquery takes the outer row's value")
                .contains(row("author", "id", "100"), row("post", "author_id", "100"));
        assertThat(keys(dsl.select(AUTHOR.NAME, field(select(count()).from(POST).where(POST.AUTHOR_ID.eq(AUTHOR.ID))))
                .from(AUTHOR).where(AUTHOR.ID.eq(100L))))
                .as("a scalar subquery in the select list").contains(row("post", "author_id", "100"));
    }

    @Test
    void aSetOperationOrAnUnfollowedSubqueryDependsOnEveryTableNamed() {
        assertThat(keys(dsl.select(POST.ID).from(POST).where(POST.ID.eq(4L)).union(select(COMMENT.ID).from(COMMENT))))
                .as("jOOQ 3.19's model shows the first SELECT of a UNION only: every name, some no table")
                .contains(Dependency.table("post"), Dependency.table("comment"))
                .doesNotContain(Dependency.row("post", "id", "4"));
        assertThat(keys(dsl.select(coalesce(field(select(max(COMMENT.ID)).from(COMMENT)), inline(0L))).from(POST)
                .where(POST.ID.eq(4L))))
                .as("a subquery inside a function").contains(Dependency.table("comment"), Dependency.table("post"));
    }

    @Test
    void plainSqlIsParsedOncePerStringAndItsBindValuesPin() {
        assertThat(keys(dsl.resultQuery("select title from post where id = ?", 4)))
                .containsExactlyInAnyOrder(row("post", "id", "4"), Dependency.anyRow("post"));
        assertThat(keys(dsl.resultQuery("select title from post where id = ?", 5)))
                .as("the cached parse, this execution's value").contains(row("post", "id", "5"));
        assertThat(keys(dsl.resultQuery("select p.title from post p join author a on a.id = p.author_id"
                + " where a.id = 100"))).contains(row("author", "id", "100"), row("post", "author_id", "100"));
        assertThat(keys(dsl.resultQuery("this is not SQL from anything"))).as("not parsed: every write")
                .containsExactly(Dependency.EVERYTHING);
        assertThat(analysis.analyse(dsl.query("update post set title = 'x'"), null, SQLDialect.H2))
                .as("a write is no read").isNull();
    }

    @Test
    void valuesOfEveryNumericTypeGiveOneKey() {
        assertThat(KeyValues.valueString(4)).isEqualTo("4").isEqualTo(KeyValues.valueString(4L))
                .isEqualTo(KeyValues.valueString(new BigDecimal("4.00"))).isEqualTo(KeyValues.valueString(4.0d));
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.eq(4L)))).as("an Integer bind or a Long one")
                .containsAll(keys(dsl.selectFrom(POST).where(field(name("ID"), Integer.class).eq(4))));
        for (String s : new String[] {"Van Winkle", "a/b", "é€ 😀", "%2F"}) {
            Dependency key = Dependency.row("post", "slug", KeyValues.valueString(s));
            assertThat(keys(dsl.selectFrom(POST).where(POST.SLUG.eq(s)))).as(s).contains(key);
            assertThat(Dependency.ofTarget(key.target())).as(s).isEqualTo(key);
        }
        assertThat(KeyValues.valueString(java.time.LocalDate.of(2026, 1, 1))).as("dates pin nothing").isNull();
        assertThat(KeyValues.valueString("é".repeat(300))).as("600 bytes").isNotNull();
        assertThat(KeyValues.valueString("é".repeat(301))).as("longer values pin nothing").isNull();
    }

    @Test
    void mysqlStringsPinNothing() {
        Query query = DSL.using(SQLDialect.MYSQL).selectFrom(POST).where(POST.SLUG.eq("a"));
        assertThat(analysis.analyse(query, null, SQLDialect.MYSQL).keys())
                .as("case- and accent-insensitive collations").containsExactly(Dependency.table("post"));
    }

    @Test
    void valuesTheDatabaseComparesEqualGiveOneKey() {
        assertThat(KeyValues.valueString("01")).as("a numeric column converts the string").isEqualTo("1");
        assertThat(KeyValues.valueString(" 4.50")).isEqualTo(KeyValues.valueString(new BigDecimal("4.5")))
                .isEqualTo("4.5");
        assertThat(KeyValues.valueString("+7")).isEqualTo("7");
        assertThat(KeyValues.valueString("Ann@Example.COM  ")).as("case-insensitive columns, CHAR(n) padding")
                .isEqualTo("ann@example.com");
        assertThat(KeyValues.valueString(" a")).as("leading spaces compare").isEqualTo(" a");
        assertThat(KeyValues.valueString(java.util.UUID.fromString("0e37df36-f698-11e6-8dd4-cb9ced3df976")))
                .isEqualTo(KeyValues.valueString("0E37DF36-F698-11E6-8DD4-CB9CED3DF976"));
        assertThat(KeyValues.valueString(true)).isEqualTo(KeyValues.valueString("t"))
                .isEqualTo(KeyValues.valueString("yes")).isEqualTo(KeyValues.valueString(1)).isEqualTo("1");
        assertThat(KeyValues.valueString(Boolean.FALSE)).isEqualTo(KeyValues.valueString("False"))
                .isEqualTo(KeyValues.valueString(0L));
        assertThat(KeyValues.valueString(SQLDialect.H2)).as("enum names").isEqualTo("h2");
        assertThat(KeyValues.valueString(new BigDecimal("1e999999"))).as("a million digits pin nothing").isNull();
        assertThat(KeyValues.valueString("1e999999")).as("nor turn a string into them").isEqualTo("1e999999");
        assertThat(keys(dsl.selectFrom(POST).where(field(name("ID")).eq("01"))))
                .as("a String compared with a numeric column").contains(row("post", "id", "1"));
    }

    @Test
    void aCastThatMayChangeTheValuePinsNothing() {
        Set<Dependency> table = Set.of(Dependency.table("post"));
        assertThat(keys(dsl.selectFrom(POST).where(DSL.cast(POST.SLUG, SQLDataType.VARCHAR(1)).eq("a"))))
                .as("cast(slug as varchar(1)) = 'a' holds for 'avocado'").isEqualTo(table);
        assertThat(keys(dsl.selectFrom(POST).where(POST.SLUG.eq(DSL.cast(DSL.val("apple"), SQLDataType.VARCHAR(1))))))
                .as("cast('apple' as varchar(1)) is 'a'").isEqualTo(table);
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.eq(DSL.cast(DSL.val(new BigDecimal("4.5")),
                SQLDataType.BIGINT))))).as("4.5 as bigint").isEqualTo(table);
        assertThat(keys(dsl.selectFrom(POST).where(field(name("PRICE"), BigDecimal.class)
                .eq(DSL.cast(DSL.val(new BigDecimal("4.56")), SQLDataType.DECIMAL(3, 1)))))).as("4.56 as decimal(3, 1)")
                .isEqualTo(table);
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.eq(DSL.cast(DSL.val("4"), SQLDataType.BIGINT)))))
                .as("a cast that keeps the value").contains(row("post", "id", "4"));
        assertThat(keys(dsl.selectFrom(POST).where(POST.SLUG.eq(DSL.cast(DSL.val("apple"), SQLDataType.VARCHAR(10))))))
                .contains(row("post", "slug", "apple"));
    }

    @Test
    void aGeneratedViewDependsOnEverything() {
        assertThat(keys(dsl.selectFrom(PostTitle.POST_TITLE).where(field(name("id"), Long.class).eq(1L))))
                .as("writes name post, never post_title").containsExactly(Dependency.EVERYTHING);
    }

    /** A read that Roan followed whole: post 4's row keys, every author, nothing else. */
    private void followsThePostSubquery(org.jooq.Select<?> read, String shape) {
        assertThat(keys(read)).as(shape).containsExactlyInAnyOrder(Dependency.table("author"), row("post", "id", "4"),
                Dependency.anyRow("post"));
    }

    private org.jooq.Field<Long> authorOfPost4() {
        return field(select(POST.AUTHOR_ID).from(POST).where(POST.ID.eq(4L)));
    }

    @Test
    void aSubqueryIsFollowedWhereverAComparisonHoldsIt() {
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(AUTHOR.ID.ne(authorOfPost4())), "<>");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(authorOfPost4().ne(AUTHOR.ID)), "<>, left");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(AUTHOR.ID.lt(authorOfPost4())), "<");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(authorOfPost4().lt(AUTHOR.ID)), "<, left");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(AUTHOR.ID.le(authorOfPost4())), "<=");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(authorOfPost4().le(AUTHOR.ID)), "<=, left");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(AUTHOR.ID.gt(authorOfPost4())), ">");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(authorOfPost4().gt(AUTHOR.ID)), ">, left");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(AUTHOR.ID.ge(authorOfPost4())), ">=");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(authorOfPost4().ge(AUTHOR.ID)), ">=, left");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(AUTHOR.ID.eq(authorOfPost4())), "=");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(authorOfPost4().eq(AUTHOR.ID)), "=, left");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(DSL.not(AUTHOR.ID.eq(authorOfPost4()))), "NOT");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(DSL.not(authorOfPost4().eq(AUTHOR.ID))), "NOT, left");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(DSL.not(AUTHOR.NAME.eq("x")
                .and(AUTHOR.ID.eq(authorOfPost4())))), "NOT over AND, right");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(DSL.not(AUTHOR.ID.eq(authorOfPost4())
                .and(AUTHOR.NAME.eq("x")))), "NOT over AND, left");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(AUTHOR.NAME.eq("x").or(AUTHOR.ID.eq(authorOfPost4()))),
                "OR, right");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(AUTHOR.ID.eq(authorOfPost4()).or(AUTHOR.NAME.eq("x"))),
                "OR, left");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(AUTHOR.ID.notIn(select(POST.AUTHOR_ID).from(POST)
                .where(POST.ID.eq(4L)))), "NOT IN");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(authorOfPost4().in(select(AUTHOR.ID).from(AUTHOR))),
                "IN with a subquery on each side");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(authorOfPost4().notIn(select(AUTHOR.ID).from(AUTHOR))),
                "NOT IN with a subquery on each side");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).where(AUTHOR.ID.in(authorOfPost4(), inline(7L))),
                "an IN list holding a subquery");
    }

    @Test
    void aSubqueryIsFollowedInHavingOrderByAndAliasedSelectFields() {
        followsThePostSubquery(dsl.select(AUTHOR.NAME).from(AUTHOR).groupBy(AUTHOR.NAME)
                .having(count().gt(field(select(count()).from(POST).where(POST.ID.eq(4L))))), "HAVING");
        followsThePostSubquery(dsl.selectFrom(AUTHOR).orderBy(authorOfPost4()), "ORDER BY");
        followsThePostSubquery(dsl.select(AUTHOR.NAME).from(AUTHOR).qualify(AUTHOR.ID.eq(authorOfPost4())),
                "QUALIFY");
        followsThePostSubquery(dsl.select(AUTHOR.NAME, authorOfPost4().as("a")).from(AUTHOR), "an aliased field");
    }

    @Test
    void aPinnedPrimaryKeyIsTheRowKeyWhateverElseIsPinned() {
        assertThat(keys(dsl.selectFrom(POST).where(POST.TITLE.eq("a")).and(POST.ID.eq(4L))))
                .containsExactlyInAnyOrder(row("post", "id", "4"), Dependency.anyRow("post"));
        assertThat(keys(dsl.selectFrom(POST).where(POST.TITLE.eq("a")).and(POST.AUTHOR_ID.eq(100L))))
                .as("no key pinned: the first pinned column")
                .containsExactlyInAnyOrder(row("post", "title", "a"), Dependency.anyRow("post"));
    }

    @Test
    void aValueIsCarriedAlongAChainOfJoins() {
        Post p = POST.as("p");
        Post q = POST.as("q");
        assertThat(keys(dsl.select(p.TITLE).from(p).join(q).on(p.AUTHOR_ID.eq(q.AUTHOR_ID)).join(AUTHOR)
                .on(q.AUTHOR_ID.eq(AUTHOR.ID)).where(AUTHOR.ID.eq(100L))))
                .as("p gets 100 from q, which gets it from author: two rounds")
                .containsExactlyInAnyOrder(row("author", "id", "100"), Dependency.anyRow("author"),
                        row("post", "author_id", "100"), Dependency.anyRow("post"));
    }

    @Test
    void anInListPinsUpToMaxValues() {
        Long[] most = new Long[ReadAnalysis.MAX_VALUES];
        for (int i = 0; i < most.length; i++) {
            most[i] = (long) i;
        }
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.in(most)))).contains(row("post", "id", "999"))
                .doesNotContain(Dependency.table("post"));
        Long[] tooMany = java.util.Arrays.copyOf(most, most.length + 1);
        tooMany[most.length] = (long) most.length;
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.in(tooMany)))).containsExactly(Dependency.table("post"));
    }

    @Test
    void aFunctionInTheDslIsNoStoredFunctionButOneInPlainSqlIs() {
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.eq(DSL.function("my_fn", Long.class, inline(1))))))
                .containsExactly(Dependency.table("post"));
        assertThat(keys(dsl.resultQuery("select title from post where id = my_fn(1)")))
                .as("what my_fn reads is unknown").containsExactly(Dependency.EVERYTHING);
    }

    @Test
    void valuesInFromAreNoTable() {
        assertThat(keys(dsl.select().from(POST).crossJoin(DSL.values(DSL.row(1)).as("v", "n"))
                .where(POST.ID.eq(4L)))).as("the fallback: every name")
                .contains(Dependency.table("post")).doesNotContain(row("post", "id", "4"));
    }

    @Test
    void placeholderNamesAreIdentifiers() {
        assertThat(PathTemplate.isName("author_id")).isTrue();
        assertThat(PathTemplate.isName("_x1")).isTrue();
        assertThat(PathTemplate.isName("")).isFalse();
        assertThat(PathTemplate.isName("1x")).isFalse();
        assertThat(PathTemplate.isName("a-b")).isFalse();
        assertThat(PathTemplate.isName("a b")).isFalse();
    }

    @Test
    void aPlainSqlWithThatOnlyReadsIsAnalysedAndOneThatWritesIsNot() {
        assertThat(keys(dsl.resultQuery("with x as (select * from post where id = 4) select * from x")))
                .containsExactlyInAnyOrder(row("post", "id", "4"), Dependency.anyRow("post"));
    }

    @Test
    void aPinFoundOnTheSecondTableOfAJoinIsItsOwn() {
        assertThat(keys(dsl.select(POST.TITLE).from(AUTHOR).join(POST).on(POST.AUTHOR_ID.eq(AUTHOR.ID))
                .where(POST.ID.eq(4L))))
                .containsExactlyInAnyOrder(Dependency.table("author"), row("post", "id", "4"),
                        Dependency.anyRow("post"));
    }

    @Test
    void theNarrowerOfTwoConditionsOnAColumnBoundsTheRows() {
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.in(1L, 2L, 3L)).and(POST.ID.eq(2L))))
                .containsExactlyInAnyOrder(row("post", "id", "2"), Dependency.anyRow("post"));
        assertThat(keys(dsl.selectFrom(POST).where(POST.ID.eq(2L)).and(POST.ID.in(1L, 2L, 3L))))
                .containsExactlyInAnyOrder(row("post", "id", "2"), Dependency.anyRow("post"));
    }

    @Test
    void aValuePinnedByAnOuterJoinsOnIsCarriedAlongAnInnerJoin() {
        assertThat(keys(dsl.select(COMMENT.BODY).from(AUTHOR).leftJoin(POST).on(POST.AUTHOR_ID.eq(AUTHOR.ID)
                .and(POST.ID.eq(4L))).join(COMMENT).on(COMMENT.POST_ID.eq(POST.ID))))
                .as("the inner join keeps the comments of post 4 only")
                .contains(row("post", "id", "4"), row("comment", "post_id", "4"))
                .doesNotContain(Dependency.table("comment"));
    }

    @Test
    void valuesPinnedByOneOuterJoinAreCarriedByTheNext() {
        assertThat(keys(dsl.select(COMMENT.BODY).from(AUTHOR).leftJoin(POST).on(POST.AUTHOR_ID.eq(AUTHOR.ID)
                .and(POST.ID.eq(4L))).leftJoin(COMMENT).on(COMMENT.POST_ID.eq(POST.ID))))
                .contains(row("post", "id", "4"), row("comment", "post_id", "4"))
                .doesNotContain(Dependency.table("comment"));
    }

    @Test
    void plainSqlColumnsPinAsNamedOnesDo() {
        assertThat(keys(dsl.selectFrom(POST).where(field("id").eq(4L))))
                .containsExactlyInAnyOrder(row("post", "id", "4"), Dependency.anyRow("post"));
        assertThat(keys(dsl.select().from(POST.as("p")).where(field("p.id").eq(4L))))
                .containsExactlyInAnyOrder(row("post", "id", "4"), Dependency.anyRow("post"));
    }

    @Test
    void aReadNotUnderstoodDependsOnTheTablesItNamesOrElseOnEverything() {
        assertThat(keys(dsl.resultQuery("select id from post union select id from comment")))
                .as("every name, some no table").contains(Dependency.table("post"), Dependency.table("comment"))
                .doesNotContain(Dependency.EVERYTHING);
        assertThat(keys(dsl.resultQuery("select 1 union select 2"))).containsExactly(Dependency.EVERYTHING);
    }

    @Test
    void eachUnanalysedReadIsLoggedOnce() {
        String union = "select id from post union select id from comment";
        String unparsed = "this is not SQL from anything";
        String call = "select title from post where id = my_fn(1)";
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 3; i++) {
                keys(dsl.resultQuery(union));
                keys(dsl.resultQuery(unparsed));
                keys(dsl.resultQuery(call));
                keys(dsl.resultQuery("select title from post where id = 4"));
            }
            assertThat(log.messages(java.util.logging.Level.INFO)).as("a set operation")
                    .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING).contains(union);
            assertThat(log.messages(java.util.logging.Level.WARNING)).as("what is logged names what to look at")
                    .hasSize(2).anySatisfy(m -> assertThat(m).contains(unparsed))
                    .anySatisfy(m -> assertThat(m).containsIgnoringCase("my_fn"));
        }
    }

    @Test
    void loggedStatementsAreCappedAtMaxWarned() {
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < ReadAnalysis.MAX_WARNED; i++) {
                keys(dsl.resultQuery("select id from post union select id from comment where id = " + i));
            }
            assertThat(log.records()).hasSize(ReadAnalysis.MAX_WARNED);
            keys(dsl.resultQuery("select id from post union select id from comment where id = -1"));
            keys(dsl.resultQuery("this is not SQL from anything"));
            keys(dsl.resultQuery("select title from post where id = my_fn(1)"));
            keys(dsl.selectFrom(PostTitle.POST_TITLE));
            assertThat(log.records()).as("past the cap, nothing more is remembered or logged")
                    .hasSize(ReadAnalysis.MAX_WARNED);
        }
    }

    @Test
    void aNameTheDatabaseListsAsAViewDependsOnEverythingOnce() throws Exception {
        String url = "jdbc:h2:mem:read_analysis_" + System.nanoTime();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url); LogCapture log = new LogCapture()) {
            c.createStatement().execute("create table \"post\" (\"id\" bigint primary key)");
            c.createStatement().execute("create view \"post_view\" as select * from \"post\"");
            Query byId = dsl.selectFrom(table(name("post"))).where(field(name("id")).eq(4L));
            assertThat(analysis.analyse(byId, null, SQLDialect.H2, c).keys()).as("a table")
                    .contains(row("post", "id", "4"));
            Query view = dsl.selectFrom(table(name("post_view"))).where(field(name("id")).eq(4L));
            for (int i = 0; i < 2; i++) {
                assertThat(analysis.analyse(view, null, SQLDialect.H2, c).keys())
                        .containsExactly(Dependency.EVERYTHING);
            }
            assertThat(log.messages(java.util.logging.Level.WARNING)).singleElement(
                    org.assertj.core.api.InstanceOfAssertFactories.STRING).contains("post_view");
            assertThat(analysis.analyse(dsl.resultQuery("select id from post union select id from nosuch"), null,
                    SQLDialect.H2, c).keys()).as("a guess from the SQL's names keeps a name the database does not list")
                    .contains(Dependency.table("post"), Dependency.table("nosuch"));
            assertThat(analysis.analyse(dsl.resultQuery("select id from post union select id from post_view"), null,
                    SQLDialect.H2, c).keys()).as("a guess that names a view").containsExactly(Dependency.EVERYTHING);
        }
    }

    /** A view as jOOQ's code generator declares one. */
    static final class PostTitle extends org.jooq.impl.TableImpl<org.jooq.Record> {
        private static final long serialVersionUID = 1L;
        static final PostTitle POST_TITLE = new PostTitle();

        private PostTitle() {
            super(name("post_title"), null, null, null, DSL.comment(""), org.jooq.TableOptions.view());
        }
    }
}
