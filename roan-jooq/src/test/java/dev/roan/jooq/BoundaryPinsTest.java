package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import javax.sql.DataSource;

import dev.roan.testkit.PurgeServer;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A write inside a transaction boundary's transaction (Spring's {@code @Transactional}, say) to a table no tracked
 * page had read yet produces no key; a page rendered before the boundary commits may read the rows it changed, and
 * pin them. So the boundary's commit owes the keys of what was first pinned since the transaction's first write, and
 * only those. The boundary here is the test's: it keeps what it is handed, and the test plays its commit.
 */
class BoundaryPinsTest {

    private record Held(Set<String> paths, Consumer<Set<String>> release) {}

    private final List<Held> held = new CopyOnWriteArrayList<>();
    private final TestDb db = new TestDb();
    private final PurgeServer cache = new PurgeServer();
    private final Roan roan = Roan.builder().purgeUrl(cache.purgeUrl())
            .transactionBoundary((paths, release) -> held.add(new Held(Set.copyOf(paths), release)))
            .closeTimeout(Duration.ofMillis(200)).build();
    /** The boundary's transaction: its connection, which the application's DataSource hands out meanwhile. */
    private final Connection boundaryConnection;
    private final DSLContext inBoundary;
    private final DSLContext outside;

    BoundaryPinsTest() throws SQLException {
        db.execute(TestRows.ANN_AND_POSTS_1_AND_2);
        boundaryConnection = db.dataSource.getConnection();
        boundaryConnection.setAutoCommit(false);
        DataSource transactionAware = TransactionAwareDataSource.of(db.dataSource, boundaryConnection);
        inBoundary = DSL.using(roan.attach(DSL.using(transactionAware, SQLDialect.H2).configuration()));
        outside = DSL.using(roan.attach(db.configuration()));
    }

    @AfterEach
    void close() throws Exception {
        boundaryConnection.close();
        roan.close();
        cache.close();
        db.close();
    }

    private String postPage(long id) {
        return roan.track("/posts/" + id,
                () -> outside.selectFrom(POST).where(POST.ID.eq(id)).fetchOne().getTitle());
    }

    private String authorPage(long id) {
        return roan.track("/authors/" + id,
                () -> outside.selectFrom(AUTHOR).where(AUTHOR.ID.eq(id)).fetchOne().getName());
    }

    /** The boundary's commit: the transaction's writes committed, then what it holds handed back. */
    private void commit() throws SQLException {
        boundaryConnection.commit();
        for (Held h : held) {
            h.release().accept(h.paths());
        }
    }

    @Test
    void aPageThatPinnedWhatTheTransactionWroteBeforeItsCommitIsPurgedAfterIt() throws Exception {
        authorPage(100);
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();

        inBoundary.update(POST).set(POST.TITLE, "New").where(POST.ID.eq(1L)).execute();
        assertThat(held).as("held by the boundary").isNotEmpty();
        assertThat(postPage(1)).as("the render reads before the commit").isNotEqualTo("New");

        commit();

        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).as("the post page, pinned since the write; not the author page, pinned before")
                .containsExactly("/posts/1");
    }

    @Test
    void withoutANewPinTheCommitOwesNothing() throws Exception {
        postPage(2);
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();

        inBoundary.update(AUTHOR).set(AUTHOR.NAME, "New").where(AUTHOR.ID.eq(100L)).execute();
        commit();

        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).isEmpty();
    }
}
