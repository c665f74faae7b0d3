package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUDIT_LOG;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import dev.roan.jooq.test.db.tables.records.PostRecord;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A write that fails purges nothing of its own, and lends nothing to the thread's next write. */
class FailedWritesTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private TestDb db;
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        db = fixture.db();
        roan = fixture.roan();
        roan.purge("/posts/{slug}").onWrite(POST);
        dsl = fixture.dsl();
        db.onSeparateConnection(d -> d.execute("insert into author (id, name) values (100, 'ann');"
                + "insert into post (id, author_id, slug, title) values (101, 100, 'dup', 'Dup'), (102, 100, 'b', 'B'),"
                + " (103, 100, 'c', 'C')"));
    }

    /** The distinct paths purged since the last call (see {@link RoanFixture#purged()}). */
    private List<String> purged() {
        return fixture.purgedOnce();
    }

    private PostRecord newPost(String slug) {
        PostRecord post = dsl.newRecord(POST);
        post.setAuthorId(100L);
        post.setSlug(slug);
        post.setTitle(slug);
        return post;
    }

    @Test
    void failedStoreLendsItsRowToNoLaterWrite() {
        assertThatThrownBy(() -> newPost("dup").store()).isInstanceOf(DataAccessException.class);
        dsl.update(POST).set(POST.TITLE, "x").where(POST.SLUG.eq("b")).execute();
        assertThat(purged()).as("the update's own page, not the failed insert's").containsExactly("/posts/b");
    }

    @Test
    void failedUpdateOfARecordLendsItsRowsToNoLaterWrite() {
        PostRecord b = dsl.fetchSingle(POST, POST.SLUG.eq("b"));
        b.setSlug("dup");
        assertThatThrownBy(b::store).isInstanceOf(DataAccessException.class);
        dsl.update(POST).set(POST.TITLE, "x").where(POST.SLUG.eq("c")).execute();
        assertThat(purged()).containsExactly("/posts/c");
    }

    @Test
    void failedStoreInsideATransactionLendsItsRowToNoLaterWrite() {
        dsl.transaction(c -> {
            PostRecord post = DSL.using(c).newRecord(POST);
            post.setAuthorId(100L);
            post.setSlug("dup");
            post.setTitle("Dup");
            assertThatThrownBy(post::store).isInstanceOf(DataAccessException.class);
            DSL.using(c).update(POST).set(POST.TITLE, "x").where(POST.SLUG.eq("b")).execute();
        });
        assertThat(purged()).containsExactly("/posts/b");
    }

    @Test
    void failedBatchStorePurgesWhatItMayHaveWrittenAndLendsNothingToTheNextWrite() {
        // H2 runs every member of a JDBC batch and then reports the duplicate: "ok" is there, committed.
        assertThatThrownBy(() -> dsl.batchStore(newPost("ok"), newPost("dup")).execute())
                .isInstanceOf(DataAccessException.class);
        int ok = db.onSeparateConnection(d -> d.fetchCount(POST, POST.SLUG.eq("ok")));
        assertThat(ok).isEqualTo(1);
        assertThat(purged()).as("a batch the database refused in part").containsExactlyInAnyOrder("/posts/ok", "/posts/dup");
        dsl.update(POST).set(POST.TITLE, "x").where(POST.SLUG.eq("b")).execute();
        assertThat(purged()).containsExactly("/posts/b");
    }

    @Test
    void failedBatchInsideARolledBackTransactionPurgesNothing() {
        assertThatThrownBy(() -> dsl.transaction(c -> DSL.using(c).batchStore(
                DSL.using(c).newRecord(POST, newPost("ok")), DSL.using(c).newRecord(POST, newPost("dup"))).execute()))
                .isInstanceOf(DataAccessException.class);
        dsl.update(POST).set(POST.TITLE, "x").where(POST.SLUG.eq("b")).execute();
        assertThat(purged()).containsExactly("/posts/b");
    }
}
