package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUDIT_LOG;
import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;

import dev.roan.jooq.test.db.tables.records.PostRecord;
import org.jooq.DSLContext;
import org.jooq.ForeignKey;
import org.jooq.Record;
import org.jooq.TableField;
import org.jooq.impl.DSL;
import org.jooq.impl.Internal;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Row-level paths: {column} placeholders filled from the rows a write touched. */
class RowLevelTest {

    /** A table whose AUTHOR_ID references AUTHOR.ID, as a generated one would. */
    private static final class AuthorExtension extends TableImpl<Record> {
        private static final long serialVersionUID = 1L;
        final TableField<Record, Long> authorId = createField(DSL.name("AUTHOR_ID"), SQLDataType.BIGINT);

        AuthorExtension(String name) {
            super(DSL.name(name));
        }

        @Override
        public List<ForeignKey<Record, ?>> getReferences() {
            return List.of(Internal.createForeignKey(AUTHOR.getPrimaryKey(), this, "FK_" + getName(), authorId));
        }
    }

    /** A table with a binary column, as a generated one would be. */
    private static final class Doc extends TableImpl<Record> {
        private static final long serialVersionUID = 1L;
        final TableField<Record, Long> id = createField(DSL.name("ID"), SQLDataType.BIGINT);
        final TableField<Record, byte[]> data = createField(DSL.name("DATA"), SQLDataType.VARBINARY);

        Doc() {
            super(DSL.name("DOC"));
        }
    }

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private TestDb db;
    private PurgeServer cache;
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        db = fixture.db();
        cache = fixture.cache();
        roan = fixture.roan();
        // Attached before any rule, so that rules with placeholders registered by each test see records.
        dsl = fixture.dsl();
        db.execute(TestRows.ANN_AND_THREE_POSTS);
    }

    /** The distinct paths purged since the last call (statements apart may purge a path twice). */
    private List<String> purged() {
        return fixture.purgedOnce();
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
        assertThatThrownBy(() -> roan.purge("/docs/{data}").onWrite(new Doc()))
                .as("a binary column")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("binary column DOC.DATA")
                .hasMessageContaining("such as {id}");
        assertThat(roan.toString()).as("the refused rule has no table").doesNotContain("DOC (write)");
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
        // Without reading the rows, which would tell them (RowsBeforeTest).
        roan.purge("/posts/{id}").onWrite(POST).whenRowsUnknown("/posts").withoutReadingRows();
        roan.purge("/authors/{id}").onWrite(AUTHOR).withoutReadingRows();
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
    void nullsABatchQueryIsBuiltWithAreNoNullKeys() {
        roan.purge("/posts/{slug}").onWrite(POST).whenRowsUnknown("/posts");
        dsl.batch(dsl.insertInto(POST, POST.AUTHOR_ID, POST.SLUG, POST.TITLE).values((Long) null, null, null))
                .bind(100L, "b1", "B").bind(100L, "b2", "B").execute();
        List<String> batch = purged();
        assertThat(batch.equals(List.of("/posts")) || Set.copyOf(batch).equals(Set.of("/posts/b1", "/posts/b2")))
                .as("the bind sets fill the paths or the fallback applies, never nothing: " + batch).isTrue();
    }

    @Test
    void plainSqlBindValuesFillThePathOfEachExecution() {
        roan.purge("/posts/{slug}").onWrite(POST).whenRowsUnknown("/posts");
        dsl.execute("update post set title = ? where slug = ?", "y", "two");
        assertThat(purged()).containsExactly("/posts/two");
        dsl.execute("update post set title = ? where slug = ?", "z", "three");
        assertThat(purged()).as("the same SQL string, parsed once, with this execution's values")
                .containsExactly("/posts/three");
        dsl.execute("insert into post (author_id, slug, title) values (?, ?, 'T')", 100L, "fresh");
        dsl.execute("delete from post where slug in (?, ?)", "fresh", "one");
        dsl.query("update post set slug = {0} where slug = {1}", DSL.val("deux"), DSL.val("two")).execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/fresh", "/posts/one", "/posts/two", "/posts/deux");
        assertThat(roan.explain(dsl.query("delete from post where slug = ?", "x")).paths()).as("explain binds too")
                .containsExactly("/posts/x");
        dsl.batch(dsl.query("insert into post (author_id, slug, title) values (100, ?, ?)", null, null))
                .bind("b1", "B").bind("b2", "B").execute();
        List<String> batch = purged();
        assertThat(batch.equals(List.of("/posts")) || Set.copyOf(batch).equals(Set.of("/posts/b1", "/posts/b2")))
                .as("a batch's bind sets, not the NULLs its query was built with, fill the paths or fall back: " + batch)
                .isTrue();
    }

    @Test
    void unqualifiedFieldsFillThePathByName() {
        roan.purge("/posts/{slug}").onWrite(POST);
        dsl.update(POST).set(POST.TITLE, "a").where(DSL.field("slug").eq("one")).execute();
        dsl.update(POST).set(POST.TITLE, "b").where(DSL.field(DSL.unquotedName("slug")).eq("two")).execute();
        dsl.update(POST).set(POST.TITLE, "c").where(DSL.field("post.\"SLUG\"").in("three")).execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/two", "/posts/three");
        dsl.update(POST).set(DSL.field("post.slug"), "uno").where(DSL.field("slug").eq("one")).execute();
        assertThat(purged()).as("a plain SQL field in SET").containsExactlyInAnyOrder("/posts/one", "/posts/uno");
        assertThat(roan.explain(dsl.deleteFrom(POST).where(DSL.field("author.slug").eq("x"))).rowsUnknown())
                .as("a field of another table is no key of this one").containsExactly("/posts/{slug}");
        assertThat(roan.explain(dsl.deleteFrom(POST).where(DSL.field("lower(slug)").eq("x"))).rowsUnknown())
                .as("an expression is no key").containsExactly("/posts/{slug}");
    }

    @Test
    void placeholdersOnATableWithoutColumnsAreMatchedByName() {
        roan.purge("/posts/{slug}").onWrite(DSL.table("post"));
        dsl.update(DSL.table("post")).set(DSL.field("title"), "x").where(DSL.field("slug").eq("one")).execute();
        dsl.execute("update post set title = 'y' where slug = 'two'");
        dsl.update(POST).set(POST.TITLE, "z").where(POST.SLUG.eq("three")).execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/two", "/posts/three");
    }

    @Test
    void aPlaceholderNamingNoColumnIsReportedOnceAtTheFirstWrite() {
        try (LogCapture log = new LogCapture()) {
            roan.purge("/posts/{slg}").onWrite(DSL.table("post")).whenRowsUnknown("/posts");
            roan.purge("/comments/{bdy}").onWrite(DSL.table("comment"));
            assertThat(log.messages(Level.WARNING)).as("accepted at registration").isEmpty();
            dsl.execute("update post set title = 'x' where slug = 'one'");
            dsl.execute("update post set title = 'x' where slug = 'two'");
            dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 101L).set(COMMENT.BODY, "b").execute();
            dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 101L).set(COMMENT.BODY, "c").execute();
            assertThat(purged()).containsExactly("/posts");
            List<String> columns = log.messages(Level.WARNING).stream().filter(m -> m.contains("cannot be filled"))
                    .toList();
            assertThat(columns).as("once per rule").hasSize(2);
            assertThat(columns.get(0)).contains("/posts/{slg}", "{slg} is not a column",
                    "from the database's metadata", "ID, AUTHOR_ID, SLUG, TITLE");
            assertThat(columns.get(1)).contains("/comments/{bdy}", "from the statement's table", "POST_ID, BODY");
        }
    }

    @Test
    void binaryValuesNeverBecomeAPath() {
        db.onSeparateConnection(d -> d.execute("create table doc (id bigint primary key, data varbinary(16))"));
        try (LogCapture log = new LogCapture()) {
            roan.purge("/docs/{data}").onWrite(DSL.table("doc")).whenRowsUnknown("/docs");
            dsl.execute("insert into doc (id, data) values (1, X'0102')");
            dsl.execute("insert into doc (id, data) values (?, ?)", 2L, new byte[] {3, 4});
            assertThat(purged()).as("the fallback, never [B@...").containsExactly("/docs");
            assertThat(log.messages(Level.WARNING)).as("the binary column, at the first write")
                    .anySatisfy(m -> assertThat(m).contains("{data} is a binary column", "DATA"))
                    .as("and its values, once per rule")
                    .filteredOn(m -> m.contains("with bytes")).hasSize(1);
        }
    }

    @Test
    void aPlaceholderOverSeveralTablesWarnsOncePerRule() {
        try (LogCapture log = new LogCapture()) {
            roan.purge("/posts/{id}").onWrite(POST, COMMENT).onWrite(COMMENT).onWrite(POST.as("p"));
            roan.purge("/list").onWrite(POST, COMMENT, AUTHOR);
            roan.purge("/p/{id}").onWrite(POST).onWrite(POST.as("p"));
            assertThat(log.messages(Level.WARNING)).as("once, for the rule with a placeholder over two tables")
                    .singleElement().satisfies(m -> assertThat(m).contains("\"/posts/{id}\"", "writes of POST fill {id} from POST.ID",
                            "writes of COMMENT fill {id} from COMMENT.ID",
                            "roan.purge(\"/posts/{id}\").onWrite(POST)",
                            "roan.purge(\"/posts/{POST_ID}\").onWrite(COMMENT)"));
            roan.purge("/p/{id}").onWrite(AUTHOR);
            assertThat(log.messages(Level.WARNING)).as("a table added later").hasSize(2);
            roan.purge("/authors/{author_id}/activity").onWrite(POST, new AuthorExtension("PROFILE"),
                    new AuthorExtension("SETTINGS"));
            assertThat(log.messages(Level.WARNING)).as("columns that reference the same key name the same page")
                    .hasSize(2);
        }
    }

    @Test
    void aNullKeyPurgesNothingAndIsNoUnknownRow() {
        roan.purge("/authors/{author_id}/posts").onWrite(POST);
        try (LogCapture log = new LogCapture()) {
            dsl.insertInto(POST).set(POST.AUTHOR_ID, (Long) null).set(POST.SLUG, "orphan").set(POST.TITLE, "O")
                    .execute();
            dsl.execute("insert into post (author_id, slug, title) values (?, 'o2', 'O')", (Object) null);
            PostRecord record = dsl.newRecord(POST);
            record.setAuthorId(null);
            record.setSlug("o3");
            record.setTitle("O");
            record.store();
            dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "kept").set(POST.TITLE, "K").execute();
            assertThat(purged()).containsExactly("/authors/100/posts");
            assertThat(log.messages(Level.WARNING)).as("no page exists for a NULL key: nothing to say").isEmpty();
        }
        assertThat(roan.toString()).contains("rowsUnknown=0");
    }

    @Test
    void returningOnH2FillsThePathsWithoutAWarning() {
        roan.purge("/posts/{id}").onWrite(POST);
        roan.purge("/s/{slug}").onWrite(POST);
        try (LogCapture log = new LogCapture()) {
            dsl.update(POST).set(POST.SLUG, "uno").where(POST.SLUG.eq("one")).returning(POST.ID).fetch();
            assertThat(purged()).as("RETURNING the id; SET the new slug, WHERE the old one")
                    .containsExactlyInAnyOrder("/posts/101", "/s/one", "/s/uno");
            dsl.update(POST).set(POST.TITLE, "x").where(POST.TITLE.like("T%")).returning(POST.ID, POST.SLUG).fetch();
            assertThat(purged()).containsExactlyInAnyOrder("/posts/102", "/posts/103", "/s/two", "/s/three");
            dsl.deleteFrom(POST).where(POST.SLUG.eq("three")).returning(POST.ID).execute();
            assertThat(purged()).containsExactlyInAnyOrder("/posts/103", "/s/three");
            dsl.resultQuery("select id, slug from final table (update post set title = 'q' where title = 'x')").fetch();
            assertThat(purged()).as("H2's form of RETURNING in plain SQL").containsExactlyInAnyOrder("/posts/102",
                    "/s/two");
            assertThat(log.messages(Level.WARNING)).isEmpty();
        }
        assertThat(roan.toString()).contains("rowsUnknown=0");
    }

    @Test
    void aStatementWithKnownAndUnknownRowsSaysItPurgedBoth() {
        // Without reading the rows, which would tell the old slug (RowsBeforeTest).
        roan.purge("/posts/{slug}").onWrite(POST).whenRowsUnknown("/posts").withoutReadingRows();
        try (LogCapture log = new LogCapture()) {
            dsl.update(POST).set(POST.SLUG, "uno").where(POST.ID.eq(101L)).execute();
            assertThat(purged()).containsExactlyInAnyOrder("/posts/uno", "/posts");
            assertThat(log.messages(Level.WARNING)).singleElement().satisfies(m -> assertThat(m)
                    .contains("cannot tell which rows", "the 1 path it could fill and the rules' fallback paths")
                    .doesNotContain("fallback paths only"));
        }
        try (LogCapture log = new LogCapture()) {
            dsl.update(POST).set(POST.TITLE, "t").where(POST.TITLE.like("%")).execute();
            assertThat(log.messages(Level.WARNING)).singleElement().satisfies(m -> assertThat(m)
                    .contains("purges the rules' fallback paths only", "Name the rows by key"));
        }
    }

    @Test
    void anInsertOfAGeneratedKeySaysAddReturningOrStoreARecord() {
        roan.purge("/posts/{id}").onWrite(POST);
        try (LogCapture log = new LogCapture()) {
            dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "gen").set(POST.TITLE, "G").execute();
            assertThat(log.messages(Level.WARNING)).singleElement().satisfies(m -> assertThat(m)
                    .contains("does not give the value of {id}", "add RETURNING", "record.store()",
                            "purges no page of that rule")
                    .doesNotContain("WHERE"));
        }
    }

    @Test
    void valuesTooLongForAPurgeRequestFallBackAndWarnOncePerRule() {
        roan.purge("/comments/{body}").onWrite(COMMENT).whenRowsUnknown("/comments");
        String euros = "\u20ac".repeat(1000); // 9,000 characters once percent-encoded
        try (LogCapture log = new LogCapture()) {
            dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 101L).set(COMMENT.BODY, euros).execute();
            dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 101L).set(COMMENT.BODY, euros.substring(1) + "!").execute();
            dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 101L).set(COMMENT.BODY, "short").execute();
            assertThat(purged()).containsExactlyInAnyOrder("/comments", "/comments/short");
            assertThat(log.messages(Level.WARNING)).singleElement().satisfies(m -> assertThat(m)
                    .contains("/comments/{body}", "9010 characters", "414", "[/comments]"));
        }
        assertThat(roan.explain(dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 1L).set(COMMENT.BODY, euros))
                .rowsUnknown()).containsExactly("/comments/{body}");
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
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.count()).isZero();
        });
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/two");
    }
}
