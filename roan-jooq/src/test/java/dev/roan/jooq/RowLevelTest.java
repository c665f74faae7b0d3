package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUDIT_LOG;
import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.logging.Level;

import dev.roan.jooq.test.db.tables.records.PostRecord;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Row-level paths: {column} placeholders filled from the rows a write touched. */
class RowLevelTest {

    private TestDb db;
    private PurgeServer cache;
    private Roan roan;
    private DSLContext dsl;
    private int seen;

    @BeforeEach
    void setUp() throws Exception {
        db = new TestDb();
        cache = new PurgeServer();
        roan = Roan.builder().purgeUrl(cache.purgeUrl()).build();
        // Attached before any rule, so that rules with placeholders registered by each test see records.
        dsl = DSL.using(roan.attach(db.configuration()));
        roan.purge("/marker").onWrite(AUDIT_LOG);
        db.onSeparateConnection(d -> d.execute("insert into author (id, name) values (100, 'ann');"
                + "insert into post (id, author_id, slug, title) values (101, 100, 'one', 'One'), (102, 100, 'two', 'Two'),"
                + " (103, 100, 'three', 'Three')"));
    }

    @AfterEach
    void tearDown() throws Exception {
        roan.close();
        cache.close();
        db.close();
    }

    /**
     * The distinct paths purged since the last call (statements apart may purge a path twice); a marker
     * write and a flush prove nothing else was owed.
     */
    private List<String> purged() {
        dsl.insertInto(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "marker").execute();
        assertThat(roan.flush(Duration.ofSeconds(10))).as("flush").isTrue();
        List<String> paths = cache.paths();
        List<String> since = new ArrayList<>(paths.subList(seen, paths.size()));
        seen = paths.size();
        assertThat(since.remove("/marker")).as("the marker write arrived").isTrue();
        return List.copyOf(new LinkedHashSet<>(since));
    }

    @Test
    void placeholdersMustBeColumnsOfTheTable() {
        assertThatThrownBy(() -> roan.purge("/posts/{slg}").onWrite(POST))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{slg}")
                .hasMessageContaining("ID, AUTHOR_ID, SLUG, TITLE");
        assertThatThrownBy(() -> roan.purge("/posts/{id").onWrite(POST)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'{' without '}'");
        assertThatThrownBy(() -> roan.purge("/posts/{a-b}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a column name");
        assertThatThrownBy(() -> roan.purge("/posts/{id}").onWrite(DSL.table("post")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("knows its columns");
        assertThat(roan.purge("/posts/{SLUG}").onWrite(POST).path()).as("case-insensitive").isEqualTo("/posts/{SLUG}");
        assertThatThrownBy(() -> roan.purge("/posts/{id}").whenRowsUnknown("/posts/{id}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fixed path");
    }

    @Test
    void insertValuesFillThePath() {
        roan.purge("/posts/{slug}").onWrite(POST);
        dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "new").set(POST.TITLE, "New").execute();
        dsl.insertInto(POST, POST.AUTHOR_ID, POST.SLUG, POST.TITLE).values(100L, "m1", "M").values(100L, "m2", "M")
                .execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/new", "/posts/m1", "/posts/m2");
    }

    @Test
    void generatedKeysFillThePath() {
        roan.purge("/posts/{id}").onWrite(POST);
        PostRecord record = dsl.newRecord(POST);
        record.setAuthorId(100L);
        record.setSlug("rec");
        record.setTitle("Rec");
        record.store();
        Long id = dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "ret").set(POST.TITLE, "Ret")
                .returning(POST.ID).fetchOne(POST.ID);
        assertThat(purged()).containsExactlyInAnyOrder("/posts/" + record.getId(), "/posts/" + id);
    }

    @Test
    void whereKeysFillThePath() {
        roan.purge("/posts/{id}").onWrite(POST);
        dsl.update(POST).set(POST.TITLE, "x").where(POST.ID.eq(101L)).execute();
        dsl.update(POST).set(POST.TITLE, "y").where(POST.ID.in(102L, 103L).and(POST.TITLE.like("%"))).execute();
        dsl.deleteFrom(POST).where(POST.ID.eq(103L).or(POST.ID.eq(102L))).execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/101", "/posts/102", "/posts/103");
    }

    @Test
    void aChangedKeyPurgesBothPages() {
        roan.purge("/posts/{slug}").onWrite(POST);
        dsl.update(POST).set(POST.SLUG, "uno").where(POST.SLUG.eq("one")).execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/uno");
        dsl.execute("update post set slug = 'eins' where slug = 'uno'");
        assertThat(purged()).as("plain SQL").containsExactlyInAnyOrder("/posts/uno", "/posts/eins");
    }

    @Test
    void recordsKnowTheirOtherColumnsBeforeAndAfter() {
        roan.purge("/posts/{slug}").onWrite(POST);
        PostRecord one = dsl.fetchOne(POST, POST.ID.eq(101L));
        one.setTitle("Title only");
        one.store();
        assertThat(purged()).as("update by primary key, page by slug").containsExactly("/posts/one");
        one.setSlug("renamed");
        one.update();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/renamed");
        one.delete();
        assertThat(purged()).containsExactly("/posts/renamed");
    }

    @Test
    void batchStoreFillsEveryRecordsPath() {
        roan.purge("/posts/{slug}").onWrite(POST);
        List<PostRecord> posts = dsl.fetch(POST, POST.ID.in(101L, 102L));
        posts.forEach(p -> p.setTitle(p.getTitle() + "!"));
        dsl.batchStore(posts).execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/two");
    }

    @Test
    void returningNamesTheRowsAWhereClauseDoesNot() {
        roan.purge("/posts/{id}").onWrite(POST);
        dsl.update(POST).set(POST.TITLE, "x").where(POST.TITLE.like("T%")).returning(POST.ID).fetch();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/102", "/posts/103");
    }

    @Test
    void upsertPurgesTheInsertedAndTheConflictingRow() {
        roan.purge("/posts/{id}").onWrite(POST);
        dsl.insertInto(POST).set(POST.ID, 101L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "one").set(POST.TITLE, "Up")
                .onConflict(POST.ID).doUpdate().set(POST.TITLE, "Up").execute();
        assertThat(purged()).containsExactly("/posts/101");
    }

    @Test
    void unknownRowsPurgeTheFallbackAndWarnOncePerStatement() {
        roan.purge("/posts/{id}").onWrite(POST).whenRowsUnknown("/posts");
        roan.purge("/authors/{id}").onWrite(AUTHOR);
        try (LogCapture log = new LogCapture()) {
            dsl.update(POST).set(POST.TITLE, "x").where(POST.TITLE.like("%")).execute();
            dsl.update(POST).set(POST.TITLE, "x").where(POST.TITLE.like("%")).execute();
            dsl.update(AUTHOR).set(AUTHOR.NAME, "bob").where(AUTHOR.NAME.eq("ann")).execute();
            assertThat(purged()).as("the fallback; no fallback for authors").containsExactly("/posts");
            assertThat(log.messages(Level.WARNING)).as("one warning per statement").hasSize(2)
                    .allSatisfy(m -> assertThat(m).contains("cannot tell which rows"));
        }
        assertThat(roan.toString()).contains("rowsUnknown=3");
    }

    @Test
    void plainSqlBindValuesAreUnknownAndFallBack() {
        // Batches bind values fill paths: BatchWritesTest.
        roan.purge("/posts/{id}").onWrite(POST).whenRowsUnknown("/posts");
        dsl.execute("update post set title = ? where id = ?", "c", 103L);
        assertThat(purged()).containsExactly("/posts");
    }

    @Test
    void valuesFillExactlyOneSegment() {
        roan.purge("/posts/{slug}").onWrite(POST);
        dsl.update(POST).set(POST.SLUG, "a b/c?d#e%").where(POST.ID.eq(101L)).execute();
        dsl.update(POST).set(POST.SLUG, "..").where(POST.ID.eq(102L)).execute();
        dsl.update(POST).set(POST.SLUG, "x\r\nHost: evil").where(POST.ID.eq(103L)).execute();
        dsl.update(POST).set(POST.SLUG, "café").where(POST.SLUG.eq("a b/c?d#e%")).execute();
        assertThat(purged()).contains("/posts/a%20b%2Fc%3Fd%23e%25", "/posts/%2E%2E", "/posts/x%0D%0AHost%3A%20evil",
                "/posts/caf%C3%A9");
    }

    @Test
    void explainTellsWithoutSending() {
        roan.purge("/posts").onWrite(POST);
        roan.purge("/posts/{slug}").onWrite(POST).whenRowsUnknown("/posts");
        Explanation renamed = roan.explain(dsl.update(POST).set(POST.SLUG, "new").where(POST.SLUG.eq("old")));
        assertThat(renamed.paths()).containsExactlyInAnyOrder("/posts", "/posts/old", "/posts/new");
        assertThat(renamed.rowsUnknown()).isEmpty();
        Explanation vague = roan.explain(dsl.deleteFrom(POST).where(POST.TITLE.like("%")));
        assertThat(vague.paths()).containsExactly("/posts");
        assertThat(vague.rowsUnknown()).containsExactly("/posts/{slug}");
        assertThat(roan.explain(dsl.selectFrom(POST)).paths()).isEmpty();
        assertThat(roan.explain(dsl.query("delete from post where slug = 'x'")).paths())
                .containsExactlyInAnyOrder("/posts", "/posts/x");
        assertThat(roan.flush(Duration.ofSeconds(1))).isTrue();
        assertThat(cache.count()).as("explain sends nothing").isZero();
    }

    @Test
    void rowsOfATransactionArePurgedAfterItsCommit() {
        roan.purge("/posts/{slug}").onWrite(POST);
        dsl.transaction(c -> {
            DSL.using(c).update(POST).set(POST.TITLE, "t").where(POST.SLUG.eq("one")).execute();
            DSL.using(c).update(POST).set(POST.TITLE, "t").where(POST.SLUG.eq("two")).execute();
            assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(cache.count()).isZero();
        });
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/two");
    }
}
