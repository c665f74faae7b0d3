package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUDIT_LOG;
import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Function;

import dev.roan.jooq.test.db.tables.records.PostRecord;
import dev.roan.testkit.Postgres;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The foundation's behaviours against a real PostgreSQL that this class starts itself (see {@link Postgres}):
 * transactions, savepoints, a commit that fails, plain SQL, batches, RETURNING, ON CONFLICT, UPDATE ... FROM,
 * TRUNCATE and MERGE, with purges sent to a real local HTTP endpoint.
 *
 * <p>The generated test tables carry H2's upper-case names; rendered unquoted and without a schema,
 * PostgreSQL folds them to the lower-case tables that {@code schema.sql} creates.
 *
 * <p>To prove that a statement purged nothing, {@link RoanFixture#purged()} ends with a marker write (to
 * AUDIT_LOG, rule "/marker") and flushes: anything else owed would have been delivered by then.
 */
class PostgresTest extends TransactionContract {

    @RegisterExtension
    static final SchemaPostgres DB = new SchemaPostgres("roan_postgres_test");

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture().database(PostgresTest::configuration);
    private PurgeServer cache;
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() throws Exception {
        DB.reset("insert into author (id, name) values (100, 'ann');"
                + "insert into post (id, author_id, slug, title) values (100, 100, 'one', 'One');"
                + "insert into comment (post_id, body) values (100, 'first')");
        cache = fixture.cache();
        roan = fixture.roan();
        roan.purge("/posts").onWrite(POST);
        roan.purge("/authors").onWrite(AUTHOR);
        roan.purge("/comments").onWrite(COMMENT);
        dsl = fixture.dsl();
    }

    /** The application's configuration before Roan, on the database {@link #setUp()} started. */
    private static Configuration configuration() {
        return DB.configuration();
    }

    /** What another reader sees: a connection of its own, not attached to Roan. */
    private static <T> T onSeparateConnection(Function<DSLContext, T> query) {
        try (Connection c = DB.connect()) {
            return query.apply(DSL.using(c, SQLDialect.POSTGRES, SchemaPostgres.NAMES));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    RoanFixture fixture() {
        return fixture;
    }

    @Override
    int postsWithSlug(String slug) {
        return onSeparateConnection(d -> d.fetchCount(POST, POST.SLUG.eq(slug)));
    }

    private static String titleOfPost100() {
        return onSeparateConnection(d -> d.select(POST.TITLE).from(POST).where(POST.ID.eq(100L)).fetchOne(POST.TITLE));
    }

    private static String nameOfAuthor100() {
        return onSeparateConnection(d -> d.select(AUTHOR.NAME).from(AUTHOR).where(AUTHOR.ID.eq(100L))
                .fetchOne(AUTHOR.NAME));
    }

    private static int comments() {
        return onSeparateConnection(d -> d.fetchCount(COMMENT));
    }

    // --- Transactions ------------------------------------------------------------------------------------

    @Test
    void rolledBackTransactionPurgesNothing() {
        assertThatThrownBy(() -> dsl.transaction(c -> {
            insertPost(DSL.using(c), "rollback");
            DSL.using(c).update(AUTHOR).set(AUTHOR.NAME, "never").where(AUTHOR.ID.eq(100L)).execute();
            // TRUNCATE is transactional on PostgreSQL: it rolls back like the rest.
            DSL.using(c).truncate(COMMENT).execute();
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(postsWithSlug("rollback")).isZero();
        assertThat(nameOfAuthor100()).isEqualTo("ann");
        assertThat(comments()).as("comments after the rolled-back TRUNCATE").isOne();
        fixture.assertNothingPurged();
    }

    @Test
    void rolledBackSavepointDropsOnlyItsOwnWrites() {
        dsl.transaction(outer -> {
            DSL.using(outer).update(AUTHOR).set(AUTHOR.NAME, "outer").where(AUTHOR.ID.eq(100L)).execute();
            DSL.using(outer).transaction(kept ->
                    DSL.using(kept).insertInto(COMMENT).set(COMMENT.POST_ID, 100L).set(COMMENT.BODY, "kept").execute());
            assertThatThrownBy(() -> DSL.using(outer).transaction(dropped -> {
                insertPost(DSL.using(dropped), "inner");
                throw new IllegalStateException("inner fails");
            })).hasMessage("inner fails");
        });
        assertThat(postsWithSlug("inner")).as("posts written in the rolled-back savepoint").isZero();
        assertThat(nameOfAuthor100()).isEqualTo("outer");
        assertThat(comments()).isEqualTo(2);
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/authors", "/comments");
    }

    @Test
    void commitRefusedByADeferredConstraintPurgesNothing() throws SQLException {
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            s.execute("alter table post alter constraint post_author_id_fkey deferrable initially deferred");
        }
        assertThatThrownBy(() -> dsl.transaction(c -> {
            DSL.using(c).update(AUTHOR).set(AUTHOR.NAME, "never").where(AUTHOR.ID.eq(100L)).execute();
            // No author 404: the foreign key is checked, and fails, only at COMMIT.
            DSL.using(c).insertInto(POST).set(POST.AUTHOR_ID, 404L).set(POST.SLUG, "orphan").set(POST.TITLE, "Orphan")
                    .execute();
        })).isInstanceOf(DataAccessException.class).hasStackTraceContaining("post_author_id_fkey");
        assertThat(postsWithSlug("orphan")).isZero();
        assertThat(nameOfAuthor100()).isEqualTo("ann");
        fixture.assertNothingPurged();
    }

    // --- Plain SQL ---------------------------------------------------------------------------------------

    @Test
    void plainSqlPurgesInAnySpelling() {
        dsl.execute("update post set title = 'a' where id = 100");
        assertThat(fixture.purged()).containsExactly("/posts");
        dsl.execute("UPDATE \"post\" SET title = ? WHERE id = ?", "b", 100L);
        assertThat(fixture.purged()).containsExactly("/posts");
        dsl.execute("update public.post p set title = 'c' where p.id = 100");
        assertThat(fixture.purged()).containsExactly("/posts");
        assertThat(titleOfPost100()).isEqualTo("c");

        dsl.query("insert into comment (post_id, body) values (100, 'plain')").execute();
        assertThat(fixture.purged()).containsExactly("/comments");
        dsl.query("DELETE FROM Comment WHERE body = ?", "plain").execute();
        assertThat(fixture.purged()).containsExactly("/comments");
        assertThat(dsl.execute("delete from comment where body = 'nothing'")).isZero();
        fixture.assertNothingPurged("0 rows");
    }

    @Test
    void plainSqlReturningPurges() {
        Result<Record> updated = dsl.resultQuery("update post set title = 'returned' where id = 100 returning id")
                .fetch();
        assertThat(updated).hasSize(1);
        assertThat(fixture.purged()).containsExactly("/posts");

        Result<Record> inserted = dsl.fetch("insert into comment (post_id, body) values (100, 'r') returning id");
        assertThat(inserted).hasSize(1);
        assertThat(fixture.purged()).containsExactly("/comments");

        Result<Record> deleted = dsl.fetch("DELETE FROM public.comment WHERE body = ? RETURNING *", "r");
        assertThat(deleted).hasSize(1);
        assertThat(fixture.purged()).containsExactly("/comments");
        assertThat(titleOfPost100()).isEqualTo("returned");
    }

    // --- Batches -----------------------------------------------------------------------------------------

    @Test
    void plainSqlBindValuesAndTablesWithoutColumnsFillPaths() {
        try (LogCapture log = new LogCapture()) {
            roan.purge("/posts/{slug}").onWrite(DSL.table("post"));
            roan.purge("/p/{slg}").onWrite(DSL.table("post"));
            dsl.transaction(c -> DSL.using(c).execute("update post set title = ? where slug = ?", "T", "one"));
            assertThat(titleOfPost100()).as("the metadata read inside the transaction left it to commit")
                    .isEqualTo("T");
            assertThat(fixture.purged()).contains("/posts/one");
            assertThat(log.messages(java.util.logging.Level.WARNING)).anySatisfy(m -> assertThat(m)
                    .contains("{slg} is not a column", "from the database's metadata", "id, author_id, slug, title"));
        }
    }

    @Test
    void batchesPurge() {
        dsl.batch(
                dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "b1").set(POST.TITLE, "B1"),
                dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 100L).set(COMMENT.BODY, "b"))
                .execute();
        assertThat(fixture.purged()).as("every member").containsExactlyInAnyOrder("/posts", "/comments");

        dsl.batch(dsl.update(AUTHOR).set(AUTHOR.NAME, (String) null).where(AUTHOR.ID.eq((Long) null)))
                .bind("x", 100L).bind("y", 100L).execute();
        assertThat(fixture.purged()).containsExactly("/authors");
        assertThat(nameOfAuthor100()).isEqualTo("y");

        PostRecord a = dsl.newRecord(POST);
        a.setAuthorId(100L);
        a.setSlug("ba");
        a.setTitle("BA");
        PostRecord b = dsl.newRecord(POST);
        b.setAuthorId(100L);
        b.setSlug("bb");
        b.setTitle("BB");
        dsl.batchInsert(a, b).execute();
        assertThat(fixture.purged()).containsExactly("/posts");
        assertThat(postsWithSlug("bb")).isOne();

        List<PostRecord> posts = dsl.fetch(POST, POST.SLUG.in("ba", "bb"));
        posts.forEach(p -> p.setTitle(p.getTitle() + "!"));
        dsl.batchStore(posts).execute();
        assertThat(fixture.purged()).containsExactly("/posts");

        posts.forEach(p -> p.setTitle(p.getTitle() + "?"));
        dsl.batchUpdate(posts).execute();
        assertThat(fixture.purged()).containsExactly("/posts");

        dsl.batchDelete(posts).execute();
        assertThat(fixture.purged()).containsExactly("/posts");
        assertThat(postsWithSlug("bb")).isZero();

        dsl.batch(
                "insert into comment (post_id, body) values (100, 's')",
                "update post set title = 'static' where id = 100")
                .execute();
        assertThat(fixture.purged()).as("plain SQL members").containsExactlyInAnyOrder("/comments", "/posts");
        assertThat(titleOfPost100()).isEqualTo("static");
    }

    @Test
    void batchInTransactionIsPurgedOnlyAfterCommit() {
        assertThatThrownBy(() -> dsl.transaction(c -> {
            DSL.using(c).batch("update post set title = 'lost' where id = 100", "delete from comment").execute();
            throw new IllegalStateException("rolled back");
        })).hasMessage("rolled back");
        fixture.assertNothingPurged();

        dsl.transaction(c -> DSL.using(c).batch("update post set title = 'kept' where id = 100", "delete from comment")
                .execute());
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/comments");
    }

    @Test
    void everyBindSetLoadedRowAndBatchedStatementFillsItsPath() throws IOException {
        roan.purge("/posts/{slug}").onWrite(POST);
        dsl.batch(dsl.update(POST).set(POST.TITLE, (String) null).where(POST.SLUG.eq((String) null)))
                .bind("x", "one").bind("y", "none").execute();
        assertThat(fixture.purgedOnce()).as("bind sets").containsExactlyInAnyOrder("/posts", "/posts/one",
                "/posts/none");
        assertThat(titleOfPost100()).isEqualTo("x");

        dsl.loadInto(POST).batchAll().loadCSV("author_id,slug,title\n100,la,A\n100,lb,B\n")
                .fields(POST.AUTHOR_ID, POST.SLUG, POST.TITLE).execute();
        assertThat(fixture.purgedOnce()).as("Loader API, batchAll()").containsExactlyInAnyOrder("/posts",
                "/posts/la", "/posts/lb");

        dsl.batched(b -> {
            b.dsl().update(POST).set(POST.TITLE, "z").where(POST.SLUG.eq("la")).execute();
            b.dsl().update(POST).set(POST.TITLE, "z").where(POST.SLUG.eq("lb")).execute();
        });
        assertThat(fixture.purgedOnce()).as("dsl.batched(...)").containsExactlyInAnyOrder("/posts",
                "/posts/la", "/posts/lb");
        int batched = onSeparateConnection(d -> d.fetchCount(POST, POST.TITLE.eq("z")));
        assertThat(batched).isEqualTo(2);
    }

    // --- RETURNING, ON CONFLICT, UPDATE ... FROM -----------------------------------------------------------

    @Test
    void dslReturningPurges() {
        PostRecord inserted = dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "r").set(POST.TITLE, "R")
                .returning(POST.ID).fetchOne();
        assertThat(inserted).isNotNull();
        assertThat(inserted.getId()).isNotNull();
        assertThat(fixture.purged()).containsExactly("/posts");

        Result<PostRecord> updated = dsl.update(POST).set(POST.TITLE, "R2").where(POST.ID.eq(inserted.getId()))
                .returning(POST.TITLE).fetch();
        assertThat(updated).hasSize(1);
        assertThat(fixture.purged()).containsExactly("/posts");

        Result<PostRecord> deleted = dsl.deleteFrom(POST).where(POST.ID.eq(inserted.getId())).returning(POST.ID)
                .fetch();
        assertThat(deleted).hasSize(1);
        assertThat(fixture.purged()).containsExactly("/posts");
        assertThat(postsWithSlug("r")).isZero();
    }

    @Test
    void onConflictDoUpdateCountsAsInsertAndUpdate() {
        roan.purge("/posts/inserted").onInsert(POST);
        roan.purge("/posts/updated").onUpdate(POST);

        dsl.insertInto(POST).set(POST.ID, 100L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "one")
                .set(POST.TITLE, "Upserted")
                .onConflict(POST.ID).doUpdate().set(POST.TITLE, "Upserted").execute();
        assertThat(titleOfPost100()).isEqualTo("Upserted");
        assertThat(fixture.purged()).as("an upsert may insert or update")
                .containsExactlyInAnyOrder("/posts", "/posts/inserted", "/posts/updated");

        dsl.execute("insert into post (author_id, slug, title) values (100, 'one', 'Plain upsert')"
                + " on conflict (slug) do update set title = excluded.title");
        assertThat(titleOfPost100()).isEqualTo("Plain upsert");
        assertThat(fixture.purged()).as("the same in plain SQL")
                .containsExactlyInAnyOrder("/posts", "/posts/inserted", "/posts/updated");
    }

    @Test
    void onConflictDoNothingPurgesWhenItInserts() {
        roan.purge("/posts/inserted").onInsert(POST);
        roan.purge("/posts/updated").onUpdate(POST);

        assertThat(dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "new").set(POST.TITLE, "New")
                .onConflictDoNothing().execute()).isOne();
        assertThat(fixture.purged()).as("a new row: an insert, not an update")
                .containsExactlyInAnyOrder("/posts", "/posts/inserted");

        assertThat(dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "one").set(POST.TITLE, "Ignored")
                .onConflictDoNothing().execute()).isZero();
        assertThat(titleOfPost100()).isEqualTo("One");
        fixture.assertNothingPurged("a conflict: 0 rows changed");
    }

    @Test
    void updateFromPurgesTheUpdatedTableNotTheTablesItReads() {
        dsl.update(POST).set(POST.TITLE, AUTHOR.NAME).from(AUTHOR).where(POST.AUTHOR_ID.eq(AUTHOR.ID)).execute();
        assertThat(titleOfPost100()).isEqualTo("ann");
        assertThat(fixture.purged()).as("AUTHOR is only read").containsExactly("/posts");

        dsl.update(AUTHOR).set(AUTHOR.NAME, POST.TITLE.concat("!")).from(POST).where(POST.AUTHOR_ID.eq(AUTHOR.ID))
                .execute();
        assertThat(nameOfAuthor100()).isEqualTo("ann!");
        assertThat(fixture.purged()).as("POST is only read").containsExactly("/authors");

        dsl.execute("update post p set title = a.name from author a where p.author_id = a.id");
        assertThat(titleOfPost100()).isEqualTo("ann!");
        assertThat(fixture.purged()).as("plain SQL").containsExactly("/posts");

        dsl.execute("delete from comment c using post p where c.post_id = p.id and p.slug = 'one'");
        assertThat(comments()).isZero();
        assertThat(fixture.purged()).as("DELETE ... USING: POST is only read").containsExactly("/comments");
    }

    // --- TRUNCATE and MERGE ------------------------------------------------------------------------------

    @Test
    void dataModifyingCommonTableExpressionsPurge() {
        dsl.execute("with d as (delete from comment returning post_id)"
                + " update post set title = 'no comments' where id in (select post_id from d)");
        assertThat(comments()).isZero();
        assertThat(fixture.purged()).as("plain SQL: the CTE's table and the statement's")
                .containsExactlyInAnyOrder("/comments", "/posts");

        dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 100L).set(COMMENT.BODY, "again").execute();
        assertThat(fixture.purged()).containsExactly("/comments");
        dsl.fetch("with d as (delete from comment returning *) select * from d");
        assertThat(comments()).isZero();
        assertThat(fixture.purged()).as("a SELECT whose CTE deletes").containsExactly("/comments");

        dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 100L).set(COMMENT.BODY, "once more").execute();
        assertThat(fixture.purged()).containsExactly("/comments");
        dsl.with("d").as(dsl.deleteFrom(COMMENT).where(COMMENT.POST_ID.eq(100L)).returningResult(COMMENT.POST_ID))
                .select(DSL.field(DSL.name("post_id"))).from(DSL.table(DSL.name("d"))).fetch();
        assertThat(comments()).isZero();
        assertThat(fixture.purged()).as("DSL: SELECT with a deleting CTE").containsExactly("/comments");

        dsl.with("d").as(dsl.select(DSL.inline(100L).as("id")))
                .update(POST).set(POST.TITLE, "read-only CTE").where(POST.ID.eq(100L)).execute();
        assertThat(fixture.purged()).as("a CTE that only reads purges nothing of its own").containsExactly("/posts");
    }

    @Test
    void truncatePurges() {
        dsl.truncate(COMMENT).execute();
        assertThat(comments()).isZero();
        assertThat(fixture.purged()).containsExactly("/comments");

        dsl.execute("TRUNCATE TABLE comment");
        assertThat(fixture.purged()).as("always, though it reports 0 rows").containsExactly("/comments");

        dsl.execute("truncate comment, public.post");
        assertThat(postsWithSlug("one")).isZero();
        assertThat(fixture.purged()).as("every table it names").containsExactlyInAnyOrder("/comments", "/posts");
    }

    @Test
    void mergePurgesItsTargetNotItsSource() {
        dsl.mergeInto(POST)
                .using(AUTHOR)
                .on(POST.AUTHOR_ID.eq(AUTHOR.ID))
                .whenMatchedThenUpdate().set(POST.TITLE, AUTHOR.NAME)
                .execute();
        assertThat(titleOfPost100()).isEqualTo("ann");
        assertThat(fixture.purged()).as("AUTHOR is only read").containsExactly("/posts");

        dsl.mergeInto(POST)
                .using(DSL.selectOne())
                .on(POST.SLUG.eq("merged"))
                .whenMatchedThenUpdate().set(POST.TITLE, "never")
                .whenNotMatchedThenInsert(POST.AUTHOR_ID, POST.SLUG, POST.TITLE).values(100L, "merged", "Merged")
                .execute();
        assertThat(postsWithSlug("merged")).isOne();
        assertThat(fixture.purged()).containsExactly("/posts");

        dsl.execute("merge into post p using (select 100 as id) s on p.id = s.id"
                + " when matched then update set title = 'plain merge'");
        assertThat(titleOfPost100()).isEqualTo("plain merge");
        assertThat(fixture.purged()).as("plain SQL").containsExactly("/posts");

        dsl.execute("MERGE INTO public.comment c USING post p ON c.post_id = p.id WHEN MATCHED THEN DELETE");
        assertThat(comments()).isZero();
        assertThat(fixture.purged()).as("plain SQL, qualified, POST is only read").containsExactly("/comments");
    }
}
