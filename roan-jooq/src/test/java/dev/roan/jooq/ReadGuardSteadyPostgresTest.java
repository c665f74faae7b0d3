package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Roan's reads on the writer's connection on a real PostgreSQL once their shape has worked ({@link ReadGuard}): no
 * savepoint, so no subtransaction and no multixact per statement; a failure then fails the writer's statement with
 * its own error. And the related read's share lock ({@link RelatedRows}), which closes the race with a concurrent
 * move of the related row.
 */
class ReadGuardSteadyPostgresTest {

    @RegisterExtension
    static final SchemaPostgres DB = new SchemaPostgres("roan_read_guard_steady");
    /** The age of the database's oldest multixact: it grows by one with each multixact created. */
    private static final String MULTIXACTS =
            "select mxid_age(datminmxid) from pg_database where datname = current_database()";

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture().database(this::configuration);
    private Roan roan;
    private DSLContext dsl;
    /** The SQL states an exception translator (Spring's) saw, as it sees them: {@code ctx.sqlException()}. */
    private final List<String> translated = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        StringBuilder rows = new StringBuilder("insert into author (id, name) values (1, 'ann'), (2, 'bob');");
        for (int i = 1; i <= 100; i++) {
            rows.append("insert into post (id, author_id, slug, title) values (").append(i).append(", 1, 's").append(i)
                    .append("', 't');");
        }
        DB.reset(rows.toString());
        roan = fixture.roan();
        dsl = fixture.dsl();
    }

    private Configuration configuration() {
        return DB.configuration()
                .set(new DefaultExecuteListenerProvider(new ExecuteListener() {
                    @Override
                    public void exception(ExecuteContext ctx) {
                        if (ctx.sqlException() != null) {
                            translated.add(ctx.sqlException().getSQLState());
                        }
                    }
                }));
    }

    private static long single(String sql) {
        try (Connection c = DB.connect(); Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The transaction ids and multixacts {@code work} consumed (txid_current() itself takes one, not counted). */
    private static long[] cost(Runnable work) {
        long xid = single("select txid_current()");
        long multi = single(MULTIXACTS);
        work.run();
        return new long[] {single("select txid_current()") - xid - 1, single(MULTIXACTS) - multi};
    }

    @Test
    void updatesInOneTransactionTakeOneTransactionIdAndNoMultixactOnceTheirReadHasWorked() {
        roan.purge("/authors/{author_id}").onUpdate(POST);
        // The first read of its shape runs in a savepoint, in case it fails: one subtransaction, one multixact.
        long[] first = cost(() -> dsl.transaction(c -> DSL.using(c).update(POST).set(POST.TITLE, "w")
                .where(POST.ID.eq(1L)).execute()));
        assertThat(first[0]).as("transaction ids of the first").isLessThanOrEqualTo(2);
        long[] steady = cost(() -> dsl.transaction(c -> {
            for (long id = 1; id <= 100; id++) {
                DSL.using(c).update(POST).set(POST.TITLE, "x").where(POST.ID.eq(id)).execute();
            }
        }));
        // Without Roan: 1 and 0. With a savepoint per read: 101 and 100, and past 64 subtransactions every snapshot
        // in the cluster overflows PostgreSQL's subtransaction cache.
        assertThat(steady[0]).as("transaction ids of one transaction of 100 UPDATEs by id").isOne();
        assertThat(steady[1]).as("multixacts it created").isZero();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void relatedReadsInOneTransactionTakeOneTransactionIdAndNoMultixactOnceTheyHaveWorked() {
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID);
        dsl.transaction(c -> DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(1L, "w")
                .execute());
        long[] steady = cost(() -> dsl.transaction(c -> {
            for (long id = 1; id <= 100; id++) {
                DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(id, "c").execute();
                DSL.using(c).update(POST).set(POST.TITLE, "after").where(POST.ID.eq(id)).execute();
            }
        }));
        assertThat(steady[0]).as("transaction ids of one transaction of 100 INSERTs and UPDATEs").isOne();
        assertThat(steady[1]).as("multixacts it created").isZero();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void aReadThatFailsOnceItsShapeHasWorkedFailsTheStatementWithItsOwnError() throws Exception {
        roan.purge("/authors/{author_id}").onUpdate(POST);
        dsl.transaction(c -> DSL.using(c).update(POST).set(POST.TITLE, "w").where(POST.ID.eq(10L)).execute());
        fixture.purgedOnce();
        try (Connection other = DB.connect(); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("select * from post where id = 10 for update");
            // Without a savepoint the failed read aborts the writer's transaction: its UPDATE must not then run and
            // fail with "current transaction is aborted" (25P02), a state no retry policy knows, but fail with the
            // lock timeout (55P03) it would have met itself.
            assertThatThrownBy(() -> dsl.transaction(c -> {
                DSL.using(c).execute("set local lock_timeout = '100ms'");
                DSL.using(c).update(POST).set(POST.TITLE, "x").where(POST.ID.eq(10L)).execute();
            })).isInstanceOfSatisfying(DataAccessException.class,
                    e -> assertThat(e.sqlState()).isEqualTo("55P03"));
            // Once for Roan's SELECT, which passes through the listeners as the statement it is, once for the UPDATE.
            assertThat(translated).as("what an exception translator sees").containsExactly("55P03", "55P03");
            other.rollback();
        }
        fixture.assertNothingPurged();
        // The shape is guarded again, and works again.
        dsl.transaction(c -> DSL.using(c).update(POST).set(POST.TITLE, "y").where(POST.ID.eq(10L)).execute());
        assertThat(single("select count(*) from post where title = 'y'")).isOne();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void theReadBeforeAnUpdateWaitsForNoLockTheUpdateWouldNotWaitFor() throws Exception {
        roan.purge("/authors/{author_id}").onUpdate(POST);
        dsl.transaction(c -> DSL.using(c).update(POST).set(POST.TITLE, "w").where(POST.ID.eq(10L)).execute());
        fixture.purgedOnce();
        try (Connection other = DB.connect(); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            // A comment of the post, not committed yet: its foreign key holds a key share lock on the post.
            s.execute("insert into comment (post_id, body) values (10, 'pending')");
            // The UPDATE of the title (FOR NO KEY UPDATE) does not wait for it, so neither may its read: a FOR
            // UPDATE would, and here time out and fail the statement.
            dsl.transaction(c -> {
                DSL.using(c).execute("set local lock_timeout = '200ms'");
                DSL.using(c).update(POST).set(POST.TITLE, "x").where(POST.ID.eq(10L)).execute();
            });
            other.rollback();
        }
        assertThat(single("select count(*) from post where id = 10 and title = 'x'")).isOne();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void theRelatedRowStaysLockedAgainstAMoveUntilTheWriterCommits() throws Exception {
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID);
        dsl.transaction(c -> {
            DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "c").execute();
            // The comment's foreign key took a key share lock only, which a move to another author does not wait
            // for: without Roan's share lock it would commit now, purge both authors, and the new author's page,
            // rendered without this uncommitted comment, would stay cached.
            try (Connection other = DB.connect(); Statement s = other.createStatement()) {
                s.execute("set lock_timeout = '200ms'");
                assertThatThrownBy(() -> s.execute("update post set author_id = 2 where id = 10"))
                        .isInstanceOfSatisfying(SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo("55P03"));
            }
        });
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void aRelatedReadWaitsForAMoveInProgressAndReadsTheNewRow() throws Exception {
        roan.purge("/authors/{author_id}").onInsert(COMMENT).via(COMMENT.POST_ID, POST.ID);
        try (Connection other = DB.connect(); Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("update post set author_id = 2 where id = 10");
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> dsl.transaction(c -> DSL.using(c)
                    .insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "c").execute()));
            // The writer's INSERT does not wait for the move (key share); its read of the post does.
            long deadline = System.nanoTime() + Waits.DELIVERY.toNanos();
            while (single("select count(*) from pg_locks where not granted") == 0 && !writer.isDone()) {
                assertThat(System.nanoTime()).as("the writer waits for the move").isLessThan(deadline);
                Thread.onSpinWait();
            }
            assertThat(writer).as("the writer waits for the move").isNotDone();
            other.commit();
            writer.get(Waits.DELIVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
        // Read after the move committed: the new author, whose page the move's own purge may have let be cached
        // again without this comment.
        assertThat(fixture.purgedOnce()).containsExactly("/authors/2");
    }
}
