package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.roan.jooq.test.db.tables.records.PostRecord;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Roan#track}: pages register nothing, and a committed write purges exactly the tracked pages it changed. */
class TrackTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private ExecutedSql executed;
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        executed = fixture.executed();
        roan = fixture.roan();
        dsl = fixture.dsl();
        fixture.db().execute(TestRows.ANN_AND_BOB_A_POST_EACH);
    }

    private String postPage(long id) {
        return roan.track("/posts/" + id, () -> dsl.selectFrom(POST).where(POST.ID.eq(id)).fetchOne().getTitle());
    }

    /** An author's page: the author, and their posts through a join that carries the author's id. */
    private int authorPage(long id) {
        return roan.track("/authors/" + id, () -> dsl.select(POST.TITLE).from(AUTHOR).join(POST)
                .on(POST.AUTHOR_ID.eq(AUTHOR.ID)).where(AUTHOR.ID.eq(id)).fetch().size());
    }

    @Test
    void eachTrackedRenderLogsItsKeysAtDebugAbbreviatedAndPrintable() {
        try (LogCapture log = new LogCapture()) {
            authorPage(100);
            roan.track("/search", () -> {
                dsl.selectFrom(POST).where(POST.SLUG.eq("a\nRoan tracked /forged: \u202e")).fetch();
                for (long id = 1; id <= 25; id++) {
                    dsl.selectFrom(POST).where(POST.ID.eq(id)).fetch();
                }
                return null;
            });

            List<String> lines = log.messages(java.util.logging.Level.FINE).stream()
                    .filter(m -> m.startsWith("Roan tracked ")).toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).startsWith("Roan tracked /authors/100: ").contains("author.id=100",
                    "post.author_id=100");
            assertThat(lines.get(1)).as("one line, whatever the values (folded as keys are)")
                    .startsWith("Roan tracked /search: post.slug=a roan tracked /forged: \\u202e, post.id=1, ")
                    .doesNotContain("\n", "\u202e").endsWith(", post.id=19, ... (26 keys)");
        }
    }

    @Test
    void aWriteOfOneRowPurgesThePagesThatReadItAndNoOther() {
        postPage(1);
        postPage(2);
        fixture.settle();

        dsl.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();

        assertThat(fixture.purged()).containsExactly("/posts/1");
    }

    @Test
    void movingARowToAnotherParentPurgesTheOldAndTheNewParentsPages() {
        authorPage(100);
        authorPage(101);
        postPage(2);
        fixture.settle();

        // The statement names neither author: their ids are read before the update, and the new one is in its SET.
        dsl.update(POST).set(POST.AUTHOR_ID, 101L).where(POST.SLUG.eq("a")).execute();

        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/100", "/authors/101");
    }

    @Test
    void insertsAndDeletesPurgeThePagesOfTheirRowsValues() {
        authorPage(100);
        authorPage(101);
        fixture.settle();

        dsl.insertInto(POST).set(POST.ID, 10L).set(POST.AUTHOR_ID, 101L).set(POST.SLUG, "c").set(POST.TITLE, "C")
                .execute();
        assertThat(fixture.purgedOnce()).as("insert").containsExactly("/authors/101");

        dsl.deleteFrom(POST).where(POST.ID.eq(1L)).execute();
        assertThat(fixture.purgedOnce()).as("delete: the old value, read before").containsExactly("/authors/100");
    }

    @Test
    void aReadThatPinsNothingDependsOnTheWholeTable() {
        roan.track("/search/A", () -> dsl.selectFrom(POST).where(POST.TITLE.like("A%")).fetch());
        postPage(2);
        fixture.settle();

        dsl.insertInto(POST).set(POST.ID, 11L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "z").set(POST.TITLE, "Zed")
                .execute();

        assertThat(fixture.purged()).containsExactly("/search/A");
    }

    @Test
    void writesOfTablesNoTrackedPageReadPurgeNothing() {
        postPage(1);
        fixture.settle();

        dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 1L).set(COMMENT.BODY, "hi").execute();

        fixture.assertNothingPurged();
    }

    @Test
    void plainSqlReadsAndWritesGiveTheSameKeys() {
        roan.track("/posts/1", () -> dsl.fetch("select title from post where id = ?", 1));
        roan.track("/posts/2", () -> dsl.fetch("select title from post where id = 2"));
        fixture.settle();

        dsl.execute("update post set title = ? where id = ?", "A3", 1L);
        assertThat(fixture.purged()).as("plain SQL write, bind values").containsExactly("/posts/1");

        dsl.update(POST).set(POST.TITLE, "B3").where(POST.ID.eq(2L)).execute();
        assertThat(fixture.purged()).as("DSL write of a page read by plain SQL with a literal")
                .containsExactly("/posts/2");
    }

    @Test
    void recordsAndBatchesGiveTheirRowsKeys() {
        postPage(1);
        postPage(2);
        fixture.settle();

        PostRecord post = dsl.fetchOne(POST, POST.ID.eq(2L));
        post.setTitle("B4");
        post.store();
        assertThat(fixture.purgedOnce()).as("record").containsExactly("/posts/2");

        dsl.batch(dsl.update(POST).set(POST.TITLE, (String) null).where(POST.ID.eq((Long) null)))
                .bind("A5", 1L).bind("B5", 2L).execute();
        assertThat(fixture.purgedOnce()).as("batch with bind sets").containsExactlyInAnyOrder("/posts/1", "/posts/2");
    }

    @Test
    void upsertsPurgeThePagesOfTheirRows() {
        postPage(1);
        postPage(2);
        fixture.settle();

        dsl.insertInto(POST).set(POST.ID, 1L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "a").set(POST.TITLE, "A6")
                .onDuplicateKeyUpdate().set(POST.TITLE, "A6").execute();
        assertThat(fixture.purgedOnce()).as("upsert").contains("/posts/1");

        dsl.mergeInto(POST).using(DSL.selectOne()).on(POST.ID.eq(2L)).whenMatchedThenUpdate().set(POST.TITLE, "B6")
                .execute();
        assertThat(fixture.purgedOnce()).as("MERGE, whose rows Roan cannot see: every row page of the table")
                .containsExactlyInAnyOrder("/posts/1", "/posts/2");
    }

    @Test
    void aRolledBackWritePurgesNothingAndACommittedOneAfterTheCommit() {
        postPage(1);
        fixture.settle();

        assertThatThrownBy(() -> dsl.transaction(tx -> {
            tx.dsl().update(POST).set(POST.TITLE, "X").where(POST.ID.eq(1L)).execute();
            throw new IllegalStateException("roll back");
        })).isInstanceOf(IllegalStateException.class);
        fixture.assertNothingPurged("rolled back");

        dsl.transaction(tx -> {
            tx.dsl().update(POST).set(POST.TITLE, "Y").where(POST.ID.eq(1L)).execute();
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(fixture.cache().paths()).as("before the commit").doesNotContain("/posts/1");
        });
        assertThat(fixture.purged()).containsExactly("/posts/1");
    }

    @Test
    void renderingAPageAgainReplacesItsDependencies() {
        roan.track("/featured", () -> dsl.selectFrom(POST).where(POST.ID.eq(1L)).fetch());
        roan.track("/featured", () -> dsl.selectFrom(POST).where(POST.ID.eq(2L)).fetch());
        fixture.settle();

        dsl.update(POST).set(POST.TITLE, "A7").where(POST.ID.eq(1L)).execute();
        fixture.assertNothingPurged("the page no longer reads post 1");

        dsl.update(POST).set(POST.TITLE, "B7").where(POST.ID.eq(2L)).execute();
        assertThat(fixture.purged()).containsExactly("/featured");
    }

    @Test
    void anInnerPagesReadsCountForTheOuterPageToo() {
        roan.track("/outer", () -> {
            dsl.selectFrom(POST).where(POST.ID.eq(1L)).fetch();
            return roan.track("/inner", () -> dsl.selectFrom(POST).where(POST.ID.eq(2L)).fetch());
        });
        fixture.settle();

        dsl.update(POST).set(POST.TITLE, "B8").where(POST.ID.eq(2L)).execute();
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/outer", "/inner");

        dsl.update(POST).set(POST.TITLE, "A8").where(POST.ID.eq(1L)).execute();
        assertThat(fixture.purgedOnce()).containsExactly("/outer");
    }

    @Test
    void aRenderThatThrowsStillDependsOnWhatItRead() {
        assertThatThrownBy(() -> roan.track("/posts/3", () -> {
            if (dsl.selectFrom(POST).where(POST.ID.eq(3L)).fetchOne() == null) {
                throw new IllegalStateException("404");
            }
            return "found";
        })).hasMessage("404");
        fixture.settle();

        // A cached 404 must go when the row appears.
        dsl.insertInto(POST).set(POST.ID, 3L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "c").set(POST.TITLE, "C")
                .execute();
        assertThat(fixture.purged()).containsExactly("/posts/3");
    }

    @Test
    void aClosedRoanRendersAndRecordsNothing() {
        roan.close();
        assertThat(roan.track("/posts/1", () -> dsl.selectFrom(POST).where(POST.ID.eq(1L)).fetchOne().getTitle()))
                .isEqualTo("A");
        assertThat(roan.tracking().index().urls(List.of(Dependency.row("post", "id", "1")))).isEmpty();
    }

    @Test
    void aBadUrlIsRefusedBeforeTheRender() {
        AtomicBoolean rendered = new AtomicBoolean();
        assertThatIllegalArgumentException().isThrownBy(() -> roan.track("posts/1", () -> rendered.getAndSet(true)))
                .withMessageContaining("track()").withMessageContaining("/");
        assertThatIllegalArgumentException().isThrownBy(() -> roan.track("/posts/{id}", () -> rendered.getAndSet(true)))
                .withMessageContaining("track()");
        assertThat(rendered).isFalse();
        assertThat(roan.track("/search?q=a b", () -> "ok")).as("a query string is fine").isEqualTo("ok");
    }

    @Test
    void beyondMaxTrackedPagesThePageRenderedLongestAgoIsPurgedAndForgotten() {
        RoanFixture small = new RoanFixture().builder(b -> b.maxTrackedPages(1));
        try {
            Roan bounded = small.roan();
            DSLContext d = small.dsl();
            small.db().onSeparateConnection(x -> x.insertInto(AUTHOR).set(AUTHOR.ID, 7L).set(AUTHOR.NAME, "a")
                    .execute());
            bounded.track("/authors/7", () -> d.selectFrom(AUTHOR).where(AUTHOR.ID.eq(7L)).fetch());
            small.settle();

            bounded.track("/authors", () -> d.selectFrom(AUTHOR).fetch());
            assertThat(small.purged()).as("the evicted page").containsExactly("/authors/7");
            assertThat(bounded.toString()).contains("evictions=1");
        } finally {
            try {
                small.afterEach(null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void maxTrackedPagesIsCheckedAndShown() {
        assertThatIllegalArgumentException().isThrownBy(() -> Roan.builder().maxTrackedPages(0))
                .withMessageContaining("maxTrackedPages must be at least 1");
        assertThat(Roan.builder().maxTrackedPages(5).toString()).contains("maxTrackedPages=5");
    }

    @Test
    void theThreeArgumentTrackHandsNoHeaderForAQuietRender() {
        List<String> headers = new ArrayList<>();
        postPage(1);
        roan.track("/posts/1", () -> dsl.selectFrom(POST).where(POST.ID.eq(1L)).fetch(),
                (name, value) -> headers.add(name + ": " + value));
        assertThat(headers).isEmpty();
    }

    /**
     * The writer's cost, as the README's "Automatic dependencies" states it: once a tracked page pins post.id, an
     * UPDATE of post that does not name its ids reads them first (one SELECT, on its connection), so that the old and
     * new values are exact; one that names them, or a table no page pinned, runs alone.
     */
    @Test
    void anUpdateThatDoesNotNameAPinnedColumnReadsItsRowsFirstAndOnlyThen() {
        dsl.update(POST).set(POST.TITLE, "A1").where(POST.SLUG.eq("a")).execute();
        assertThat(executed.take(sql -> !sql.contains("audit_log"))).as("nothing tracked yet").hasSize(1);
        assertThat(postPage(1)).isEqualTo("A1");
        fixture.settle();
        executed.clear();

        dsl.update(POST).set(POST.TITLE, "A2").where(POST.SLUG.eq("a")).execute();
        List<String> statements = executed.take(sql -> !sql.contains("audit_log"));
        assertThat(statements).as("the update, and the read of its rows' ids").hasSize(2)
                .filteredOn(sql -> sql.toLowerCase(Locale.ROOT).startsWith("select")).hasSize(1);
        assertThat(fixture.purgedOnce()).containsExactly("/posts/1");

        dsl.update(POST).set(POST.TITLE, "A3").where(POST.ID.eq(1L)).execute();
        assertThat(executed.take(sql -> !sql.contains("audit_log"))).as("the update names the pinned column's value").hasSize(1);
        dsl.update(AUTHOR).set(AUTHOR.NAME, "anne").where(AUTHOR.NAME.eq("ann")).execute();
        assertThat(executed.take(sql -> !sql.contains("audit_log"))).as("no page pinned a column of author").hasSize(1);
    }

    /**
     * A transaction's write ran before any tracked read pinned post.id (so it produced no key of it); a render on
     * another thread read the old row and pinned the column; then the transaction committed.
     */
    @Test
    void aWriteInFlightWhenAColumnIsFirstPinnedPurgesThePage() {
        dsl.transaction(tx -> {
            tx.dsl().update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();
            String seen = CompletableFuture.supplyAsync(() -> postPage(1)).join();
            assertThat(seen).as("the render read the committed row").isEqualTo("A");
        });

        assertThat(fixture.purgedOnce()).as("the page shows A, the row holds A2").containsExactly("/posts/1");
    }

    /** As above, with the table already read whole by another page: the write's table key alone missed the row. */
    @Test
    void aWriteInFlightWhenAColumnIsFirstPinnedPurgesThePageThoughTheTableWasTracked() {
        roan.track("/search", () -> dsl.selectFrom(POST).where(POST.TITLE.like("Z%")).fetch());
        fixture.settle();
        dsl.transaction(tx -> {
            tx.dsl().update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();
            assertThat(CompletableFuture.supplyAsync(() -> postPage(1)).join()).isEqualTo("A");
        });

        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/posts/1", "/search");
    }

    /**
     * ON DELETE CASCADE: the statement names the parent only, and the database deletes the child rows; which ones Roan
     * cannot tell, so every tracked page of the child table is purged (README, "Automatic dependencies"). More cases in
     * {@link TrackCascadeTest}.
     */
    @Test
    void aCascadedDeletePurgesEveryTrackedPageOfTheChildTable() {
        fixture.db().execute("create table \"note\" (\"id\" int primary key, \"author_id\" bigint references"
                + " author (id) on delete cascade, \"body\" varchar(100));"
                + " insert into \"note\" values (1, 100, 'hi'), (2, 101, 'yo')");
        Table<?> note = DSL.table(DSL.name("note"));
        Field<Integer> noteId = DSL.field(DSL.name("id"), Integer.class);
        roan.track("/notes/1", () -> dsl.select().from(note).where(noteId.eq(1)).fetch());
        roan.track("/notes/2", () -> dsl.select().from(note).where(noteId.eq(2)).fetch());
        fixture.settle();
        fixture.db().execute("delete from post");

        dsl.deleteFrom(AUTHOR).where(AUTHOR.ID.eq(100L)).execute();
        assertThat(fixture.purgedOnce()).as("the cascade is the database's").contains("/notes/1", "/notes/2");
    }
}
