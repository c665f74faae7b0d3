package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import dev.roan.testkit.PurgeServer;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tracked pages behind several instances of an application: two Roans on one H2 database stand for two instances,
 * sharing the page index table; pages are rendered through one and written through the other, which has rendered
 * nothing and learns what the first one's reads pinned through the table.
 */
class SharedPageIndexTest {

    private static final Duration WAIT = Waits.DELIVERY;
    /** The instances' wait before they try a refusing index again (maxRetryInterval, under FIRST_PROBE). */
    private static final Duration RETRY = Duration.ofMillis(100);
    /**
     * Every instance's clock: their indexes read each other's pins, read a write's keys a second time and try a
     * refusing database again when the test moves it, not after real seconds.
     */
    private final FakeClock clock = new FakeClock();

    @RegisterExtension
    final SiteFixture site = new SiteFixture();
    private TestDb db;
    private FaultyDataSource index;
    private PurgeServer cache;

    @BeforeEach
    void rows() {
        db = site.db();
        index = new FaultyDataSource(db.dataSource);
        cache = site.closing(new PurgeServer());
        db.execute(TestRows.ANN_AND_POSTS_1_AND_2);
    }

    private Roan instance(UnaryOperator<Roan.Builder> customise) {
        Roan roan = clock.build(customise.apply(Roan.builder().purgeUrl(cache.purgeUrl()).pageIndex(index.dataSource)
                .maxRetryInterval(RETRY).closeTimeout(Duration.ofMillis(200))));
        return site.closing(roan);
    }

    private Roan instance() {
        return instance(UnaryOperator.identity());
    }

    private DSLContext dsl(Roan roan) {
        return DSL.using(roan.attach(db.configuration()));
    }

    private static String postPage(Roan roan, DSLContext dsl, long id) {
        return roan.track("/posts/" + id, () -> dsl.selectFrom(POST).where(POST.ID.eq(id)).fetchOne().getTitle());
    }

    private List<String> purged(Roan roan) {
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        return cache.paths();
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as(what).isTrue();
            Thread.sleep(10);
        }
    }

    @Test
    void aPageRenderedThroughOneInstanceIsPurgedByAWriteCommittedThroughAnother() {
        Roan a = instance();
        postPage(a, dsl(a), 1);
        postPage(a, dsl(a), 2);
        // A writes its pages and pins to the table on its index's thread: B must start after that, else B's write
        // knows no pin yet and the page's second purge (PIN_NEW later, another test's subject) is what covers it.
        assertThat(a.flush(WAIT)).as("A's pages and pins are in the table").isTrue();
        Roan b = instance();
        DSLContext dslB = dsl(b);

        dslB.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();

        assertThat(purged(b)).containsExactly("/posts/1");
        assertThat(index.prepared("SELECT dependency, url").stream().filter(p -> p.sql().contains("dependency IN")))
                .as("the write's keys read on the index's thread, never the writer's").isNotEmpty()
                .allSatisfy(p -> assertThat(p.thread()).isEqualTo("roan-page-index"));
    }

    @Test
    void anInstanceRunningAlreadyLearnsThePinsOfAnothersRendersThroughTheTable() throws Exception {
        Roan a = instance();
        Roan b = instance();
        DSLContext dslB = dsl(b);
        int before = b.sharedIndex().knownPins();

        postPage(a, dsl(a), 1);
        assertThat(a.flush(WAIT)).as("A's pins are in the table").isTrue();
        clock.advance(DatabasePageIndex.PIN_REFRESH);
        await("B reads the pins A learnt", () -> b.sharedIndex().knownPins() > before);
        dslB.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute());

        assertThat(purged(b)).contains("/posts/1");
    }

    /**
     * B writes before it has read the pin A's render just learnt, so its write produces no key for it: A purges the
     * page again once every instance has had the time to read the pin.
     */
    @Test
    void aWriteThroughAnInstanceThatDidNotKnowAPinYetIsCoveredByASecondPurgeOfThePage() throws Exception {
        Roan b = instance();
        DSLContext dslB = dsl(b);
        Roan a = instance();
        // B does not read the pins meanwhile, however slow this machine: its periodic read of them fails.
        index.beforePrepare(sql -> {
            if (Thread.currentThread().getName().equals("roan-page-index") && sql.endsWith("WHERE page = ?")) {
                throw new IllegalStateException("the pins cannot be read (test)");
            }
        });

        postPage(a, dsl(a), 1);
        dslB.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();
        assertThat(purged(b)).as("B's write produced no key of the page").isEmpty();
        assertThat(purged(a)).as("nor did A's render purge it").isEmpty();

        clock.advance(DatabasePageIndex.PIN_NEW.minusNanos(1));
        assertThat(purged(a)).as("before every instance had the time to read the pin").isEmpty();
        clock.advance(Duration.ofNanos(1));

        assertThat(purged(a)).as("the page purged once the pin is known everywhere").containsExactly("/posts/1");
    }

    @Test
    void renderingAPageAgainThroughAnotherInstanceReplacesItsKeys() throws Exception {
        Roan a = instance();
        Roan b = instance();
        DSLContext dslA = dsl(a);
        DSLContext dslB = dsl(b);
        a.track("/latest", () -> dslA.selectFrom(POST).where(POST.ID.eq(1L)).fetch());
        b.track("/latest", () -> dslB.selectFrom(POST).where(POST.ID.eq(2L)).fetch());
        assertThat(a.flush(WAIT) && b.flush(WAIT)).as("their pages and pins are in the table before C starts")
                .isTrue();
        Roan c = instance();
        DSLContext dslC = dsl(c);

        dslC.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();
        assertThat(purged(c)).as("a row only the earlier render read").isEmpty();

        dslC.update(POST).set(POST.TITLE, "B2").where(POST.ID.eq(2L)).execute();
        assertThat(purged(c)).containsExactly("/latest");
    }

    @Test
    void theIndexDownWhileAWritesKeysExpandDelaysThePurgeUntilItIsUp() throws Exception {
        Roan a = instance();
        postPage(a, dsl(a), 1);
        assertThat(a.flush(WAIT)).as("A's pins are in the table before B starts").isTrue();
        Roan b = instance();
        DSLContext dslB = dsl(b);

        index.down(true);
        dslB.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();
        assertThat(b.flush(Duration.ofMillis(400))).as("flush while the index is down").isFalse();
        assertThat(cache.paths()).isEmpty();
        index.down(false);
        clock.advance(RETRY);

        assertThat(purged(b)).containsExactly("/posts/1");
    }

    @Test
    void durableModeKeepsAWritesKeysInTheOutboxUntilTheirPagesArePurged() throws Exception {
        Roan a = instance();
        postPage(a, dsl(a), 1);
        assertThat(a.flush(WAIT)).as("A's pins are in the table before B starts").isTrue();
        Roan b = instance(builder -> builder.outbox(db.dataSource));
        DSLContext dslB = dsl(b);

        index.down(true);
        dslB.transaction(tx -> tx.dsl().update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute());
        assertThat(b.flush(Duration.ofMillis(100))).as("the index cannot be read").isFalse();
        assertThat(outboxRows()).as("the write's keys, kept while the index cannot be read").isPositive();
        index.down(false);
        clock.advance(RETRY);

        await("the page purged and the outbox emptied", () -> cache.paths().contains("/posts/1")
                && outboxRows() == 0);
    }

    /**
     * The render/commit race across instances: A's render reads before B's write commits, and registers its page only
     * after both of B's readings of the index (B's second reading comes {@code repurgeAfter} after the first, shortened
     * here). Neither reading finds the page: A's own check of the log of committed keys, after its write, sees B's
     * keys, so A asks the cache not to store the response and purges the page.
     */
    @Test
    void aRenderOnOneInstanceThatOutlastsAnotherInstancesWriteAndBothItsReadingsIsPurgedByTheRender()
            throws Exception {
        Roan a = instance(builder -> builder.repurgeAfter(Duration.ofMillis(100)));
        Roan b = instance(builder -> builder.repurgeAfter(Duration.ofMillis(100)));
        DSLContext dslA = dsl(a);
        DSLContext dslB = dsl(b);
        // A pin B learns first, from another page, so that B's write produces the row key of /posts/1.
        int before = b.sharedIndex().knownPins();
        postPage(a, dslA, 2);
        assertThat(a.flush(WAIT)).as("A's pins are in the table").isTrue();
        clock.advance(DatabasePageIndex.PIN_REFRESH);
        await("B reads the pins A learnt", () -> b.sharedIndex().knownPins() > before);
        assertThat(purged(a)).isEmpty();
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch written = new CountDownLatch(1);
        Map<String, String> headers = new ConcurrentHashMap<>();
        ExecutorService renderer = Executors.newSingleThreadExecutor();
        try {
            Future<String> page = renderer.submit(() -> a.track("/posts/1", () -> {
                String title = dslA.selectFrom(POST).where(POST.ID.eq(1L)).fetchOne().getTitle();
                read.countDown();
                try {
                    assertThat(written.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("B's write").isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return title;
            }, headers::put));
            assertThat(read.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("A's read").isTrue();
            long readings = b.sharedIndex().reads();
            dslB.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();
            await("B's first reading of the index", () -> b.sharedIndex().reads() >= readings + 1);
            assertThat(b.flush(WAIT)).isTrue();
            clock.advance(Duration.ofMillis(100));
            await("B's second reading, repurgeAfter later", () -> b.sharedIndex().reads() >= readings + 2);
            assertThat(purged(b)).as("B finds no page: A has not registered it yet").isEmpty();
            written.countDown();

            assertThat(page.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("A");
        } finally {
            renderer.shutdownNow();
        }

        assertThat(headers).containsEntry("Cache-Control", "no-store");
        // Not flush(): the purge earns a re-purge repurgeAfter later, which waits for the clock.
        await("A purges the page after its render", () -> cache.paths().contains("/posts/1"));
    }

    private int outboxRows() {
        return db.onSeparateConnection(d -> d.fetchCount(DSL.table(DSL.name("ROAN_OUTBOX"))));
    }
}
