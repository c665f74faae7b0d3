package dev.roan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.roan.jooq.Roan;
import dev.roan.testkit.PurgeServer;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code Roan.track} with Spring's transactions: a {@code @Transactional} method wrote a row before any tracked page had
 * pinned its column (so its write produced no key of the row); a render on another thread read the old row and pinned
 * the column; then the transaction committed. Its commit owes the page a purge, as a jOOQ transaction's does.
 */
class SpringTrackedTransactionTest {

    private static final Table<?> POST = DSL.table(DSL.name("post"));
    private static final Field<Long> ID = DSL.field(DSL.name("post", "id"), Long.class);
    private static final Field<String> TITLE = DSL.field(DSL.name("post", "title"), String.class);

    /** A service bean. */
    static class Transactions {
        @Transactional
        public void required(Runnable work) {
            work.run();
        }
    }

    @RegisterExtension
    final SpringSite site = new SpringSite();
    private Roan roan;
    private DSLContext dsl;
    private Transactions tx;

    @BeforeEach
    void setUp() throws Exception {
        site.start("create table \"post\" (\"id\" bigint primary key, \"title\" varchar(200) not null);"
                + " insert into \"post\" values (1, 'A'), (2, 'B')", new PurgeServer(), b -> b, roan -> {},
                Transactions.class);
        roan = site.roan();
        dsl = site.dsl();
        tx = site.bean(Transactions.class);
    }

    private String postPage(long id) {
        return roan.track("/posts/" + id, () -> dsl.select(TITLE).from(POST).where(ID.eq(id)).fetchOne(TITLE));
    }

    /** The render runs on another thread, in the middle of the transaction: the join is the latch. */
    private String renderedMeanwhile(long id) {
        return CompletableFuture.supplyAsync(() -> postPage(id)).join();
    }

    @Test
    void aTransactionalWriteInFlightWhenAColumnIsFirstPinnedPurgesThePage() {
        tx.required(() -> {
            dsl.update(POST).set(TITLE, "A2").where(ID.eq(1L)).execute();
            assertThat(renderedMeanwhile(1)).as("the render read the committed row").isEqualTo("A");
        });

        site.assertPurged("/posts/1");
    }

    /** As above, with the table read whole by another page already: the write's table key alone missed the row. */
    @Test
    void aTransactionalWriteInFlightWhenAColumnIsFirstPinnedPurgesThePageThoughTheTableWasTracked() {
        roan.track("/search", () -> dsl.select(TITLE).from(POST).where(TITLE.like("Z%")).fetch());
        tx.required(() -> {
            dsl.update(POST).set(TITLE, "A2").where(ID.eq(1L)).execute();
            assertThat(renderedMeanwhile(1)).isEqualTo("A");
        });

        site.assertPurged("/posts/1", "/search");
    }

    /** A jOOQ transaction inside {@code @Transactional}: its "commit" releases a savepoint; the real one comes later. */
    @Test
    void aJooqTransactionInsideTransactionalOwesThePinsMadeUntilTheOuterCommit() {
        tx.required(() -> {
            dsl.transaction(inner -> inner.dsl().update(POST).set(TITLE, "A2").where(ID.eq(1L)).execute());
            assertThat(renderedMeanwhile(1)).isEqualTo("A");
        });

        site.assertPurged("/posts/1");
    }

    @Test
    void aRolledBackTransactionPurgesNothing() {
        try {
            tx.required(() -> {
                dsl.update(POST).set(TITLE, "A2").where(ID.eq(1L)).execute();
                assertThat(renderedMeanwhile(1)).isEqualTo("A");
                throw new IllegalStateException("roll back (test)");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }

        site.assertPurged();
    }

    /** Durable mode: the keys go to the outbox rows the boundary has Roan write just before the commit. */
    @Test
    void inDurableModeTheKeysOwedAtTheCommitGoThroughTheOutbox() {
        try (PurgeServer durableCache = new PurgeServer();
                Roan durable = Roan.builder().purgeUrl(durableCache.purgeUrl())
                        .transactionBoundary(new SpringTransactionBoundary()).outbox(site.dataSource()).build()) {
            DataSourceTransactionManager transactionManager = new DataSourceTransactionManager(site.dataSource());
            DSLContext durableDsl = SpringSite.jooq(site.dataSource(), transactionManager, durable);
            new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
                durableDsl.update(POST).set(TITLE, "A2").where(ID.eq(1L)).execute();
                String seen = CompletableFuture.supplyAsync(() -> durable.track("/posts/1",
                        () -> durableDsl.select(TITLE).from(POST).where(ID.eq(1L)).fetchOne(TITLE))).join();
                assertThat(seen).isEqualTo("A");
            });

            assertThat(durable.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(durableCache.paths()).containsExactly("/posts/1");
        }
    }
}
