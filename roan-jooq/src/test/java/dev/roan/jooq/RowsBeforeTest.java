package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;

import dev.roan.jooq.test.db.tables.records.PostRecord;
import org.jooq.DSLContext;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Values an UPDATE or DELETE does not tell, read from its rows before it runs: the page of a post's author when the
 * post is updated by id, and the old name's page when an author is renamed by id (petclinic's pet → owner page and
 * owner search, on the test schema's post → author).
 */
class RowsBeforeTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    /** The SQL of every statement the application's configuration executed, Roan's reads included. */
    private ExecutedSql executed;
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        executed = fixture.executed();
        roan = fixture.roan();
        dsl = fixture.dsl();
        fixture.db().execute(TestRows.TWO_AUTHORS);
    }

    /** The reads Roan ran since the last call: SELECT ... FOR UPDATE statements. */
    private List<String> reads() {
        return executed.take(sql -> sql.startsWith("select") && sql.contains("for update"));
    }

    @Test
    void updateByIdPurgesThePageOfTheKeyTheStatementDoesNotName() {
        roan.purge("/authors/{author_id}").onUpdate(POST);
        dsl.update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(10L)).execute();
        assertThat(reads()).as("one read, of the column the rule needs, locking the row").singleElement()
                .satisfies(sql -> assertThat(sql.toLowerCase(Locale.ROOT)).contains("author_id", "where", "for update"));
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void updateOfSeveralRowsPurgesThePageOfEach() {
        roan.purge("/authors/{author_id}").onUpdate(POST);
        dsl.update(POST).set(POST.TITLE, "T").where(POST.ID.in(10L, 20L)).execute();
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void deleteByIdPurgesThePageOfTheKeyTheStatementDoesNotName() {
        roan.purge("/authors/{author_id}").onDelete(POST);
        dsl.deleteFrom(POST).where(POST.ID.eq(20L)).execute();
        assertThat(reads()).hasSize(1);
        assertThat(fixture.purgedOnce()).containsExactly("/authors/2");
    }

    @Test
    void renamingByIdPurgesTheOldAndTheNewNamesPages() {
        roan.purge("/authors/by-name/{name}").onUpdate(AUTHOR);
        dsl.update(AUTHOR).set(AUTHOR.NAME, "Van Winkle").where(AUTHOR.ID.eq(1L)).execute();
        assertThat(reads()).hasSize(1);
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/by-name/ann",
                "/authors/by-name/Van%20Winkle");
    }

    @Test
    void movingARowPurgesTheOldAndTheNewOwnersPages() {
        roan.purge("/authors/{author_id}").onUpdate(POST);
        dsl.update(POST).set(POST.AUTHOR_ID, 2L).where(POST.ID.eq(10L)).execute();
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void theReadSeesTheTransactionsOwnEarlierWrites() {
        roan.purge("/authors/{author_id}").onUpdate(POST);
        dsl.transaction(c -> {
            DSL.using(c).update(POST).set(POST.AUTHOR_ID, 2L).where(POST.ID.eq(11L)).execute();
            DSL.using(c).update(POST).set(POST.TITLE, "Moved").where(POST.ID.eq(11L)).execute();
        });
        assertThat(reads()).as("a read for each statement").hasSize(2);
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void aRuleWithoutReadingRowsDoesNotReadAndFallsBack() {
        roan.purge("/authors/{author_id}").onUpdate(POST).withoutReadingRows().whenRowsUnknown("/authors");
        dsl.update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(10L)).execute();
        assertThat(reads()).isEmpty();
        assertThat(fixture.purgedOnce()).containsExactly("/authors");
        assertThat(roan.purge("/authors/{author_id}").toString()).contains("without reading rows");
    }

    @Test
    void aRuleWithoutReadingRowsStillFillsItsPathWhenAnotherRuleReads() {
        roan.purge("/posts/{id}").onUpdate(POST).withoutReadingRows().whenRowsUnknown("/posts");
        roan.purge("/authors/{author_id}").onUpdate(POST);
        dsl.update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(10L)).execute();
        assertThat(reads()).hasSize(1);
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/posts/10", "/authors/1");
    }

    @Test
    void aStatementWhoseRulesNeedNothingMoreDoesNotRead() {
        roan.purge("/posts").onWrite(POST);
        roan.purge("/posts/{id}").onWrite(POST);
        roan.purge("/authors/by-name/{name}").onUpdate(AUTHOR);
        dsl.update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(10L)).execute();
        dsl.deleteFrom(POST).where(POST.ID.eq(11L)).execute();
        dsl.update(AUTHOR).set(AUTHOR.NAME, "Ann").where(AUTHOR.NAME.eq("ann")).execute();
        dsl.insertInto(POST).set(POST.ID, 30L).set(POST.AUTHOR_ID, 1L).set(POST.SLUG, "new").set(POST.TITLE, "N")
                .execute();
        assertThat(reads()).as("the statements tell every value").isEmpty();
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/posts", "/posts/10", "/posts/11", "/posts/30",
                "/authors/by-name/ann", "/authors/by-name/Ann");
    }

    @Test
    void aStoredRecordIsReadByItsKeyLikeAnyUpdate() {
        // No record listener: store() is its statement, update post set title = ? where id = ?.
        roan.purge("/authors/{author_id}").onUpdate(POST);
        PostRecord post = dsl.fetchOne(POST, POST.ID.eq(10L));
        executed.clear();
        post.setTitle("Uno");
        post.store();
        assertThat(reads()).singleElement()
                .satisfies(sql -> assertThat(sql.toLowerCase(Locale.ROOT)).contains("author_id", "where"));
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void aStoredRecordThatChangesTheColumnPurgesItsOldAndNewPage() {
        roan.purge("/authors/{author_id}").onUpdate(POST);
        PostRecord post = dsl.fetchOne(POST, POST.ID.eq(10L));
        executed.clear();
        post.setAuthorId(2L);
        post.changed(POST.TITLE, false);
        post.store();
        assertThat(reads()).as("the old author_id is still unknown: read").hasSize(1);
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void aRecordOfARuleWithoutReadingRowsFallsBackWhereItsStatementLacksTheColumn() {
        roan.purge("/authors/{author_id}").onUpdate(POST).withoutReadingRows().whenRowsUnknown("/authors");
        PostRecord post = dsl.fetchOne(POST, POST.ID.eq(10L));
        executed.clear();
        post.setTitle("Uno");
        post.store();
        assertThat(reads()).isEmpty();
        assertThat(fixture.purgedOnce()).containsExactly("/authors");
    }

    @Test
    void batchStoreOfRecordsIsReadOnceByTheirKeys() {
        roan.purge("/authors/{author_id}").onUpdate(POST).whenRowsUnknown("/authors");
        List<PostRecord> posts = dsl.fetch(POST, POST.ID.in(10L, 20L));
        posts.forEach(p -> p.setTitle(p.getTitle() + "!"));
        executed.clear();
        dsl.batchStore(posts).execute();
        assertThat(reads()).as("one read for the batch").singleElement()
                .satisfies(sql -> assertThat(sql.toLowerCase(Locale.ROOT))
                        .as("records named by their key alone: one IN list, not 100 OR-ed equalities")
                        .contains("author_id", " in (").doesNotContain(" or "));
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void aBatchWhoseSetsNameTwoColumnsIsReadByEachSetsColumns() {
        roan.purge("/authors/{author_id}").onUpdate(POST).whenRowsUnknown("/authors");
        executed.clear();
        dsl.batch(dsl.update(POST).set(POST.TITLE, (String) null).where(POST.ID.eq((Long) null))
                        .and(POST.TITLE.eq((String) null)))
                .bind("a", 10L, "Uno").bind("b", 20L, "Dos").execute();
        assertThat(reads()).as("one read for the batch").singleElement()
                .satisfies(sql -> assertThat(sql.toLowerCase(Locale.ROOT)).contains("author_id", " or ")
                        .doesNotContain(" in ("));
    }

    @Test
    void batchUpdateOfRecordsThatMoveARowPurgesItsOldAndNewPage() {
        roan.purge("/authors/{author_id}").onUpdate(POST).whenRowsUnknown("/authors");
        List<PostRecord> posts = dsl.fetch(POST, POST.ID.in(10L, 20L));
        posts.forEach(p -> p.setAuthorId(p.getId() == 10L ? 2L : 1L));
        executed.clear();
        dsl.batchUpdate(posts).execute();
        assertThat(reads()).hasSize(1);
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
        Long author = fixture.db().onSeparateConnection(d -> d.fetchValue(POST.AUTHOR_ID, POST.ID.eq(10L)));
        assertThat(author).isEqualTo(2L);
    }

    @Test
    void batchStoreSentInChunksMovesEveryRowFromItsOldPage() {
        roan.purge("/authors/{author_id}").onUpdate(POST).whenRowsUnknown("/authors");
        DSLContext chunked = DSL.using(dsl.configuration().derive(new Settings().withBatchSize(2)));
        List<PostRecord> posts = chunked.fetch(POST, POST.ID.in(10L, 11L, 20L));
        posts.forEach(p -> p.setAuthorId(p.getAuthorId() == 1L ? 2L : 1L));
        chunked.batchStore(posts).execute();
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
        posts.forEach(p -> p.setAuthorId(3L));
        fixture.db().execute("insert into author (id, name) values (3, 'cy');");
        chunked.batchStore(posts).execute();
        assertThat(fixture.purgedOnce()).as("each row's old author, in either chunk")
                .containsExactlyInAnyOrder("/authors/1", "/authors/2", "/authors/3");
    }

    @Test
    void batchDeleteOfRecordsIsReadOnceByTheirKeys() {
        roan.purge("/authors/{author_id}").onDelete(POST).whenRowsUnknown("/authors");
        List<PostRecord> posts = dsl.fetch(POST, POST.ID.eq(20L));
        executed.clear();
        dsl.batchDelete(posts).execute();
        assertThat(reads()).hasSize(1);
        assertThat(fixture.purgedOnce()).containsExactly("/authors/2");
    }

    @Test
    void anUpdateWithReturningPurgesTheReadAndTheReturnedRows() {
        roan.purge("/authors/{author_id}").onUpdate(POST);
        dsl.update(POST).set(POST.AUTHOR_ID, 2L).where(POST.ID.eq(10L)).returning(POST.AUTHOR_ID).fetch();
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void aBatchWithBindSetsIsReadOnceByTheValuesOfItsSets() {
        roan.purge("/authors/{author_id}").onUpdate(POST).whenRowsUnknown("/authors");
        dsl.batch(dsl.update(POST).set(POST.TITLE, (String) null).where(POST.ID.eq((Long) null)))
                .bind("A", 10L).bind("B", 20L).execute();
        assertThat(reads()).hasSize(1);
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void aBatchWhoseSetsNameNoRowByValueFallsBackWithoutReading() {
        roan.purge("/authors/{author_id}").onUpdate(POST).whenRowsUnknown("/authors");
        dsl.batch(dsl.update(POST).set(POST.TITLE, (String) null).where(POST.TITLE.like((String) null)))
                .bind("A", "T%").bind("B", "U%").execute();
        assertThat(reads()).isEmpty();
        assertThat(fixture.purgedOnce()).containsExactly("/authors");
    }

    @Test
    void aReadThatFailsLeavesTheWriteAloneAndFallsBack() {
        PostWithAColumnTheDatabaseLacks post = new PostWithAColumnTheDatabaseLacks();
        roan.purge("/x/{nope}").onUpdate(post).whenRowsUnknown("/x");
        try (LogCapture log = new LogCapture()) {
            assertThat(dsl.update(post).set(post.title, "Uno").where(post.id.eq(10L)).execute()).isOne();
            assertThat(dsl.update(post).set(post.title, "Dos").where(post.id.eq(10L)).execute()).isOne();
            assertThat(fixture.purgedOnce()).containsExactly("/x");
            assertThat(log.messages(java.util.logging.Level.WARNING))
                    .filteredOn(m -> m.contains("could not read the rows")).as("logged once").singleElement()
                    .satisfies(m -> assertThat(m).contains("POST", "[nope]", "fallback"));
        }
        String title = fixture.db().onSeparateConnection(d -> d.fetchValue(POST.TITLE, POST.ID.eq(10L)));
        assertThat(title).isEqualTo("Dos");
    }

    @Test
    void aTableWithoutKnownColumnsIsNotRead() {
        roan.purge("/authors/{author_id}").onUpdate(DSL.table("post")).whenRowsUnknown("/authors");
        dsl.update(DSL.table("post")).set(DSL.field("title"), "Uno").where(DSL.field("id").eq(10L)).execute();
        assertThat(reads()).isEmpty();
        assertThat(fixture.purgedOnce()).containsExactly("/authors");
    }

    @Test
    void anUpdateOfNoRowPurgesNothing() {
        roan.purge("/authors/{author_id}").onUpdate(POST).whenRowsUnknown("/authors");
        dsl.update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(99L)).execute();
        fixture.assertNothingPurged();
    }

    @Test
    void onlyARuleWithPlaceholdersOnUpdateOrDeleteMakesStatementsAskForRowsFirst() {
        Rules rules = new Rules();
        RowsBefore rowsBefore = new RowsBefore(rules);
        rules.register(rules.rule(PathTemplate.parse("/posts/{slug}"), 1_000), WriteKinds.INSERT,
                new org.jooq.Table<?>[] {POST});
        assertThat(rowsBefore.any()).as("a rule on INSERT only").isFalse();

        rules.register(rules.rule(PathTemplate.parse("/posts/{slug}"), 1_000), WriteKinds.UPDATE,
                new org.jooq.Table<?>[] {POST});
        assertThat(rowsBefore.any()).as("a rule on UPDATE").isTrue();
    }
}
