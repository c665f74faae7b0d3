package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.Update;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An auto-committed write while a render on another thread first pins a column of its table: the render's read of the
 * old row and its pin fall between the start of the statement (when Roan decides which rows to read before it) and the
 * statement's commit. The page must be purged.
 *
 * <p>Unlike a transaction's writes (which a render may race until the commit, see {@code TrackTest}), an auto-committed
 * statement needs no count of pins: the render pins before it reads, so a render that read the old row pinned before the
 * statement's keys were computed (at its end). These tests pin that order down.
 */
class TrackAutoCommitTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        roan = fixture.roan();
        dsl = fixture.dsl();
        fixture.db().execute(TestRows.ANN_AND_POST_1);
    }

    private String postPage(long id) {
        return roan.track("/posts/" + id, () -> dsl.selectFrom(POST).where(POST.ID.eq(id)).fetchOne().getTitle());
    }

    /** A writer whose first UPDATE, once Roan's own executeStart has run, waits for a render on another thread. */
    private DSLContext writerRacedByARender() {
        AtomicBoolean once = new AtomicBoolean();
        return DSL.using(dsl.configuration().deriveAppending(new ExecuteListener() {
            @Override
            public void executeStart(ExecuteContext ctx) {
                if (ctx.query() instanceof Update && once.compareAndSet(false, true)) {
                    assertThat(CompletableFuture.supplyAsync(() -> postPage(1)).join())
                            .as("the render read the committed row").isEqualTo("A");
                }
            }
        }));
    }

    @Test
    void anAutoCommittedWriteWhoseColumnIsFirstPinnedWhileItRunsPurgesThePage() {
        writerRacedByARender().update(POST).set(POST.TITLE, "A2").where(POST.SLUG.eq("a")).execute();

        assertThat(fixture.purgedOnce()).as("the page shows A, the row holds A2").contains("/posts/1");
    }

    @Test
    void aTransactionsWriteWhoseColumnIsFirstPinnedWhileItRunsPurgesThePage() {
        dsl.transaction(tx -> DSL.using(tx.deriveAppending(new ExecuteListener() {
            private final AtomicBoolean once = new AtomicBoolean();

            @Override
            public void executeStart(ExecuteContext ctx) {
                if (ctx.query() instanceof Update && once.compareAndSet(false, true)) {
                    assertThat(CompletableFuture.supplyAsync(() -> postPage(1)).join()).isEqualTo("A");
                }
            }
        })).update(POST).set(POST.TITLE, "A2").where(POST.SLUG.eq("a")).execute());

        assertThat(fixture.purgedOnce()).contains("/posts/1");
    }
}
