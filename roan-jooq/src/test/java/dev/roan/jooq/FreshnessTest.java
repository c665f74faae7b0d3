package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.roan.testkit.Nginx;
import dev.roan.testkit.RawHttp;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The promise, end to end: nginx caches an application's pages forever; the application reads the database and
 * answers {@value #RENDER_MILLIS} ms later; readers hammer the pages through nginx while writers commit many small
 * transactions. After the writers stop and Roan has flushed (re-purges included), every cached page must equal a
 * fresh render.
 *
 * <p>Without {@code repurgeAfter} this fails: a read that fetched the old row just before a commit answers after
 * that commit's purge, and nginx stores the old page again, forever. Observed while writing this test (nginx 1.22,
 * 2 cores, another build running): the same hammering without re-purge left a stale page in 3 of 5 runs (one page
 * each time, e.g. "/page/2 cached v105, fresh v120"); with re-purge, none in every run.
 * {@link #withoutRepurgeASlowReadPutsAnOldPageBack} shows the race deterministically, one step at a time.
 */
class FreshnessTest {

    private static final int PAGES = 6;
    private static final int RENDER_MILLIS = 50;
    private static final int WRITERS = 2;
    private static final int COMMITS_PER_WRITER = 60;
    private static final int READERS = 6;

    @RegisterExtension
    final SiteFixture site = new SiteFixture();
    private TestDb db;
    private Nginx nginx;
    private final AtomicInteger version = new AtomicInteger();
    /** Counted down by every render once it has read the database. */
    private volatile CountDownLatch read = new CountDownLatch(1);
    /**
     * When set, a render answers only once this is counted down (by the purge of its page being delivered) instead of
     * after {@value #RENDER_MILLIS} ms: the race, in that order, whatever the machine's load.
     */
    private volatile CountDownLatch answerAfter;

    @BeforeEach
    void setUp() {
        db = site.db();
        db.onSeparateConnection(d -> {
            d.execute("insert into author (id, name) values (1, 'ann')");
            for (int i = 0; i < PAGES; i++) {
                d.insertInto(POST).set(POST.ID, (long) i).set(POST.AUTHOR_ID, 1L).set(POST.SLUG, "p" + i)
                        .set(POST.TITLE, "v0").execute();
            }
            return null;
        });
        site.app(this::render);
        nginx = site.nginx();
    }

    /** A page: the title of one post, read first, answered {@value #RENDER_MILLIS} ms later, as slow pages do. */
    private String render(String path) {
        String title = currentTitle(path);
        read.countDown();
        CountDownLatch after = answerAfter;
        if (after == null) {
            sleep(RENDER_MILLIS);
        } else {
            try {
                after.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return title;
    }

    private String currentTitle(String path) {
        long id = Long.parseLong(path.substring("/page/".length()));
        return db.onSeparateConnection(d -> d.select(POST.TITLE).from(POST).where(POST.ID.eq(id)).fetchOne(POST.TITLE));
    }

    private Roan roan(Duration repurgeAfter) {
        Roan.Builder builder = Roan.builder().purgeUrl(nginx.purgeUrl()).listener(event -> {
            CountDownLatch after = answerAfter;
            if (after != null && event.outcome() == PurgeEvent.Outcome.DELIVERED && event.path().equals("/page/0")) {
                after.countDown();
            }
        });
        if (repurgeAfter != null) {
            builder.repurgeAfter(repurgeAfter);
        }
        Roan roan = builder.build();
        for (int i = 0; i < PAGES; i++) {
            roan.purge("/page/" + i).onWrite(POST);
        }
        return roan;
    }

    @RepeatedTest(value = 3, name = "run {currentRepetition} of {totalRepetitions}")
    void withRepurgeEveryCachedPageIsFreshAfterTheWritersStop() throws Exception {
        try (Roan roan = roan(Duration.ofMillis(4 * RENDER_MILLIS))) {
            List<String> stale = hammer(roan);
            assertThat(stale).as("pages whose cached copy differs from a fresh render").isEmpty();
        }
    }

    @Test
    void withoutRepurgeASlowReadPutsAnOldPageBack() throws Exception {
        // The race, step by step: a read fetches the old title, the write commits and is purged, then the read
        // answers and nginx caches the old page.
        try (Roan roan = roan(null)) {
            assertThat(staleAfterOneRacingRead(roan)).as("the page cached after the purge").isEqualTo("v0");
        }
    }

    @Test
    void withRepurgeTheSameRacingReadIsRemoved() throws Exception {
        try (Roan roan = roan(Duration.ofMillis(4 * RENDER_MILLIS))) {
            assertThat(staleAfterOneRacingRead(roan)).as("the page cached after the re-purge").isEqualTo("v1");
        }
    }

    /** Returns what nginx serves for /page/0 after a read that raced a commit, once Roan has flushed. */
    private String staleAfterOneRacingRead(Roan roan) throws Exception {
        DSLContext dsl = DSL.using(roan.attach(db.configuration()));
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            read = new CountDownLatch(1);
            answerAfter = new CountDownLatch(1);
            var racing = reader.submit(() -> RawHttp.get(nginx.baseUrl(), "/page/0"));
            assertThat(read.await(5, TimeUnit.SECONDS)).as("the read fetched the old title").isTrue();
            dsl.transaction(c -> DSL.using(c).update(POST).set(POST.TITLE, "v1").where(POST.ID.eq(0L)).execute());
            assertThat(racing.get(5, TimeUnit.SECONDS).body()).as("the racing read's answer").isEqualTo("v0");
            assertThat(roan.flush(Duration.ofSeconds(10))).isTrue();
            return RawHttp.get(nginx.baseUrl(), "/page/0").body();
        } finally {
            answerAfter = null;
            reader.shutdownNow();
        }
    }

    /**
     * Readers hammer the pages through nginx while writers commit; then flush, stop the readers, and compare every
     * cached page with a fresh render. Returns the stale pages.
     */
    private List<String> hammer(Roan roan) throws Exception {
        DSLContext dsl = DSL.using(roan.attach(db.configuration()));
        AtomicBoolean reading = new AtomicBoolean(true);
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        try {
            for (int r = 0; r < READERS; r++) {
                readers.submit(() -> {
                    while (reading.get()) {
                        RawHttp.get(nginx.baseUrl(), "/page/" + ThreadLocalRandom.current().nextInt(PAGES));
                        sleep(ThreadLocalRandom.current().nextInt(RENDER_MILLIS));
                    }
                    return null;
                });
            }
            List<java.util.concurrent.Future<?>> writes = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                writes.add(writers.submit(() -> {
                    for (int n = 0; n < COMMITS_PER_WRITER; n++) {
                        long id = ThreadLocalRandom.current().nextInt(PAGES);
                        String title = "v" + version.incrementAndGet();
                        dsl.transaction(c -> DSL.using(c).update(POST).set(POST.TITLE, title).where(POST.ID.eq(id))
                                .execute());
                        sleep(ThreadLocalRandom.current().nextInt(2 * RENDER_MILLIS));
                    }
                    return null;
                }));
            }
            for (var write : writes) {
                write.get(2, TimeUnit.MINUTES);
            }
            assertThat(roan.flush(Duration.ofSeconds(30))).as("flush").isTrue();
            reading.set(false);
            readers.shutdown();
            assertThat(readers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            List<String> stale = new ArrayList<>();
            for (int i = 0; i < PAGES; i++) {
                String path = "/page/" + i;
                String cached = RawHttp.get(nginx.baseUrl(), path).body();
                String fresh = currentTitle(path);
                if (!cached.equals(fresh)) {
                    stale.add(path + " cached " + cached + ", fresh " + fresh);
                }
            }
            return stale;
        } finally {
            readers.shutdownNow();
            writers.shutdownNow();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
