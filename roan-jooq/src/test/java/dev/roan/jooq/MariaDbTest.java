package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUDIT_LOG;
import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import dev.roan.jooq.test.db.tables.records.PostRecord;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.RenderNameCase;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MariaDB/MySQL forms of every write, run by a real MariaDB that this class starts (Debian
 * {@code mariadb-server}; skipped with a message without it, failing under {@code CI=true}), with purges
 * sent to a real local HTTP endpoint.
 *
 * <p>To prove that a statement purged nothing, each check ends with a marker write (to the table
 * {@code marker}, rule "/marker", which no other statement touches) and a flush: everything owed before
 * it has been delivered by then.
 *
 * <p>Some tests once marked {@code @Disabled("Roan misses ...")} stated the correct behaviour of a write form Roan
 * does not see yet: a stale page until something else purges it. Each first asserts what MariaDB did, so
 * the write is real.
 */
class MariaDbTest extends TransactionContract {

    /**
     * The generated classes name tables in upper case ({@code POST}); MariaDB's table names are case
     * sensitive on Linux and the schema creates them in lower case, as MySQL users write them.
     */
    private static final Settings SETTINGS = new Settings()
            .withRenderQuotedNames(RenderQuotedNames.NEVER)
            .withRenderNameCase(RenderNameCase.LOWER)
            .withRenderSchema(false);

    /** A table no generated class describes: the marker write's, matched by name like plain SQL. */
    private static final Table<Record> MARKER = DSL.table(DSL.name("marker"));

    @RegisterExtension
    static final ServerDb SERVER = ServerDb.mariaDb("roan_mariadb_test").schema("/schema-mariadb.sql");

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture().database(MariaDbTest::configuration)
            .marker("/marker", MARKER, d -> d.insertInto(MARKER).defaultValues().execute());
    private PurgeServer cache;
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() throws Exception {
        // Children first, for the foreign keys. Not through Roan: nothing here is purged.
        onSeparateConnection(d -> {
            for (Table<?> table : List.of(COMMENT, POST, AUTHOR, AUDIT_LOG, MARKER)) {
                d.deleteFrom(table).execute();
            }
            d.insertInto(AUTHOR).set(AUTHOR.ID, 100L).set(AUTHOR.NAME, "ann").execute();
            d.insertInto(POST).set(POST.ID, 100L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "one").set(POST.TITLE, "One")
                    .execute();
            return null;
        });
        cache = fixture.cache();
        roan = fixture.roan();
        roan.purge("/posts").onWrite(POST);
        roan.purge("/authors").onWrite(AUTHOR);
        roan.purge("/comments").onWrite(COMMENT);
        roan.purge("/audit").onWrite(AUDIT_LOG);
        dsl = fixture.dsl();
    }

    /** The application's configuration before Roan. */
    private static Configuration configuration() {
        return DSL.using(SERVER.db().dataSource(), SQLDialect.MARIADB, SETTINGS).configuration();
    }

    /** Registers rules for each kind of write to POST, to see which kinds a statement counts as. */
    private void registerKindRules() {
        roan.purge("/posts/inserted").onInsert(POST);
        roan.purge("/posts/updated").onUpdate(POST);
        roan.purge("/posts/deleted").onDelete(POST);
    }

    /** What another connection, not attached to Roan, sees. */
    private static <T> T onSeparateConnection(Function<DSLContext, T> query) {
        try (Connection c = SERVER.db().connect()) {
            return query.apply(DSL.using(c, SQLDialect.MARIADB, SETTINGS));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int count(Table<?> table) {
        return onSeparateConnection(d -> d.fetchCount(table));
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
        return onSeparateConnection(d -> d.fetchValue(POST.TITLE, POST.ID.eq(100L)));
    }

    private static String nameOfAuthor100() {
        return onSeparateConnection(d -> d.fetchValue(AUTHOR.NAME, AUTHOR.ID.eq(100L)));
    }

    // --- DSL -------------------------------------------------------------------------------------------

    /** The read before an UPDATE or DELETE (RowsBefore): MariaDB takes its SELECT ... LIMIT n FOR UPDATE. */
    @Test
    void updateAndDeleteByIdReadTheKeysTheyDoNotName() {
        roan.purge("/authors/{author_id}").onUpdate(POST).onDelete(POST);
        roan.purge("/authors/by-name/{name}").onUpdate(AUTHOR);
        dsl.transaction(c -> {
            DSL.using(c).update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(100L)).execute();
            DSL.using(c).update(AUTHOR).set(AUTHOR.NAME, "Van Winkle").where(AUTHOR.ID.eq(100L)).execute();
        });
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/posts", "/authors", "/authors/100",
                "/authors/by-name/ann", "/authors/by-name/Van%20Winkle");
        dsl.deleteFrom(POST).where(POST.ID.eq(100L)).execute();
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/posts", "/authors/100");
    }

    /**
     * The related read (RelatedRows) of a rule with via: MariaDB takes its SELECT ... LOCK IN SHARE MODE (without
     * DISTINCT), in a savepoint the first time, without one the second.
     */
    @Test
    void relatedRowsAreReadUnderAShareLock() {
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID);
        dsl.transaction(c -> {
            DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(100L, "a").execute();
            DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(100L, "b").execute();
        });
        assertThat(fixture.purgedOnce()).contains("/authors/100").doesNotContain("/authors");
    }

    @Test
    void dslInsertUpdateDeletePurge() {
        insertPost(dsl, "two");
        assertThat(fixture.purged()).containsExactly("/posts");
        dsl.update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(100L)).execute();
        assertThat(fixture.purged()).containsExactly("/posts");
        dsl.deleteFrom(POST).where(POST.SLUG.eq("two")).execute();
        assertThat(fixture.purged()).containsExactly("/posts");
        assertThat(postsWithSlug("two")).isZero();
        assertThat(titleOfPost100()).isEqualTo("Uno");

        assertThat(dsl.update(POST).set(POST.TITLE, "x").where(POST.ID.eq(404L)).execute()).isZero();
        assertThat(dsl.deleteFrom(POST).where(POST.ID.eq(404L)).execute()).isZero();
        fixture.assertNothingPurged("statements that changed no row");
    }

    @Test
    void returningFormsPurge() {
        // MariaDB has INSERT ... RETURNING (10.5) and DELETE ... RETURNING (10.0); UPDATE ... RETURNING jOOQ emulates.
        PostRecord inserted = dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "r").set(POST.TITLE, "R")
                .returning(POST.ID).fetchOne();
        assertThat(inserted).isNotNull();
        assertThat(inserted.getId()).isNotNull();
        assertThat(fixture.purged()).containsExactly("/posts");
        assertThat(dsl.deleteFrom(POST).where(POST.SLUG.eq("r")).returning(POST.ID).fetch()).hasSize(1);
        assertThat(fixture.purged()).containsExactly("/posts");
        assertThat(postsWithSlug("r")).isZero();
    }

    @Test
    void onDuplicateKeyUpdatePurgesInsertAndUpdateRules() {
        registerKindRules();
        int rows = dsl.insertInto(POST).set(POST.ID, 100L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "one")
                .set(POST.TITLE, "Upserted").onDuplicateKeyUpdate().set(POST.TITLE, "Upserted").execute();
        assertThat(rows).as("MariaDB reports 2 for a row updated by ON DUPLICATE KEY UPDATE").isEqualTo(2);
        assertThat(titleOfPost100()).isEqualTo("Upserted");
        assertThat(fixture.purged()).as("an upsert may insert or update, never delete")
                .containsExactlyInAnyOrder("/posts", "/posts/inserted", "/posts/updated");

        dsl.insertInto(POST).set(POST.ID, 101L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "new")
                .set(POST.TITLE, "New").onDuplicateKeyUpdate().set(POST.TITLE, "New").execute();
        assertThat(postsWithSlug("new")).isEqualTo(1);
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/posts/inserted", "/posts/updated");

        // onConflict(...).doUpdate() is rendered as ON DUPLICATE KEY UPDATE on MariaDB.
        dsl.insertInto(POST).set(POST.ID, 100L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "one").set(POST.TITLE, "x")
                .onConflict(POST.ID).doUpdate().set(POST.TITLE, "Conflict").execute();
        assertThat(titleOfPost100()).isEqualTo("Conflict");
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/posts/inserted", "/posts/updated");

        // UpdatableRecord.merge() is an INSERT ... ON DUPLICATE KEY UPDATE on MariaDB.
        PostRecord record = dsl.newRecord(POST);
        record.setId(100L);
        record.setAuthorId(100L);
        record.setSlug("one");
        record.setTitle("Merged record");
        record.merge();
        assertThat(titleOfPost100()).isEqualTo("Merged record");
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/posts/inserted", "/posts/updated");
    }

    @Test
    void onDuplicateKeyIgnorePurgesInsertRulesOnlyAndNothingWhenIgnored() {
        registerKindRules();
        assertThat(dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "ig").set(POST.TITLE, "Ig")
                .onDuplicateKeyIgnore().execute()).isEqualTo(1);
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/posts/inserted");

        assertThat(dsl.insertInto(POST).set(POST.ID, 100L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "one")
                .set(POST.TITLE, "Ignored").onDuplicateKeyIgnore().execute()).as("INSERT IGNORE of a duplicate").isZero();
        assertThat(dsl.insertInto(POST).set(POST.ID, 100L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "one")
                .set(POST.TITLE, "Ignored").onConflictDoNothing().execute()).isZero();
        assertThat(titleOfPost100()).isEqualTo("One");
        fixture.assertNothingPurged("0 rows: nothing changed");
    }

    @Test
    void updateOfJoinPurgesBothTables() {
        dsl.update(POST.join(AUTHOR).on(POST.AUTHOR_ID.eq(AUTHOR.ID)))
                .set(POST.TITLE, "Joined")
                .set(AUTHOR.NAME, "joined ann")
                .where(POST.ID.eq(100L))
                .execute();
        assertThat(titleOfPost100()).isEqualTo("Joined");
        assertThat(nameOfAuthor100()).isEqualTo("joined ann");
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/authors");

        // Only POST changes here, yet Roan purges AUTHOR's pages too: it reads the joined tables, not the SET
        // list, so an UPDATE of a join counts as an update of every table in it. Conservative: an extra purge
        // costs a cache miss, a missed one a stale page.
        dsl.update(POST.join(AUTHOR).on(POST.AUTHOR_ID.eq(AUTHOR.ID)))
                .set(POST.TITLE, "Only post")
                .where(AUTHOR.NAME.eq("joined ann"))
                .execute();
        assertThat(titleOfPost100()).isEqualTo("Only post");
        assertThat(nameOfAuthor100()).isEqualTo("joined ann");
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/authors");
    }

    @Test
    void deleteUsingPurgesOnlyTheTableDeletedFrom() {
        insertPost(dsl, "gone");
        fixture.purged();
        // Rendered for MariaDB as: delete from post using post, author where ...; author is only read.
        int rows = dsl.delete(POST).using(AUTHOR)
                .where(POST.AUTHOR_ID.eq(AUTHOR.ID)).and(AUTHOR.NAME.eq("ann")).and(POST.SLUG.eq("gone"))
                .execute();
        assertThat(rows).isEqualTo(1);
        assertThat(postsWithSlug("gone")).isZero();
        assertThat(count(AUTHOR)).isEqualTo(1);
        assertThat(fixture.purged()).containsExactly("/posts");
    }

    @Test
    void deleteOfJoinPurgesBothTables() {
        insertPost(dsl, "gone");
        dsl.insertInto(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "gone").execute();
        fixture.purged();
        dsl.deleteFrom(POST.join(AUDIT_LOG).on(AUDIT_LOG.MESSAGE.eq(POST.SLUG))).execute();
        assertThat(postsWithSlug("gone")).isZero();
        assertThat(count(AUDIT_LOG)).as("MariaDB deleted from both tables").isZero();
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/audit");
    }

    @Test
    void mergeKeyValuesPurges() {
        dsl.mergeInto(POST, POST.ID, POST.AUTHOR_ID, POST.SLUG, POST.TITLE).key(POST.ID)
                .values(100L, 100L, "one", "Merged")
                .execute();
        assertThat(titleOfPost100()).isEqualTo("Merged");
        assertThat(fixture.purged()).containsExactly("/posts");
    }

    // --- Plain SQL in MySQL spellings ------------------------------------------------------------------

    @Test
    void plainSqlInMySqlSpellingsPurges() {
        registerKindRules();
        dsl.execute("UPDATE `post` SET `title` = ? WHERE `id` = ?", "Backticks", 100L);
        assertThat(titleOfPost100()).isEqualTo("Backticks");
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/posts/updated");

        dsl.execute("INSERT INTO post SET author_id = 100, slug = 'set', title = 'Set'");
        assertThat(postsWithSlug("set")).isEqualTo(1);
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/posts/inserted");

        dsl.execute("INSERT INTO post (id, author_id, slug, title) VALUES (100, 100, 'one', 'Dup')"
                + " ON DUPLICATE KEY UPDATE title = VALUES(title)");
        assertThat(titleOfPost100()).isEqualTo("Dup");
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/posts/inserted", "/posts/updated");

        dsl.execute("UPDATE post SET title = 'Limited' ORDER BY id LIMIT 1");
        assertThat(titleOfPost100()).isEqualTo("Limited");
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/posts/updated");

        dsl.query("DELETE FROM `post` WHERE slug = 'set' ORDER BY id LIMIT 1").execute();
        assertThat(postsWithSlug("set")).isZero();
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/posts/deleted");

        // MariaDB's RETURNING, read as a result: jOOQ reports these as READ, Roan still sees the writes.
        assertThat(dsl.fetch("INSERT INTO post (author_id, slug, title) VALUES (100, 'ret', 'Ret') RETURNING id"))
                .hasSize(1);
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/posts/inserted");
        assertThat(dsl.fetch("DELETE FROM post WHERE slug = 'ret' RETURNING id")).hasSize(1);
        assertThat(postsWithSlug("ret")).isZero();
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/posts/deleted");

        dsl.execute("UPDATE post SET title = 'none' WHERE id = 404");
        dsl.execute("DELETE FROM post WHERE id = 404");
        fixture.assertNothingPurged("0 rows: nothing");
    }

    @Test
    void plainSqlUpdateOfJoinPurgesBothTables() {
        dsl.execute("UPDATE post p JOIN author a ON a.id = p.author_id SET p.title = 'PJ', a.name = 'aj' WHERE p.id = 100");
        assertThat(titleOfPost100()).isEqualTo("PJ");
        assertThat(nameOfAuthor100()).isEqualTo("aj");
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/authors");

        // As with the DSL: only post changes, both are purged.
        dsl.execute("UPDATE `post` LEFT JOIN `author` ON `author`.id = `post`.author_id SET `post`.title = 'LJ'");
        assertThat(titleOfPost100()).isEqualTo("LJ");
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/authors");
    }

    @Test
    void plainSqlDeleteOfJoinByTableNamePurgesTheTableDeletedFrom() {
        insertPost(dsl, "gone1");
        insertPost(dsl, "gone2");
        fixture.purged();
        dsl.execute("DELETE post FROM post JOIN author ON author.id = post.author_id WHERE post.slug = 'gone1'");
        assertThat(postsWithSlug("gone1")).isZero();
        assertThat(fixture.purged()).containsExactly("/posts");
        dsl.execute("DELETE FROM post USING post JOIN author ON author.id = post.author_id WHERE post.slug = 'gone2'");
        assertThat(postsWithSlug("gone2")).isZero();
        assertThat(fixture.purged()).containsExactly("/posts");
        assertThat(count(AUTHOR)).as("the joined table is only read").isEqualTo(1);
    }

    @Test
    void plainSqlDeleteOfJoinByAliasPurges() {
        insertPost(dsl, "gone1");
        insertPost(dsl, "gone2");
        fixture.purged();
        dsl.execute("DELETE p FROM post p JOIN author a ON a.id = p.author_id WHERE p.slug = 'gone1'");
        assertThat(postsWithSlug("gone1")).isZero();
        assertThat(fixture.purged()).containsExactly("/posts");
        dsl.execute("DELETE FROM p USING post p JOIN author a ON a.id = p.author_id WHERE p.slug = 'gone2'");
        assertThat(postsWithSlug("gone2")).isZero();
        assertThat(fixture.purged()).containsExactly("/posts");
    }

    @Test
    void plainSqlDeleteFromSeveralTablesPurgesEach() {
        insertPost(dsl, "gone");
        dsl.insertInto(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "gone").execute();
        fixture.purged();
        dsl.execute("DELETE p, l FROM post p JOIN audit_log l ON l.message = p.slug WHERE p.slug = 'gone'");
        assertThat(postsWithSlug("gone")).isZero();
        assertThat(count(AUDIT_LOG)).isZero();
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/audit");
    }

    @Test
    void plainSqlCommaJoinedUpdatePurgesBothTables() {
        dsl.execute("UPDATE post, author SET post.title = 'CJ', author.name = 'cj' WHERE post.author_id = author.id");
        assertThat(titleOfPost100()).isEqualTo("CJ");
        assertThat(nameOfAuthor100()).isEqualTo("cj");
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/authors");
    }

    @Test
    void plainSqlInsertIgnoreIntoPurges() {
        dsl.execute("INSERT IGNORE INTO post (author_id, slug, title) VALUES (100, 'ii', 'II')");
        assertThat(postsWithSlug("ii")).isEqualTo(1);
        assertThat(fixture.purged()).containsExactly("/posts");
    }

    @Test
    void plainSqlModifiersPurge() {
        dsl.execute("UPDATE IGNORE post SET title = 'UI' WHERE id = 100");
        assertThat(titleOfPost100()).isEqualTo("UI");
        assertThat(fixture.purged()).containsExactly("/posts");
        dsl.execute("UPDATE LOW_PRIORITY post SET title = 'LP' WHERE id = 100");
        assertThat(titleOfPost100()).isEqualTo("LP");
        assertThat(fixture.purged()).containsExactly("/posts");
        dsl.execute("INSERT IGNORE post (author_id, slug, title) VALUES (100, 'ii', 'II')");
        assertThat(postsWithSlug("ii")).isEqualTo(1);
        assertThat(fixture.purged()).containsExactly("/posts");
        dsl.execute("INSERT LOW_PRIORITY INTO post (author_id, slug, title) VALUES (100, 'lp', 'LP')");
        assertThat(postsWithSlug("lp")).isEqualTo(1);
        assertThat(fixture.purged()).containsExactly("/posts");
        dsl.execute("DELETE IGNORE FROM post WHERE slug = 'ii'");
        assertThat(postsWithSlug("ii")).isZero();
        assertThat(fixture.purged()).containsExactly("/posts");
        dsl.execute("DELETE LOW_PRIORITY FROM post WHERE slug = 'lp'");
        assertThat(postsWithSlug("lp")).isZero();
        assertThat(fixture.purged()).containsExactly("/posts");
        insertPost(dsl, "q");
        fixture.purged();
        dsl.execute("DELETE QUICK FROM post WHERE slug = 'q'");
        assertThat(postsWithSlug("q")).isZero();
        assertThat(fixture.purged()).containsExactly("/posts");
    }

    @Test
    void plainSqlReplacePurges() {
        registerKindRules();
        dsl.execute("REPLACE INTO post (id, author_id, slug, title) VALUES (100, 100, 'one', 'Replaced')");
        assertThat(titleOfPost100()).isEqualTo("Replaced");
        assertThat(fixture.purged()).as("REPLACE deletes the old row and inserts the new one: to its page, an update")
                .containsExactlyInAnyOrder("/posts", "/posts/inserted", "/posts/updated", "/posts/deleted");
        dsl.execute("REPLACE post SET id = 100, author_id = 100, slug = 'one', title = 'Set'");
        assertThat(titleOfPost100()).isEqualTo("Set");
        assertThat(fixture.purged())
                .containsExactlyInAnyOrder("/posts", "/posts/inserted", "/posts/updated", "/posts/deleted");
    }

    @Test
    void truncatePurgesEvenWhenEmpty() {
        dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 100L).set(COMMENT.BODY, "hi").execute();
        assertThat(fixture.purged()).containsExactly("/comments");
        dsl.truncate(COMMENT).execute();
        assertThat(count(COMMENT)).isZero();
        assertThat(fixture.purged()).containsExactly("/comments");
        dsl.execute("TRUNCATE `comment`");
        assertThat(fixture.purged()).as("TRUNCATE always reports 0 rows").containsExactly("/comments");
        dsl.execute("TRUNCATE TABLE audit_log");
        assertThat(fixture.purged()).containsExactly("/audit");
    }

    // --- Transactions ----------------------------------------------------------------------------------

    @Test
    void transactionUpdatingAJoinIsPurgedAfterItsCommitAndReadersSeeTheRows() throws Exception {
        cache.onArrival(path -> postsWithSlug("tx"));
        dsl.transaction(c -> {
            insertPost(DSL.using(c), "tx");
            DSL.using(c).update(POST.join(AUTHOR).on(POST.AUTHOR_ID.eq(AUTHOR.ID)))
                    .set(AUTHOR.NAME, "tx ann").where(POST.SLUG.eq("tx")).execute();
            assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(cache.count()).as("purges sent before the commit").isZero();
        });
        List<PurgeServer.Request> requests = List.of(cache.take(), cache.take());
        assertThat(requests).extracting(PurgeServer.Request::path).containsExactlyInAnyOrder("/posts", "/authors");
        assertThat(requests).extracting(PurgeServer.Request::observed)
                .as("rows a separate connection sees when the purge arrives").containsOnly(1);
        assertThat(fixture.purged()).as("nothing else").containsExactlyInAnyOrder("/posts", "/authors");
    }

    @Test
    void rolledBackTransactionPurgesNothing() {
        assertThatThrownBy(() -> dsl.transaction(c -> {
            insertPost(DSL.using(c), "rollback");
            DSL.using(c).update(AUTHOR).set(AUTHOR.NAME, "rolled back").where(AUTHOR.ID.eq(100L)).execute();
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(postsWithSlug("rollback")).as("InnoDB rolled the insert back").isZero();
        assertThat(nameOfAuthor100()).isEqualTo("ann");
        fixture.assertNothingPurged();
    }

    @Test
    void rolledBackSavepointDropsOnlyItsOwnWrites() {
        dsl.transaction(outer -> {
            DSL.using(outer).update(AUTHOR).set(AUTHOR.NAME, "outer").where(AUTHOR.ID.eq(100L)).execute();
            try {
                DSL.using(outer).transaction(inner -> {
                    insertPost(DSL.using(inner), "inner");
                    DSL.using(inner).insertInto(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "inner").execute();
                    throw new IllegalStateException("inner fails");
                });
            } catch (IllegalStateException expected) {
                // the outer transaction goes on
            }
        });
        assertThat(postsWithSlug("inner")).as("rolled back to the savepoint").isZero();
        assertThat(count(AUDIT_LOG)).isZero();
        assertThat(nameOfAuthor100()).isEqualTo("outer");
        assertThat(fixture.purged()).containsExactly("/authors");
    }

    @Test
    void implicitCommitInsideTransactionPurges() {
        dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 100L).set(COMMENT.BODY, "hi").execute();
        fixture.purged();
        assertThatThrownBy(() -> dsl.transaction(c -> {
            insertPost(DSL.using(c), "implicit");
            DSL.using(c).truncate(COMMENT).execute();
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(postsWithSlug("implicit")).as("TRUNCATE committed the insert").isEqualTo(1);
        assertThat(count(COMMENT)).as("TRUNCATE is not rolled back").isZero();
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/comments");
    }

    // --- Batches ---------------------------------------------------------------------------------------

    @Test
    void batchesPurge() {
        dsl.batch(
                dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "b1").set(POST.TITLE, "B1"),
                dsl.insertInto(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "b"))
                .execute();
        assertThat(postsWithSlug("b1")).isEqualTo(1);
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/posts", "/audit");

        dsl.batch(dsl.update(AUTHOR).set(AUTHOR.NAME, (String) null).where(AUTHOR.ID.eq((Long) null)))
                .bind("x", 100L).bind("y", 100L).execute();
        assertThat(nameOfAuthor100()).isEqualTo("y");
        assertThat(fixture.purged()).containsExactly("/authors");

        PostRecord a = dsl.newRecord(POST);
        a.setAuthorId(100L);
        a.setSlug("ba");
        a.setTitle("BA");
        PostRecord b = dsl.newRecord(POST);
        b.setAuthorId(100L);
        b.setSlug("bb");
        b.setTitle("BB");
        dsl.batchInsert(a, b).execute();
        assertThat(postsWithSlug("ba") + postsWithSlug("bb")).isEqualTo(2);
        assertThat(fixture.purged()).containsExactly("/posts");

        List<PostRecord> posts = dsl.fetch(POST, POST.SLUG.in("ba", "bb"));
        posts.forEach(p -> p.setTitle(p.getTitle() + "!"));
        dsl.batchStore(posts).execute();
        assertThat(fixture.purged()).containsExactly("/posts");

        dsl.batchStore(posts).execute();
        fixture.assertNothingPurged("unchanged records: batchStore's dry run only");

        dsl.batchDelete(posts).execute();
        assertThat(postsWithSlug("ba") + postsWithSlug("bb")).isZero();
        assertThat(fixture.purged()).containsExactly("/posts");

        dsl.batch("INSERT INTO `audit_log` (message) VALUES ('s')",
                "UPDATE post p JOIN author a ON a.id = p.author_id SET p.title = 'static' WHERE p.id = 100")
                .execute();
        assertThat(titleOfPost100()).isEqualTo("static");
        assertThat(fixture.purged()).containsExactlyInAnyOrder("/audit", "/posts", "/authors");
    }
}
