package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.jooq.DSLContext;
import org.jooq.Param;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.Test;

import dev.roan.jooq.test.db.tables.records.PostRecord;

/** Which rows a statement tells it touched: the values a row-level path is filled from. */
class RowValuesTest {

    private final DSLContext dsl = DSL.using(SQLDialect.H2);

    private static String rows(Query statement, Table<?> table) {
        return RowValues.of(statement, table, null).toString();
    }

    @Test
    void anInsertTellsEachRowItsValues() {
        Query insert = dsl.insertInto(POST, POST.ID, POST.SLUG).values(1L, "a").values(2L, "b");
        assertThat(rows(insert, POST)).isEqualTo("[{ID=1, SLUG=a}, {ID=2, SLUG=b}]");
    }

    @Test
    void anInsertOfNullTellsANullAndAnExpressionTellsNothing() {
        Query insert = dsl.insertInto(POST, POST.AUTHOR_ID, POST.SLUG, POST.TITLE)
                .values(DSL.val((Long) null), DSL.val("a"), DSL.upper("t"));
        assertThat(RowValues.of(insert, POST, null)).singleElement()
                .satisfies(row -> assertThat(row).containsEntry("author_id", RowValues.NULL)
                        .containsEntry("slug", "a").doesNotContainKey("TITLE"));
        assertThat(RowValues.NULL).hasToString("NULL");
    }

    @Test
    void anInsertFromASelectOrWithoutValuesTellsSomeUnknownRow() {
        assertThat(rows(dsl.insertInto(POST, POST.SLUG).select(DSL.select(DSL.val("a"))), POST)).isEqualTo("[{}]");
        assertThat(rows(dsl.insertInto(POST).defaultValues(), POST)).isEqualTo("[{}]");
    }

    @Test
    void generatedKeysCompleteTheInsertedRowsOneByOne() {
        Query insert = dsl.insertInto(POST, POST.SLUG, POST.TITLE).values("a", "t").values("b", "t");
        List<Record> keys = List.of(key(10L), key(11L));
        assertThat(RowValues.of(insert, POST, keys).toString())
                .isEqualTo("[{ID=10, SLUG=a, TITLE=t}, {ID=11, SLUG=b, TITLE=t}]");
    }

    @Test
    void aReturnedNullOfAColumnTheInsertGaveIsAColumnNotFetched() {
        Query insert = dsl.insertInto(POST, POST.SLUG).values("a");
        Record returned = dsl.newRecord(POST.ID, POST.SLUG).values(10L, null);
        assertThat(RowValues.of(insert, POST, List.of(returned)).toString()).isEqualTo("[{ID=10, SLUG=a}]");
        Record fetched = dsl.newRecord(POST.ID, POST.SLUG).values(10L, "b");
        assertThat(RowValues.of(insert, POST, List.of(fetched)).toString()).as("a fetched value wins")
                .isEqualTo("[{ID=10, SLUG=b}]");
    }

    @Test
    void returnedRowsReplaceInsertedRowsWhenTheirNumbersDiffer() {
        Query insert = dsl.insertInto(POST, POST.SLUG).values("a").values("b");
        assertThat(RowValues.of(insert, POST, List.of(key(10L))).toString()).isEqualTo("[{ID=10}]");
        assertThat(RowValues.of(insert, POST, List.of()).toString()).as("an empty result tells nothing")
                .isEqualTo("[{SLUG=a}, {SLUG=b}]");
    }

    @Test
    void anUpsertAlsoTellsTheConflictingRowBeforeAndAfterItsUpdate() {
        Query upsert = dsl.insertInto(POST, POST.ID, POST.SLUG, POST.TITLE).values(1L, "a", "t")
                .onConflict(POST.SLUG).doUpdate().set(POST.TITLE, "u");
        assertThat(rows(upsert, POST))
                .isEqualTo("[{ID=1, SLUG=a, TITLE=t}, {SLUG=a}, {SLUG=a, TITLE=u}]");
    }

    @Test
    void onDuplicateKeyUpdateNamesNoConflictColumnSoTheExistingRowIsUnknown() {
        Query upsert = dsl.insertInto(POST, POST.SLUG).values("a").onDuplicateKeyUpdate().set(POST.TITLE, "u");
        assertThat(rows(upsert, POST)).isEqualTo("[{SLUG=a}, {}, {TITLE=u}]");
        Query ignore = dsl.insertInto(POST, POST.SLUG).values("a").onDuplicateKeyIgnore();
        assertThat(rows(ignore, POST)).as("nothing updated").isEqualTo("[{SLUG=a}]");
    }

    @Test
    void anUpsertWhoseInsertedRowLacksTheConflictValueTellsAnUnknownExistingRow() {
        Query upsert = dsl.insertInto(POST, POST.TITLE).values("t")
                .onConflict(POST.SLUG).doUpdate().set(POST.TITLE, "u");
        assertThat(rows(upsert, POST)).isEqualTo("[{TITLE=t}, {}, {TITLE=u}]");
    }

    @Test
    void anUpdateTellsTheRowsOfItsWhereClauseBeforeAndAfterItsSetClause() {
        Query update = dsl.update(POST).set(POST.SLUG, "new").set(POST.TITLE, DSL.upper(POST.TITLE))
                .where(POST.SLUG.eq("old").and(POST.TITLE.eq("t")));
        assertThat(rows(update, POST)).isEqualTo("[{SLUG=old, TITLE=t}, {SLUG=new}]");
    }

    @Test
    void anUpdateWithoutKeysInItsWhereClauseTellsSomeRowWithItsNewValues() {
        Query update = dsl.update(POST).set(POST.TITLE, "u").where(POST.ID.gt(1L));
        assertThat(rows(update, POST)).isEqualTo("[{}, {TITLE=u}]");
        assertThat(rows(dsl.update(POST).set(POST.TITLE, "u"), POST)).as("no WHERE").isEqualTo("[{}, {TITLE=u}]");
    }

    @Test
    void aRowAssignmentMakesTheNewRowUnknown() {
        Query update = dsl.update(POST).set(DSL.row(POST.SLUG, POST.TITLE), DSL.row(DSL.val("a"), DSL.val("b")))
                .where(POST.ID.eq(1L));
        assertThat(rows(update, POST)).isEqualTo("[{ID=1}, {}]");
    }

    @Test
    void anUpdateReturningTellsTheReturnedRowsCompletedByItsSetAndWhereClauses() {
        Query update = dsl.update(POST).set(POST.SLUG, "new").set(POST.TITLE, "t")
                .where(POST.SLUG.eq("old")); // the RETURNING clause's own rows: the records below
        Record returned = dsl.newRecord(POST.ID).values(7L);
        assertThat(RowValues.of(update, POST, List.of(returned)).toString())
                .as("the old slug from WHERE, the new one from SET")
                .isEqualTo("[{ID=7, SLUG=old}, {ID=7, SLUG=new, TITLE=t}]");
    }

    @Test
    void anUpdateReturningKeepsTheReturnedValuesOverItsSetClause() {
        Query update = dsl.update(POST).set(POST.TITLE, "t").where(POST.ID.eq(7L));
        Record returned = dsl.newRecord(POST.ID, POST.TITLE, POST.SLUG).values(7L, "T", "s");
        assertThat(RowValues.of(update, POST, List.of(returned)).toString())
                .isEqualTo("[{ID=7, SLUG=s}, {ID=7, SLUG=s, TITLE=T}]");
    }

    @Test
    void aReturnedRowIsCompletedByEveryWhereRowItAgreesWithAndByNoOther() {
        Query delete = dsl.deleteFrom(POST).where(POST.ID.eq(1L).and(POST.SLUG.in("a", "b")).or(POST.ID.eq(2L)));
        List<Record> returned = List.of(dsl.newRecord(POST.ID).values(1L), dsl.newRecord(POST.ID).values(3L));
        assertThat(RowValues.of(delete, POST, returned).toString())
                .isEqualTo("[{ID=1, SLUG=a}, {ID=1, SLUG=b}, {ID=3}]");
    }

    @Test
    void aReturnedNullIsSqlNull() {
        Query delete = dsl.deleteFrom(POST).where(POST.ID.eq(1L));
        Record returned = dsl.newRecord(POST.AUTHOR_ID).values((Long) null);
        assertThat(RowValues.of(delete, POST, List.of(returned))).singleElement()
                .satisfies(row -> assertThat(row).containsEntry("AUTHOR_ID", RowValues.NULL)
                        .containsEntry("ID", 1L));
    }

    @Test
    void aDeleteTellsTheRowsOfItsWhereClause() {
        assertThat(rows(dsl.deleteFrom(POST).where(POST.SLUG.in("a", "b")), POST)).isEqualTo("[{SLUG=a}, {SLUG=b}]");
        assertThat(rows(dsl.deleteFrom(POST), POST)).isEqualTo("[{}]");
        assertThat(RowValues.of(dsl.deleteFrom(POST).where(POST.ID.eq(1L)), POST, List.of()).toString())
                .as("an empty result is no result").isEqualTo("[{ID=1}]");
    }

    @Test
    void otherStatementsTellSomeUnknownRow() {
        assertThat(rows(dsl.truncate(POST), POST)).isEqualTo("[{}]");
        assertThat(RowValues.of(null, POST, null).toString()).isEqualTo("[{}]");
    }

    @Test
    void andCombinesBothSidesAndDropsContradictions() {
        Query delete = dsl.deleteFrom(POST).where(POST.ID.in(1L, 2L).and(POST.SLUG.in("a", "b"))
                .and(POST.ID.eq(1L)));
        assertThat(rows(delete, POST)).isEqualTo("[{ID=1, SLUG=a}, {ID=1, SLUG=b}]");
        Query either = dsl.deleteFrom(POST).where(POST.TITLE.like("x").and(POST.ID.eq(1L)));
        assertThat(rows(either, POST)).as("a side without keys says nothing").isEqualTo("[{ID=1}]");
        Query other = dsl.deleteFrom(POST).where(POST.ID.eq(1L).and(POST.TITLE.like("x")));
        assertThat(rows(other, POST)).isEqualTo("[{ID=1}]");
    }

    @Test
    void anOrWithASideWithoutKeysMayMatchAnyRow() {
        assertThat(rows(dsl.deleteFrom(POST).where(POST.ID.eq(1L).or(POST.TITLE.like("x"))), POST)).isEqualTo("[{}]");
        assertThat(rows(dsl.deleteFrom(POST).where(POST.TITLE.like("x").or(POST.ID.eq(1L))), POST)).isEqualTo("[{}]");
        assertThat(rows(dsl.deleteFrom(POST).where(POST.ID.eq(1L).or(POST.ID.eq(2L))), POST))
                .isEqualTo("[{ID=1}, {ID=2}]");
    }

    @Test
    void moreThanAThousandRowsAreNoLongerTold() {
        List<Long> hundred = IntStream.range(0, 100).mapToObj(i -> (long) i).collect(Collectors.toList());
        List<String> ten = IntStream.range(0, 10).mapToObj(i -> "s" + i).collect(Collectors.toList());
        List<String> eleven = IntStream.range(0, 11).mapToObj(i -> "s" + i).collect(Collectors.toList());
        assertThat(RowValues.where(POST.ID.in(hundred).and(POST.SLUG.in(ten)), POST)).as("exactly 1,000").hasSize(1000);
        assertThat(RowValues.where(POST.ID.in(hundred).and(POST.SLUG.in(eleven)), POST)).hasSize(1);
        List<Long> nineHundred = IntStream.range(0, 900).mapToObj(i -> (long) i).collect(Collectors.toList());
        List<Long> oneHundredOne = IntStream.range(0, 101).mapToObj(i -> (long) i).collect(Collectors.toList());
        assertThat(RowValues.where(POST.ID.in(nineHundred).or(POST.SLUG.in(hundred.stream().map(String::valueOf)
                .collect(Collectors.toList()))), POST)).as("OR: exactly 1,000").hasSize(1000);
        assertThat(RowValues.where(POST.ID.in(nineHundred).or(POST.ID.in(oneHundredOne)), POST)).hasSize(1);
    }

    @Test
    void aReturnedResultIsNotCompletedBeyondAThousandCombinations() {
        List<Long> ids = IntStream.range(0, 500).mapToObj(i -> (long) i).collect(Collectors.toList());
        Query delete = dsl.deleteFrom(POST).where(POST.ID.in(ids));
        List<Record> two = List.of(dsl.newRecord(POST.SLUG).values("a"), dsl.newRecord(POST.SLUG).values("b"));
        assertThat(RowValues.of(delete, POST, two)).as("500 x 2 = 1,000: completed").hasSize(1000);
        List<Record> three = List.of(dsl.newRecord(POST.SLUG).values("a"), dsl.newRecord(POST.SLUG).values("b"),
                dsl.newRecord(POST.SLUG).values("c"));
        assertThat(RowValues.of(delete, POST, three).toString()).isEqualTo("[{SLUG=a}, {SLUG=b}, {SLUG=c}]");
    }

    @Test
    void aComparisonWithNullOrAnInListWithANullOrAnExpressionTellsNothing() {
        assertThat(RowValues.where(POST.ID.eq((Long) null), POST).toString()).isEqualTo("[{}]");
        assertThat(RowValues.where(POST.SLUG.in(DSL.val("a"), DSL.val((String) null)), POST).toString())
                .isEqualTo("[{}]");
        assertThat(RowValues.where(POST.SLUG.in(DSL.val("a"), DSL.upper("b")), POST).toString()).isEqualTo("[{}]");
        assertThat(RowValues.where(POST.SLUG.eq(POST.TITLE), POST).toString()).isEqualTo("[{}]");
        assertThat(RowValues.where(AUTHOR.NAME.in("a"), POST).toString()).as("another table's column")
                .isEqualTo("[{}]");
        assertThat(RowValues.where(null, POST).toString()).isEqualTo("[{}]");
    }

    @Test
    void aValueMayStandOnEitherSideAndInACast() {
        assertThat(RowValues.where(DSL.val("a").eq(POST.SLUG), POST).toString()).isEqualTo("[{SLUG=a}]");
        assertThat(RowValues.where(POST.ID.eq(DSL.cast(DSL.val(5), SQLDataType.BIGINT)), POST).toString())
                .isEqualTo("[{ID=5}]");
    }

    @Test
    void columnsOfAnAliasAndOfTheSameNamedTableCount() {
        Table<PostRecord> p = POST.as("p");
        assertThat(RowValues.where(p.field(POST.ID).eq(3L), POST).toString()).isEqualTo("[{ID=3}]");
        assertThat(RowValues.where(POST.ID.eq(3L), p).toString()).isEqualTo("[{ID=3}]");
        assertThat(RowValues.where(DSL.field(DSL.name("post", "id")).eq(3L), DSL.table(DSL.name("POST"))).toString())
                .isEqualTo("[{id=3}]");
    }

    @Test
    void unqualifiedColumnsAreTheWrittenTablesWhenItHasThem() {
        assertThat(RowValues.columnOf(DSL.field(DSL.name("slug")), POST)).isEqualTo("SLUG");
        assertThat(RowValues.columnOf(DSL.field(DSL.name("nope")), POST)).isNull();
        assertThat(RowValues.columnOf(DSL.field(DSL.name("nope")), DSL.table("post"))).as("columns unknown")
                .isEqualTo("nope");
    }

    @Test
    void plainSqlFieldsAreColumnsByTheirNameParts() {
        assertThat(RowValues.columnOf(DSL.field("slug"), POST)).isEqualTo("SLUG");
        assertThat(RowValues.columnOf(DSL.field("post.slug"), POST)).isEqualTo("SLUG");
        assertThat(RowValues.columnOf(DSL.field("\"PUBLIC\".`post`.[slug]"), POST)).isEqualTo("SLUG");
        assertThat(RowValues.columnOf(DSL.field("p.slug"), POST.as("p"))).as("the alias's name").isEqualTo("SLUG");
        assertThat(RowValues.columnOf(DSL.field("post.slug"), DSL.table("post").as("p")))
                .as("the aliased table's name").isEqualTo("slug");
        assertThat(RowValues.columnOf(DSL.field("author.name"), POST)).as("another table").isNull();
        assertThat(RowValues.columnOf(DSL.field("author.slug"), POST)).as("another table's column of that name")
                .isNull();
        assertThat(RowValues.columnOf(DSL.field("a.b.c.post.slug"), POST)).as("five parts").isNull();
        assertThat(RowValues.columnOf(DSL.field("b.c.post.slug"), POST)).as("four parts").isEqualTo("SLUG");
        assertThat(RowValues.columnOf(DSL.field("s.post.slug"), POST)).isEqualTo("SLUG");
        assertThat(RowValues.columnOf(DSL.field("upper(slug)"), POST)).as("an expression").isNull();
        assertThat(RowValues.columnOf(DSL.field("1slug"), POST)).as("a number first").isNull();
        assertThat(RowValues.columnOf(DSL.field("post."), POST)).isNull();
        assertThat(RowValues.columnOf(DSL.field("\"\""), DSL.table("t"))).as("an empty quoted name").isNull();
        assertThat(RowValues.columnOf(DSL.field("\"slug"), POST)).as("an unclosed quote").isNull();
        assertThat(RowValues.columnOf(DSL.field("post slug"), POST)).isNull();
        assertThat(RowValues.columnOf(DSL.field("s_1$"), DSL.table("t"))).isEqualTo("s_1$");
        assertThat(RowValues.columnOf(DSL.upper(POST.SLUG), POST)).as("a function").isNull();
        assertThat(RowValues.columnOf(DSL.upper(DSL.field(DSL.name("x"), String.class)), DSL.table("t")))
                .as("a function, even where any name may be a column").isNull();
    }

    @Test
    void plainSqlColumnsOfAnInsertAndASetClauseAreNamedByTheirLastPart() {
        Query insert = dsl.insertInto(DSL.table("post"), DSL.field("post.slug"), DSL.field("\"title\""))
                .values("a", "t");
        assertThat(rows(insert, DSL.table("post"))).isEqualTo("[{slug=a, title=t}]");
        Query update = dsl.update(DSL.table("post")).set(DSL.field("post.slug"), "b")
                .set(DSL.field("upper(x)"), "c").where(DSL.field("id").eq(1));
        assertThat(rows(update, DSL.table("post"))).isEqualTo("[{id=1}, {id=1, slug=b, upper(x)=c}]");
    }

    @Test
    void sameTableMeansTheSameGeneratedClassOrTheSameNameUnaliased() {
        assertThat(Tables.same(POST, POST.as("p"))).isTrue();
        assertThat(Tables.same(DSL.table("post"), DSL.table(DSL.name("POST")).as("x"))).isTrue();
        assertThat(Tables.same(POST, AUTHOR)).isFalse();
        assertThat(Tables.same(DSL.table("post"), DSL.table("author"))).isFalse();
        assertThat(Tables.same(DSL.table(DSL.name("a")).as("post"), DSL.table("post")))
                .as("an alias is not its table").isFalse();
    }

    @Test
    void recordsTellTheirValuesAndNullsOnlyWhereSetToNull() {
        PostRecord record = dsl.newRecord(POST);
        record.setSlug("a");
        record.setAuthorId(null);
        record.changed(POST.ID, false);
        assertThat(RowValues.rows(List.of(record))).singleElement().satisfies(row -> assertThat(row)
                .containsEntry("SLUG", "a").containsEntry("AUTHOR_ID", RowValues.NULL)
                .doesNotContainKeys("ID", "TITLE"));
        assertThat(RowValues.returnedRows(List.of(record))).singleElement().satisfies(row -> assertThat(row)
                .containsEntry("ID", RowValues.NULL).containsEntry("TITLE", RowValues.NULL));
    }

    @Test
    void partialRowsIgnoreTheCaseOfColumnNames() {
        Map<String, Object> row = RowValues.newRow();
        row.put("Slug", "a");
        assertThat(row).containsEntry("SLUG", "a");
        assertThat(RowValues.unknown()).singleElement().satisfies(r -> assertThat(r).isEmpty());
    }

    @Test
    void plainSqlBindValuesFillTheParsedStatementsPlaceholders() {
        // As Roan parses plain SQL: once, with Binds in place of the values, filled by each execution.
        Query update = dsl.parser().parseQuery("update post set title = ? where slug = ?",
                new RowValues.Bind(0), new RowValues.Bind(1));
        Table<?> post = DSL.table("post");
        assertThat(RowValues.of(update, post, null, RowValues.Binds.of(List.of("y", "p2"))).toString())
                .isEqualTo("[{SLUG=p2}, {SLUG=p2, TITLE=y}]");
        assertThat(RowValues.of(update, post, null, RowValues.Binds.of(List.of("y"))).toString())
                .as("a missing bind value is unknown").isEqualTo("[{}, {TITLE=y}]");
        assertThat(new RowValues.Bind(0)).hasToString("?1");
    }

    @Test
    void aPlaceholderStatementsNullsAreUnknownValuesNotNullKeys() {
        Query insert = dsl.insertInto(POST, POST.ID, POST.SLUG).values((Long) null, (String) null);
        assertThat(RowValues.of(insert, POST, null, RowValues.Binds.PLACEHOLDERS).toString()).isEqualTo("[{}]");
    }

    @Test
    void boundValuesReplaceTheValuesTheirParametersHold() {
        Param<String> slug = DSL.val("placeholder");
        Param<Long> id = DSL.val(0L);
        Query delete = dsl.deleteFrom(POST).where(POST.SLUG.eq(slug).and(POST.ID.eq(id)));
        RowValues.BoundValues bound = new RowValues.BoundValues() {
            @Override
            public boolean binds(Param<?> param) {
                return param == slug;
            }

            @Override
            public Object value(Param<?> param) {
                return "bound";
            }
        };
        assertThat(RowValues.ofBound(delete, POST, bound).toString()).as("the id keeps its own value, 0")
                .isEqualTo("[{ID=0, SLUG=bound}]");
    }

    private Record key(long id) {
        return dsl.newRecord(POST.ID).values(id);
    }
}
