package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;

import dev.roan.testkit.PurgeServer;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tracked pages behind a cache that purges by tag (Varnish xkey, stood in for by a local endpoint recording the
 * {@code xkey-purge} header), with two Roans on one H2 database as two instances of an application. Each instance
 * learns which columns reads pin from its own renders; without {@code pageIndex(dataSource)} a write on the instance
 * that never rendered the page produces no row key, and the page the other rendered stays stale in the cache.
 */
class TrackTagPinsTest {

    private static final Duration WAIT = Waits.DELIVERY;
    private static final Dependency POST_1 = Dependency.row("post", "id", "1");
    /** Both instances' clock: they read each other's pins and purge again after a new pin when the test moves it. */
    private final FakeClock clock = new FakeClock();

    @RegisterExtension
    final SiteFixture site = new SiteFixture();
    private TestDb db;
    /** Each instance's purges of the one cache, apart so that a test tells who purged what. */
    private PurgeServer cacheA;
    private PurgeServer cacheB;

    @BeforeEach
    void rows() {
        db = site.db();
        cacheA = site.closing(new PurgeServer());
        cacheB = site.closing(new PurgeServer());
        db.execute(TestRows.ANN_AND_POST_1);
    }

    private Roan instance(PurgeServer cache, boolean shared) {
        Roan.Builder builder = Roan.builder().xkeyPurgeUrls(cache.purgeUrl()).closeTimeout(Duration.ofMillis(200));
        Roan roan = clock.build(shared ? builder.pageIndex(db.dataSource) : builder);
        return site.closing(roan);
    }

    private DSLContext dsl(Roan roan) {
        return DSL.using(roan.attach(db.configuration()));
    }

    private static String postPage(Roan roan, DSLContext dsl, long id) {
        return roan.track("/posts/" + id, () -> dsl.selectFrom(POST).where(POST.ID.eq(id)).fetchOne().getTitle());
    }

    private static List<String> xkeys(PurgeServer cache) {
        return cache.received().stream().map(r -> r.header("xkey-purge")).filter(h -> h != null).toList();
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as(what).isTrue();
            Thread.sleep(10);
        }
    }

    @Test
    void aWriteOnAnInstanceThatNeverRenderedThePagePurgesItsRowKeyByTag() throws Exception {
        Roan a = instance(cacheA, true);
        Roan b = instance(cacheB, true);
        DSLContext dslB = dsl(b);

        postPage(a, dsl(a), 1);
        assertThat(a.flush(WAIT)).as("A's pin is in the table").isTrue();
        clock.advance(DatabasePageIndex.PIN_REFRESH);
        await("B reads the pin A learnt through the table",
                () -> b.sharedIndex() != null && b.sharedIndex().knownPins() > 0);
        dslB.update(POST).set(POST.TITLE, "A2").where(POST.ID.eq(1L)).execute();

        assertThat(b.flush(WAIT)).isTrue();
        assertThat(xkeys(cacheB)).as("B's write purges the row key of A's page").contains(POST_1.tag());
        int pages = db.onSeparateConnection(d -> d.fetchCount(DSL.table(DSL.name("ROAN_PAGE_INDEX")),
                DSL.field(DSL.name("URL"), String.class).like("/%")));
        assertThat(pages).as("the table holds pins only, no page").isZero();
    }

    /** B wrote before it knew the pin: A purges the page's new-pin keys again once every instance has read it. */
    @Test
    void aPageRenderedWithANewPinIsPurgedByItsKeysOnceMore() throws Exception {
        Roan a = instance(cacheA, true);

        postPage(a, dsl(a), 1);
        assertThat(a.flush(WAIT)).isTrue();
        assertThat(xkeys(cacheA)).as("not yet").doesNotContain(POST_1.tag());
        clock.advance(DatabasePageIndex.PIN_NEW);

        await("A purges post.id=1 again, " + DatabasePageIndex.PIN_NEW + " after the render",
                () -> xkeys(cacheA).contains(POST_1.tag()));
        cacheA.clear();
        postPage(a, dsl(a), 1);
        clock.advance(DatabasePageIndex.PIN_NEW);
        assertThat(a.flush(WAIT)).isTrue();
        assertThat(xkeys(cacheA)).as("a pin known for a while: no purge after a render").isEmpty();
    }

    @Test
    void withoutTheSharedTableTheFirstTrackedRenderSaysThatPinsArePerInstance() {
        Roan a = instance(cacheA, false);
        DSLContext dsl = dsl(a);
        try (LogCapture log = new LogCapture()) {
            postPage(a, dsl, 1);
            postPage(a, dsl, 1);

            assertThat(log.messages(Level.INFO).stream().filter(m -> m.contains("pageIndex(dataSource)")))
                    .as("once, saying what to set").singleElement().asString()
                    .contains("this instance's renders only");
        }
        Roan shared = instance(cacheB, true);
        DSLContext sharedDsl = dsl(shared);
        try (LogCapture log = new LogCapture()) {
            postPage(shared, sharedDsl, 1);

            assertThat(log.messages(Level.INFO)).noneMatch(m -> m.contains("pageIndex(dataSource)"));
        }
    }
}
