package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Locale;

import dev.roan.jooq.test.db.tables.records.CommentRecord;
import org.jooq.Converter;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.TableField;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pages keyed by a related row ({@link PurgeRule#via}): petclinic's visit → pet → owner, on the test schema's
 * comment → post → author. A comment is shown on its post's author's page; the comment row names only its post.
 */
class RelatedRowsTest {

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
        fixture.db().execute(TestRows.TWO_AUTHORS + TestRows.COMMENTS);
    }

    /** Roan's reads of related rows since the last call. */
    private List<String> relatedReads() {
        return executed.take(sql -> sql.startsWith("select distinct"));
    }

    private static long binds(String sql) {
        return sql.chars().filter(c -> c == '?').count();
    }

    @Test
    void anInsertPurgesThePageOfTheRelatedRow() {
        roan.purge("/authors/{author_id}").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID);
        dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "hi").execute();
        assertThat(relatedReads()).as("one read of the placeholder columns, the value bound").singleElement()
                .satisfies(sql -> assertThat(sql.toLowerCase(Locale.ROOT)).contains("author_id", "post", "in (")
                        .doesNotContain("10"));
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void placeholdersNameColumnsOfTheRelatedTable() {
        roan.purge("/authors/{author_id}/posts/{slug}").onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID);
        dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(20L, "hi").execute();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/2/posts/three");
    }

    @Test
    void anUpdateByIdReadsTheRowFirstThenItsRelatedRow() {
        roan.purge("/authors/{author_id}").onUpdate(COMMENT).via(COMMENT.POST_ID, POST.ID);
        dsl.update(COMMENT).set(COMMENT.BODY, "edited").where(COMMENT.ID.eq(100L)).execute();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void aDeleteByIdPurgesThePageOfTheRelatedRow() {
        roan.purge("/authors/{author_id}").onDelete(COMMENT).via(COMMENT.POST_ID, POST.ID);
        dsl.deleteFrom(COMMENT).where(COMMENT.ID.eq(200L)).execute();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/2");
    }

    @Test
    void aRowMovedToAnotherRelatedRowPurgesBothPages() {
        roan.purge("/authors/{author_id}").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID);
        dsl.update(COMMENT).set(COMMENT.POST_ID, 20L).where(COMMENT.ID.eq(100L)).execute();
        assertThat(relatedReads()).as("both posts in one read").singleElement()
                .satisfies(sql -> assertThat(binds(sql)).isEqualTo(2));
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void aRecordMovedToAnotherRelatedRowPurgesBothPages() {
        roan.purge("/authors/{author_id}").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID);
        CommentRecord comment = dsl.fetchOne(COMMENT, COMMENT.ID.eq(100L));
        comment.setPostId(20L);
        comment.store();
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void aChainedViaReachesTheTableOfItsLastStep() {
        roan.purge("/authors/by-name/{name}").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID)
                .via(POST.AUTHOR_ID, AUTHOR.ID);
        dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(11L, "hi").execute();
        assertThat(relatedReads()).as("one read per step").hasSize(2);
        assertThat(fixture.purgedOnce()).containsExactly("/authors/by-name/ann");
    }

    @Test
    void theReadSeesWhatTheTransactionWroteBefore() {
        roan.purge("/authors/{author_id}").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID);
        dsl.transaction(c -> {
            DSL.using(c).insertInto(POST, POST.ID, POST.AUTHOR_ID, POST.SLUG, POST.TITLE).values(30L, 2L, "new", "New")
                    .execute();
            DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(30L, "first!").execute();
        });
        assertThat(fixture.purgedOnce()).containsExactly("/authors/2");
    }

    @Test
    void aRolledBackTransactionPurgesNothing() {
        roan.purge("/authors/{author_id}").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID);
        assertThatThrownBy(() -> dsl.transaction(c -> {
            DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "hi").execute();
            throw new IllegalStateException("rollback");
        })).hasMessageContaining("rollback");
        fixture.assertNothingPurged();
    }

    @Test
    void aBatchReadsAllItsValuesAtOnce() {
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID);
        dsl.batch(dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values((Long) null, null))
                .bind(10L, "a").bind(11L, "b").bind(20L, "c").execute();
        assertThat(relatedReads()).as("one read for the batch's three posts").singleElement()
                .satisfies(sql -> assertThat(binds(sql)).isEqualTo(3));
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void aBatchSentInChunksReadsTheValuesOfEveryChunk() {
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID);
        DSLContext chunked = DSL.using(dsl.configuration().derive(new org.jooq.conf.Settings().withBatchSize(2)));
        chunked.batch(chunked.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values((Long) null, null))
                .bind(10L, "a").bind(11L, "b").bind(20L, "c").execute();
        assertThat(fixture.purgedOnce()).as("the last chunk's post too").containsExactlyInAnyOrder("/authors/1",
                "/authors/2");
    }

    @Test
    void manyValuesAreReadAThousandAtATime() {
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID);
        var batch = dsl.batch(dsl.insertInto(COMMENT, COMMENT.ID, COMMENT.POST_ID, COMMENT.BODY)
                .values((Long) null, null, null));
        fixture.db().onSeparateConnection(d -> d.execute("insert into post (id, author_id, slug, title)"
                + " select x + 1000, 2, 'p' || x, 't' from system_range(1, 1500)"));
        for (long i = 1; i <= 1500; i++) {
            batch.bind(10_000 + i, 1000 + i, "c");
        }
        batch.bind(20_000L, 10L, "c").execute();
        assertThat(relatedReads()).as("1,501 values in two reads").satisfiesExactly(
                sql -> assertThat(binds(sql)).isEqualTo(1000), sql -> assertThat(binds(sql)).isEqualTo(501));
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void aNullReferencePurgesNothing() {
        roan.purge("/authors/by-name/{name}").onInsert(POST).via(POST.AUTHOR_ID, AUTHOR.ID);
        dsl.insertInto(POST, POST.AUTHOR_ID, POST.SLUG, POST.TITLE).values((Long) null, "orphan", "Orphan").execute();
        assertThat(relatedReads()).isEmpty();
        fixture.assertNothingPurged("a post without author has no author page");
    }

    @Test
    void valuesTheStatementDoesNotTellPurgeTheFallback() {
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID).whenRowsUnknown("/authors");
        dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).select(DSL.select(POST.ID, POST.TITLE).from(POST)
                .where(POST.ID.eq(10L))).execute();
        assertThat(relatedReads()).isEmpty();
        assertThat(fixture.purgedOnce()).containsExactly("/authors");
    }

    /** A post id whose hash fails: a value the related read cannot collect, as a bug of Roan's own would fail. */
    static final class PostId {
        final long value;

        PostId(long value) {
            this.value = value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PostId && ((PostId) o).value == value;
        }

        @Override
        public int hashCode() {
            throw new IllegalStateException("no hash");
        }
    }

    private static final org.jooq.DataType<PostId> POST_ID = SQLDataType.BIGINT
            .asConvertedDataType(Converter.of(Long.class, PostId.class, v -> new PostId(v), p -> p.value));

    /** COMMENT with its POST_ID converted to {@link PostId}. */
    static final class CommentOfPostId extends TableImpl<Record> {
        private static final long serialVersionUID = 1L;
        final TableField<Record, Long> id = createField(DSL.name("ID"), SQLDataType.BIGINT);
        final TableField<Record, PostId> postId = createField(DSL.name("POST_ID"), POST_ID);
        final TableField<Record, String> body = createField(DSL.name("BODY"), SQLDataType.VARCHAR(1000));

        CommentOfPostId() {
            super(DSL.name("COMMENT"));
        }
    }

    /** POST with its ID converted to {@link PostId}. */
    static final class PostOfId extends TableImpl<Record> {
        private static final long serialVersionUID = 1L;
        final TableField<Record, PostId> id = createField(DSL.name("ID"), POST_ID);
        final TableField<Record, Long> authorId = createField(DSL.name("AUTHOR_ID"), SQLDataType.BIGINT);

        PostOfId() {
            super(DSL.name("POST"));
        }
    }

    @Test
    void aFailureAroundTheReadFallsBackAndKeepsTheStatementsOtherPurges() {
        CommentOfPostId comment = new CommentOfPostId();
        PostOfId post = new PostOfId();
        roan.purge("/comments").onInsert(comment);
        roan.purge("/authors/{author_id}").onInsert(comment).via(comment.postId, post.id).whenRowsUnknown("/authors");
        try (LogCapture log = new LogCapture()) {
            dsl.insertInto(comment, comment.id, comment.postId, comment.body).values(300L, new PostId(10), "a")
                    .execute();
            assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/comments", "/authors");
            assertThat(log.messages(java.util.logging.Level.WARNING))
                    .filteredOn(m -> m.contains("rows related to a statement's writes")).hasSize(1);
        }
    }

    /** A table the database does not have: a related read of it fails as one of a dropped table would. */
    static final class Archive extends TableImpl<Record> {
        private static final long serialVersionUID = 1L;
        final TableField<Record, Long> id = createField(DSL.name("ID"), SQLDataType.BIGINT);
        final TableField<Record, Long> authorId = createField(DSL.name("AUTHOR_ID"), SQLDataType.BIGINT);

        Archive() {
            super(DSL.name("POST_ARCHIVE"));
        }
    }

    @Test
    void aFailingReadLeavesTheWriteCommittedAndPurgesTheFallback() {
        Archive archive = new Archive();
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, archive.id)
                .whenRowsUnknown("/authors");
        try (LogCapture log = new LogCapture()) {
            dsl.transaction(c -> {
                DSL.using(c).insertInto(COMMENT, COMMENT.ID, COMMENT.POST_ID, COMMENT.BODY).values(300L, 10L, "a")
                        .execute();
                DSL.using(c).insertInto(COMMENT, COMMENT.ID, COMMENT.POST_ID, COMMENT.BODY).values(301L, 20L, "b")
                        .execute();
            });
            assertThat(fixture.purgedOnce()).containsExactly("/authors");
            assertThat(log.messages(java.util.logging.Level.WARNING))
                    .filteredOn(m -> m.contains("could not read the rows related")).as("logged once per rule")
                    .singleElement().satisfies(m -> assertThat(m).contains("COMMENT", "/authors/{author_id}",
                            "POST_ARCHIVE", "SQL state", "[/authors]").doesNotContain("10"));
            assertThat(log.messages(java.util.logging.Level.WARNING)).as("the statement is not to blame")
                    .noneMatch(m -> m.contains("cannot tell which rows"));
        }
        int committed = fixture.db().onSeparateConnection(d -> d.fetchCount(COMMENT, COMMENT.ID.in(300L, 301L)));
        assertThat(committed)
                .as("the transaction committed").isEqualTo(2);
    }

    @Test
    void explainShowsTheReadItWouldRun() {
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID);
        roan.purge("/authors/by-name/{name}").onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID)
                .via(POST.AUTHOR_ID, AUTHOR.ID).whenRowsUnknown("/authors");
        Explanation e = roan.explain(dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "hi"));
        assertThat(e.paths()).as("the pages are known only once read").isEmpty();
        assertThat(e.relatedReads()).satisfiesExactly(
                read -> assertThat(read.toLowerCase(Locale.ROOT)).startsWith("/authors/{author_id}: select distinct")
                        .contains("author_id", "in (10)"),
                read -> assertThat(read.toLowerCase(Locale.ROOT)).startsWith("/authors/by-name/{name}: select distinct")
                        .contains("\"name\"", "in (10)", "in (select"));
        Explanation unknown = roan.explain(dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY)
                .select(DSL.select(POST.ID, POST.TITLE).from(POST)));
        assertThat(unknown.relatedReads()).isEmpty();
        assertThat(unknown.rowsUnknown()).containsExactlyInAnyOrder("/authors/{author_id}", "/authors/by-name/{name}");
        assertThat(unknown.paths()).containsExactly("/authors");
    }

    @Test
    void aRuleAwaitingItsViaPurgesItsFallbackAndSaysWhy() {
        PurgeRule rule = roan.purge("/authors/{author_id}").onInsert(COMMENT).whenRowsUnknown("/authors");
        assertThat(rule.toString()).contains("awaiting via");
        try (LogCapture log = new LogCapture()) {
            dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "hi").execute();
            dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "ho").execute();
            assertThat(fixture.purgedOnce()).containsExactly("/authors");
            assertThat(log.messages(java.util.logging.Level.WARNING)).filteredOn(m -> m.contains("cannot be filled"))
                    .singleElement().satisfies(m -> assertThat(m).contains("{author_id}", "COMMENT", "via("));
        }
    }

    @Test
    void aRuleFillsSomeTablesDirectlyAndOthersThroughAJoin() {
        // Petclinic's owner page: a pet names its owner, a visit only its pet.
        roan.purge("/authors/{author_id}").onWrite(POST).onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID)
                .onInsert(AUTHOR).whenRowsUnknown("/authors");
        dsl.insertInto(POST, POST.ID, POST.AUTHOR_ID, POST.SLUG, POST.TITLE).values(30L, 2L, "new", "New").execute();
        assertThat(relatedReads()).as("a post fills the path itself").isEmpty();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/2");
        dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "hi").execute();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
        dsl.insertInto(AUTHOR, AUTHOR.ID, AUTHOR.NAME).values(3L, "cy").execute();
        assertThat(fixture.purgedOnce()).as("an author's writes await a via(...): the fallback").containsExactly(
                "/authors");
        assertThat(roan.purge("/authors/{author_id}").toString()).contains("POST (", "COMMENT (",
                "via(COMMENT.POST_ID, POST.ID)", "AUTHOR (", "awaiting via");
    }

    @Test
    void aChainGoesOnFromTheTableThePreviousViaReached() {
        roan.purge("/authors/by-name/{name}").onWrite(POST).via(POST.AUTHOR_ID, AUTHOR.ID)
                .onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID).via(POST.AUTHOR_ID, AUTHOR.ID);
        dsl.update(POST).set(POST.AUTHOR_ID, 2L).where(POST.ID.eq(11L)).execute();
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/by-name/ann", "/authors/by-name/bob");
        dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(20L, "hi").execute();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/by-name/bob");
    }

    @Test
    void viaBeforeTheTableIsRefused() {
        assertThatThrownBy(() -> roan.purge("/authors/{author_id}").via(COMMENT.POST_ID, POST.ID))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("onWrite(COMMENT)");
    }

    @Test
    void aFromColumnOfAnotherTableIsRefused() {
        assertThatThrownBy(() -> roan.purge("/authors/{author_id}").onWrite(COMMENT).via(POST.AUTHOR_ID, AUTHOR.ID))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("POST.AUTHOR_ID is not a column of the rule's tables (COMMENT)");
        assertThatThrownBy(() -> roan.purge("/authors/by-name/{name}/2").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID)
                .via(COMMENT.POST_ID, POST.ID)).as("a second step starts where the first ended")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already")
                .hasMessageContaining("right after the previous one");
        assertThatThrownBy(() -> roan.purge("/authors/by-name/{name}/3").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID)
                .via(AUTHOR.ID, POST.AUTHOR_ID)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nor of POST, which the previous via(...) reaches");
    }

    @Test
    void columnsOfTablesWithoutKnownColumnsAreRefused() {
        assertThatThrownBy(() -> roan.purge("/authors/{author_id}").onWrite(COMMENT)
                .via(COMMENT.POST_ID, DSL.field(DSL.name("post", "id"), Long.class)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not DSL.field(...)");
        assertThatThrownBy(() -> roan.purge("/authors/{author_id}/c").onWrite(DSL.table("comment"))
                .via(COMMENT.POST_ID, POST.ID)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("register the generated table");
    }

    @Test
    void aPlaceholderNoTableHasIsRefusedWithTheTablesColumns() {
        // A column of some table of the schema may be reached by a via to come; a typo is refused at once.
        assertThatThrownBy(() -> roan.purge("/posts/{title_slug}").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{title_slug}").hasMessageContaining("ID, POST_ID, BODY");
    }

    @Test
    void otherMisusesAreRefused() {
        assertThatThrownBy(() -> roan.purge("/authors").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no placeholder");
        assertThatThrownBy(() -> roan.purge("/authors/{author_id}/3").onWrite(COMMENT).via(null, POST.ID))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        @SuppressWarnings({"unchecked", "rawtypes"})
        Field<Long> body = (Field) COMMENT.BODY;
        assertThatThrownBy(() -> roan.purge("/authors/{author_id}/4").onWrite(COMMENT).via(body, POST.ID))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("String")
                .hasMessageContaining("Long");
    }
}
