package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.COMMENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Roan's own reads on the writer's connection ({@link RowsBefore} before an UPDATE, {@link RelatedRows} after a write)
 * failing on a real PostgreSQL, which aborts a whole transaction on any failed statement: the savepoint around each
 * read ({@link ReadGuard}) keeps the writer's transaction usable, so it goes on and commits.
 */
class ReadGuardPostgresTest {

    @RegisterExtension
    static final SchemaPostgres DB = new SchemaPostgres("roan_read_guard_test");

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture().database(this::configuration);
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() throws Exception {
        DB.reset("insert into author (id, name) values (1, 'ann');"
                + "insert into post (id, author_id, slug, title) values (10, 1, 'one', 'One')");
        roan = fixture.roan();
        dsl = fixture.dsl();
    }

    private Configuration configuration() {
        return DB.configuration();
    }

    private static int count(String sql) {
        try (Connection c = DB.connect(); Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFailingReadBeforeAnUpdateLeavesTheJooqTransactionUsable() {
        PostWithAColumnTheDatabaseLacks post = new PostWithAColumnTheDatabaseLacks();
        roan.purge("/x/{nope}").onUpdate(post).whenRowsUnknown("/x");
        dsl.transaction(c -> {
            assertThat(DSL.using(c).update(post).set(post.title, "Uno").where(post.id.eq(10L)).execute()).isOne();
            DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "after").execute();
        });
        assertThat(count("select count(*) from post where title = 'Uno'")).as("the update committed").isOne();
        assertThat(count("select count(*) from comment")).as("and the statement after it").isOne();
        assertThat(fixture.purgedOnce()).containsExactly("/x");
    }

    @Test
    void aFailingRelatedReadLeavesTheJooqTransactionUsable() {
        RelatedRowsTest.Archive archive = new RelatedRowsTest.Archive();
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, archive.id)
                .whenRowsUnknown("/authors");
        dsl.transaction(c -> {
            DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "a").execute();
            DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "b").execute();
        });
        assertThat(count("select count(*) from comment")).as("both inserts committed").isEqualTo(2);
        assertThat(fixture.purgedOnce()).containsExactly("/authors");
    }

    @Test
    void failingReadsLeaveAManuallyManagedTransactionUsable() throws Exception {
        // As Spring's DataSourceTransactionManager runs one: auto-commit off, the application commits.
        PostWithAColumnTheDatabaseLacks post = new PostWithAColumnTheDatabaseLacks();
        RelatedRowsTest.Archive archive = new RelatedRowsTest.Archive();
        roan.purge("/x/{nope}").onUpdate(post).whenRowsUnknown("/x");
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, archive.id)
                .whenRowsUnknown("/authors");
        try (Connection c = DB.connect()) {
            c.setAutoCommit(false);
            DSLContext manual = DSL.using(roan.attach(DSL.using(c, SQLDialect.POSTGRES, SchemaPostgres.NAMES)
                    .configuration()));
            manual.update(post).set(post.title, "Uno").where(post.id.eq(10L)).execute();
            manual.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "a").execute();
            manual.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "b").execute();
            c.commit();
        }
        assertThat(count("select count(*) from post where title = 'Uno'")).isOne();
        assertThat(count("select count(*) from comment")).isEqualTo(2);
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/x", "/authors");
    }

    @Test
    void aRelatedReadSeesTheTransactionsOwnRows() {
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, dev.roan.jooq.test.db.Tables.POST.ID);
        dsl.transaction(c -> {
            DSL.using(c).execute("insert into author (id, name) values (2, 'bob');"
                    + "insert into post (id, author_id, slug, title) values (20, 2, 'two', 'Two')");
            DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(20L, "first").execute();
        });
        assertThat(fixture.purgedOnce()).containsExactly("/authors/2");
    }
}
