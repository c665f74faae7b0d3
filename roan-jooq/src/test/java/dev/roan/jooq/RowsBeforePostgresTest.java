package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.roan.jooq.test.db.tables.records.PostRecord;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read before an UPDATE or DELETE ({@link RowsBefore}) on a real PostgreSQL: it locks the rows before the
 * statement runs, in the statement's transaction, so another transaction's write of them waits for the commit.
 */
class RowsBeforePostgresTest {

    @RegisterExtension
    static final SchemaPostgres DB = new SchemaPostgres("roan_rows_before_test");

    /** Runs right after each of Roan's reads, before the statement it reads for: the test's probe. */
    private volatile Runnable afterRead = () -> { };
    private final List<String> reads = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture().database(this::configuration);
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() throws Exception {
        DB.reset("insert into author (id, name) values (1, 'ann'), (2, 'bob');"
                + "insert into post (id, author_id, slug, title) values (10, 1, 'one', 'One'), (20, 2, 'two', 'Two')");
        roan = fixture.roan();
        dsl = fixture.dsl();
    }

    /** The application's configuration, with a listener of the test's own that sees Roan's reads run. */
    private Configuration configuration() {
        return DB.configuration()
                .set(new DefaultExecuteListenerProvider(new ExecuteListener() {
                    @Override
                    public void executeEnd(ExecuteContext ctx) {
                        String sql = ctx.sql() == null ? "" : ctx.sql().toLowerCase(Locale.ROOT);
                        // Before an UPDATE, the lock the UPDATE takes: for no key update.
                        if (sql.startsWith("select") && (sql.contains("for update") || sql.contains("for no key update"))) {
                            reads.add(sql);
                            afterRead.run();
                        }
                    }
                }));
    }

    /**
     * Tries to lock post 10 from another connection without waiting: the error says whether someone holds it.
     */
    private static void lockPost10Elsewhere() {
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            s.executeQuery("select id from post where id = 10 for update nowait").close();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getSQLState() + ": " + e.getMessage(), e);
        }
    }

    @Test
    void batchStoreInATransactionIsReadOnceLockingItsRowsAndPurgesTheOldAndNewPages() {
        roan.purge("/authors/{author_id}").onUpdate(POST).whenRowsUnknown("/authors");
        List<PostRecord> posts = dsl.fetch(POST, POST.ID.in(10L, 20L));
        posts.forEach(p -> p.setAuthorId(p.getId() == 10L ? 2L : 1L));
        afterRead = () -> assertThatThrownBy(RowsBeforePostgresTest::lockPost10Elsewhere)
                .as("post 10 locked by the read").hasMessageContaining("55P03");
        dsl.transaction(c -> DSL.using(c).batchStore(posts).execute());
        assertThat(reads).as("one read for the batch, as the UPDATE locks").singleElement()
                .satisfies(sql -> assertThat(sql).contains("for no key update"));
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/1", "/authors/2");
    }

    @Test
    void theReadLocksTheRowsBeforeTheStatementRuns() {
        roan.purge("/authors/{author_id}").onUpdate(POST);
        List<Throwable> probes = new CopyOnWriteArrayList<>();
        afterRead = () -> {
            try {
                lockPost10Elsewhere();
            } catch (RuntimeException e) {
                probes.add(e);
            }
        };
        dsl.transaction(c -> DSL.using(c).update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(10L)).execute());
        afterRead = () -> { };
        assertThat(reads).as("one read, for the update").hasSize(1);
        assertThat(probes).as("another transaction's lock, tried between the read and the update").singleElement()
                .satisfies(e -> assertThat(e).hasMessageStartingWith("55P03")); // lock_not_available
        lockPost10Elsewhere(); // free again after the commit
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void anotherTransactionsUpdateOfTheRowWaitsForTheCommit() throws Exception {
        roan.purge("/authors/{author_id}").onUpdate(POST);
        dsl.transaction(c -> {
            DSL.using(c).update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(10L)).execute();
            try (Connection other = DB.connect(); Statement s = other.createStatement()) {
                s.execute("set lock_timeout = '200ms'");
                assertThatThrownBy(() -> s.executeUpdate("update post set author_id = 2 where id = 10"))
                        .as("a concurrent move of the post, which would make the read value stale")
                        .isInstanceOf(SQLException.class).hasMessageContaining("lock");
            }
        });
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void renamingByIdPurgesTheOldAndTheNewNamesPages() {
        roan.purge("/authors/by-name/{name}").onUpdate(AUTHOR);
        dsl.transaction(c -> DSL.using(c).update(AUTHOR).set(AUTHOR.NAME, "Van Winkle").where(AUTHOR.ID.eq(1L))
                .execute());
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/authors/by-name/ann",
                "/authors/by-name/Van%20Winkle");
    }

    @Test
    void deleteByIdPurgesThePageOfTheKeyTheStatementDoesNotName() {
        roan.purge("/authors/{author_id}").onDelete(POST);
        dsl.deleteFrom(POST).where(POST.ID.eq(20L)).execute();
        assertThat(reads).hasSize(1);
        assertThat(fixture.purgedOnce()).containsExactly("/authors/2");
    }

    @Test
    void aRuleWithoutReadingRowsDoesNotRead() {
        roan.purge("/authors/{author_id}").onUpdate(POST).withoutReadingRows().whenRowsUnknown("/authors");
        dsl.update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(10L)).execute();
        assertThat(reads).isEmpty();
        assertThat(fixture.purgedOnce()).containsExactly("/authors");
    }
}
