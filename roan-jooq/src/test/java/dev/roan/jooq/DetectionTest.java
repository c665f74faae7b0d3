package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUDIT_LOG;
import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.roan.jooq.test.db.tables.Post;
import dev.roan.jooq.test.db.tables.records.PostRecord;
import org.jooq.DSLContext;
import org.jooq.conf.MappedSchema;
import org.jooq.conf.RenderMapping;
import org.jooq.conf.Settings;
import org.jooq.conf.StatementType;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which statements purge: every write form of the foundation, against H2 and a real HTTP endpoint.
 *
 * <p>To prove that a statement purged nothing, each test ends with a marker write (to AUTHOR, rule
 * "/marker") and flushes: purges are delivered in order of need, so anything else owed would have
 * been sent by then.
 */
class DetectionTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture().marker("/marker", AUTHOR,
            d -> d.update(AUTHOR).set(AUTHOR.NAME, "marker").where(AUTHOR.ID.eq(100L)).execute());
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        roan = fixture.roan();
        roan.purge("/posts").onWrite(POST);
        dsl = fixture.dsl();
        dsl.insertInto(AUTHOR).set(AUTHOR.ID, 100L).set(AUTHOR.NAME, "ann").execute();
        dsl.insertInto(POST).set(POST.ID, 100L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "one").set(POST.TITLE, "One")
                .execute();
        fixture.settle();
    }

    @Test
    void dslInsertUpdateDeletePurge() {
        dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "two").set(POST.TITLE, "Two").execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();
        dsl.update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(100L)).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();
        dsl.deleteFrom(POST).where(POST.SLUG.eq("two")).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
    }

    @Test
    void readsAndUnregisteredTablesPurgeNothing() {
        dsl.selectFrom(POST).fetch();
        dsl.fetch("select * from post");
        dsl.insertInto(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "hello").execute();
        dsl.execute("update audit_log set message = 'x'");
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/marker");
    }

    @Test
    void statementThatChangedNoRowPurgesNothing() {
        assertThat(dsl.update(POST).set(POST.TITLE, "x").where(POST.ID.eq(404L)).execute()).isZero();
        assertThat(dsl.deleteFrom(POST).where(POST.ID.eq(404L)).execute()).isZero();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/marker");
    }

    @Test
    void returningInsertSelectAndUpsertPurge() {
        PostRecord returned = dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "r").set(POST.TITLE, "R")
                .returning(POST.ID).fetchOne();
        assertThat(returned).isNotNull();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        dsl.insertInto(POST, POST.AUTHOR_ID, POST.SLUG, POST.TITLE)
                .select(DSL.select(POST.AUTHOR_ID, DSL.concat(POST.SLUG, DSL.inline("-copy")), POST.TITLE)
                        .from(POST).where(POST.ID.eq(100L)))
                .execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        dsl.insertInto(POST).set(POST.ID, 100L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "one").set(POST.TITLE, "Upserted")
                .onDuplicateKeyUpdate().set(POST.TITLE, "Upserted").execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        dsl.update(POST).set(POST.TITLE, "ret").where(POST.ID.eq(100L)).returning(POST.TITLE).fetch();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        dsl.deleteFrom(POST).where(POST.SLUG.eq("r")).returning(POST.ID).fetch();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
    }

    @Test
    void updatableRecordsPurge() {
        PostRecord record = dsl.newRecord(POST);
        record.setAuthorId(100L);
        record.setSlug("rec");
        record.setTitle("Rec");
        record.store();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        record.setTitle("Rec 2");
        record.store();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        record.delete();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
    }

    @Test
    void unchangedRecordStorePurgesNothing() {
        PostRecord record = dsl.fetchOne(POST, POST.ID.eq(100L));
        assertThat(record).isNotNull();
        record.store();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/marker");
    }

    @Test
    void batchesPurge() {
        dsl.batch(
                dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "b1").set(POST.TITLE, "B1"),
                dsl.insertInto(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "b"))
                .execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        dsl.batch(dsl.update(POST).set(POST.TITLE, (String) null).where(POST.ID.eq((Long) null)))
                .bind("x", 100L).bind("y", 100L).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        PostRecord a = dsl.newRecord(POST);
        a.setAuthorId(100L);
        a.setSlug("ba");
        a.setTitle("BA");
        PostRecord b = dsl.newRecord(POST);
        b.setAuthorId(100L);
        b.setSlug("bb");
        b.setTitle("BB");
        dsl.batchInsert(a, b).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        List<PostRecord> posts = dsl.fetch(POST, POST.SLUG.in("ba", "bb"));
        posts.forEach(p -> p.setTitle(p.getTitle() + "!"));
        dsl.batchStore(posts).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        posts.forEach(p -> p.setTitle(p.getTitle() + "?"));
        dsl.batchUpdate(posts).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        dsl.batchDelete(posts).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        dsl.batch("insert into audit_log (message) values ('s')", "update post set title = 'static' where id = 100")
                .execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
    }

    @Test
    void batchStoreDryRunAloneDoesNotPurge() {
        // batchStore renders every record in a dry run before executing; an unchanged record is not executed.
        List<PostRecord> posts = dsl.fetch(POST);
        dsl.batchStore(posts).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/marker");
    }

    @Test
    void staticStatementBatchesPurge() {
        DSLContext staticDsl = DSL.using(dsl.configuration().derive(
                new Settings().withStatementType(StatementType.STATIC_STATEMENT)));
        staticDsl.batch(
                staticDsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "st").set(POST.TITLE, "St"),
                staticDsl.insertInto(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "st"))
                .execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
    }

    @Test
    void plainSqlPurgesInAnySpelling() {
        dsl.execute("update post set title = 'a' where id = 100");
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();
        dsl.execute("UPDATE POST SET TITLE = ? WHERE ID = ?", "b", 100L);
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();
        dsl.execute("update \"PUBLIC\".\"POST\" p set title = 'c' where p.id = 100");
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();
        dsl.query("insert into post (author_id, slug, title) values (100, 'plain', 'Plain')").execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();
        dsl.query("delete from post where slug = 'plain'").execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
    }

    @Test
    void unparseablePlainSqlIsLoggedAndPurgesNothing() {
        dsl.execute("update audit_log set message = 'x' where 1 = 1 /* fine */");
        // H2's own syntax that jOOQ's parser does not read: the statement still runs, unharmed.
        dsl.execute("ANALYZE");
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/marker");
    }

    @Test
    void unparseablePlainSqlIsLoggedOncePerStatement() {
        try (LogCapture log = new LogCapture()) {
            // H2 statements jOOQ's parser does not read; they still run, unharmed.
            dsl.execute("CHECKPOINT");
            dsl.execute("CHECKPOINT");
            dsl.execute("CHECKPOINT SYNC");
            assertThat(log.messages(java.util.logging.Level.WARNING))
                    .filteredOn(m -> m.contains("could not parse")).as("one warning per SQL string").hasSize(2);
        }
    }

    @Test
    void schemaMappingAndOtherSchemasPurgeByTableName() {
        fixture.db().onSeparateConnection(d -> d.execute("create schema tenant1; create table tenant1.post"
                + " (id bigint primary key, author_id bigint, slug varchar(200), title varchar(200))"));
        DSLContext mapped = DSL.using(dsl.configuration().derive(new Settings().withRenderMapping(new RenderMapping()
                .withSchemata(new MappedSchema().withInput("").withOutput("TENANT1")))));
        mapped.insertInto(POST).set(POST.ID, 7L).set(POST.SLUG, "t").set(POST.TITLE, "T").execute();
        int mappedRows = fixture.db().onSeparateConnection(d -> d.fetchCount(DSL.table(DSL.name("TENANT1", "POST"))));
        assertThat(mappedRows).as("the row went to the mapped schema").isOne();
        assertThat(fixture.purgedWithMarker()).as("rendered to TENANT1.POST")
                .containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();
        dsl.execute("update tenant1.post set title = 'u' where id = 7");
        assertThat(fixture.purgedWithMarker()).as("plain SQL on another schema")
                .containsExactlyInAnyOrder("/posts", "/marker");
    }

    @Test
    void aliasesOfGeneratedTablesPurge() {
        Post p = POST.as("p");
        dsl.update(p).set(p.TITLE, "aliased").where(p.ID.eq(100L)).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();
        dsl.deleteFrom(p).where(p.SLUG.eq("none")).execute();
        assertThat(fixture.purgedWithMarker()).as("0 rows: nothing").containsExactlyInAnyOrder("/marker");
    }

    @Test
    void nonGeneratedTablesMatchByName() {
        dsl.update(DSL.table(DSL.name("POST"))).set(DSL.field(DSL.name("TITLE")), "by name")
                .where(DSL.field(DSL.name("ID")).eq(100L)).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
    }

    @Test
    void mergeAndTruncatePurge() {
        dsl.mergeInto(POST)
                .using(DSL.selectOne())
                .on(POST.ID.eq(100L))
                .whenMatchedThenUpdate().set(POST.TITLE, "merged")
                .whenNotMatchedThenInsert(POST.AUTHOR_ID, POST.SLUG, POST.TITLE).values(100L, "m", "M")
                .execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        dsl.execute("merge into post using (select 1 as one) s on (post.id = 100) when matched then update set title = 'pm'");
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/marker");
        fixture.settle();

        roan.purge("/audit").onWrite(AUDIT_LOG);
        dsl.truncate(AUDIT_LOG).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/audit", "/marker");
        fixture.settle();
        dsl.execute("TRUNCATE TABLE audit_log");
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/audit", "/marker");
    }

    @Test
    void kindsSelectWhichWritesPurge() {
        roan.purge("/saved").onSave(POST);
        roan.purge("/inserted").onInsert(POST);
        roan.purge("/updated").onUpdate(POST);
        roan.purge("/deleted").onDelete(POST);

        dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "k").set(POST.TITLE, "K").execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/saved", "/inserted", "/marker");
        fixture.settle();
        dsl.update(POST).set(POST.TITLE, "K2").where(POST.SLUG.eq("k")).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/saved", "/updated", "/marker");
        fixture.settle();
        dsl.deleteFrom(POST).where(POST.SLUG.eq("k")).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/deleted", "/marker");
        fixture.settle();
        dsl.insertInto(POST).set(POST.ID, 100L).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, "one").set(POST.TITLE, "Up")
                .onDuplicateKeyUpdate().set(POST.TITLE, "Up").execute();
        assertThat(fixture.purgedWithMarker()).as("an upsert may insert or update")
                .containsExactlyInAnyOrder("/posts", "/saved", "/inserted", "/updated", "/marker");
        fixture.settle();
        roan.purge("/audit/saved").onSave(AUDIT_LOG);
        roan.purge("/audit/deleted").onDelete(AUDIT_LOG);
        dsl.truncate(AUDIT_LOG).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/audit/deleted", "/marker");
    }

    @Test
    void ruleRegisteredAfterAttachApplies() {
        roan.purge("/comments").onWrite(COMMENT);
        dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 100L).set(COMMENT.BODY, "hi").execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/comments", "/marker");
    }

    @Test
    void sameTableTwiceGivesOnePurge() {
        roan.purge("/posts").onWrite(POST).onSave(POST, POST.as("again"));
        roan.purge("/both").onWrite(POST, COMMENT);
        dsl.update(POST).set(POST.TITLE, "once").where(POST.ID.eq(100L)).execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/posts", "/both", "/marker");
    }
}
