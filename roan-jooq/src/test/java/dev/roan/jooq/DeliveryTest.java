package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.roan.testkit.PurgeServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.IntStream;

import dev.roan.testkit.PurgeServer.Answer;
import dev.roan.testkit.PurgeServer.Request;
import io.github.resilience4j.retry.RetryConfig;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Delivery: retries, coalescing, several nodes, slow and dead nodes, flush and close, against H2 and
 * real local HTTP endpoints. The writer's thread never waits for the network.
 */
class DeliveryTest {

    private static final int MAX_ATTEMPTS = 5;
    private static final RetryConfig FAST_RETRY = RetryConfig.custom()
            .maxAttempts(MAX_ATTEMPTS)
            .waitDuration(Duration.ofMillis(20))
            .build();
    private static final Duration WAIT = Waits.DELIVERY;

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private TestDb db;
    private PurgeServer cache;
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private final AtomicInteger posts = new AtomicInteger();
    /** The dispatcher's clock in tests that wait for a probe: advanced instead of sleeping through the backoff. */
    private final FakeClock clock = new FakeClock();

    @BeforeEach
    void setUp() throws Exception {
        db = fixture.db();
        cache = fixture.cache();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    /** A Roan with the rule "/posts" on POST, closed after the test without waiting long. */
    private Roan roan(Roan.Builder builder) {
        return withPostsRule(builder.closeTimeout(Duration.ofMillis(200)).build());
    }

    /** As {@link #roan(Roan.Builder)}, its probes due when the test moves {@link #clock}: see {@link #probe}. */
    private Roan roanOnTheClock(Roan.Builder builder) {
        return withPostsRule(clock.build(builder.closeTimeout(Duration.ofMillis(200))));
    }

    private Roan withPostsRule(Roan roan) {
        closeLast.add(0, roan);
        roan.purge("/posts").onWrite(POST);
        return roan;
    }

    private Roan fastRoan(String... purgeUrls) {
        return roan(Roan.builder().purgeUrls(purgeUrls).retryConfig(FAST_RETRY));
    }

    /**
     * Once the only node is down, moves the clock past the longest wait for its probe: the probe goes out now, over
     * real HTTP, instead of after up to a second of real time.
     */
    private void probe(Roan roan) {
        awaitTrue("the node down", () -> roan.cacheNodes().get(0).isDown());
        clock.advance(Roan.DEFAULT_MAX_RETRY_INTERVAL);
    }

    private DSLContext dsl(Roan roan) {
        return DSL.using(roan.attach(db.configuration()));
    }

    private void insertPost(DSLContext dsl) {
        int n = posts.incrementAndGet();
        dsl.insertInto(POST).set(POST.SLUG, "post-" + n).set(POST.TITLE, "Post " + n).execute();
    }

    private int postsInDb() {
        return db.onSeparateConnection(c -> c.fetchCount(POST));
    }

    private PurgeServer otherCache() throws IOException {
        PurgeServer other = new PurgeServer();
        closeLast.add(other);
        return other;
    }

    /** A URL on which nothing listens: connecting is refused. */
    private static String deadPurgeUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/purge";
        }
    }

    @Test
    void retriesUntilTheCacheAnswersSuccess() {
        AtomicInteger answered = new AtomicInteger();
        cache.respond(path -> Answer.status(answered.incrementAndGet() <= 2 ? 503 : 200));
        Roan roan = fastRoan(cache.purgeUrl());
        insertPost(dsl(roan));
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        assertThat(cache.count()).as("requests: 503, 503, 200").isEqualTo(3);
        assertThat(cache.paths()).as("paths").containsOnly("/posts");
    }

    /** Waits (in real time, up to {@link #WAIT}) until {@code condition} holds: for purges Roan keeps owed. */
    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for %s", what).isNegative();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** The only node is down and owes one purge, whose last failure says {@code failure}. */
    private static void assertDownOwingOne(Roan roan, String failure) {
        assertThat(roan.flush(Duration.ofMillis(50))).as("flush while the node fails").isFalse();
        assertThat(roan.cacheNodes()).singleElement().satisfies(node -> {
            assertThat(node.isDown()).as("down").isTrue();
            assertThat(node.owedPurges()).as("owed").isOne();
            assertThat(node.lastFailure()).as("last failure").startsWith(failure);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 429})
    void serverErrorsAndTooManyRequestsAreRetriedThenKeptOwedUntilTheNodeAnswers(int status) {
        cache.respond(path -> Answer.status(status));
        Roan roan = roanOnTheClock(Roan.builder().purgeUrl(cache.purgeUrl()).retryConfig(FAST_RETRY));
        insertPost(dsl(roan));
        awaitTrue("the attempts", () -> cache.count() >= MAX_ATTEMPTS);
        assertDownOwingOne(roan, "HTTP " + status);
        assertThat(cache.count()).as("requests for HTTP %d before the first probe", status).isEqualTo(MAX_ATTEMPTS);

        cache.respond(path -> Answer.status(200));
        probe(roan);
        assertThat(roan.flush(WAIT)).as("flush once the node answers").isTrue();
        assertThat(cache.count()).as("requests: the attempts, then one probe").isEqualTo(MAX_ATTEMPTS + 1);
        assertThat(roan.cacheNodes().get(0).isDown()).as("down").isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204, 404, 412})
    void successAndNotCachedAreNotRetried(int status) {
        cache.respond(path -> Answer.status(status));
        Roan roan = fastRoan(cache.purgeUrl());
        insertPost(dsl(roan));
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        assertThat(cache.count()).as("requests for HTTP %d", status).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 400, 403, 405})
    void clientErrorsAndRedirectsAreNotRetriedAtOnceButKeptOwedUntilFixed(int status) {
        cache.respond(path -> Answer.status(status));
        Roan roan = roanOnTheClock(Roan.builder().purgeUrl(cache.purgeUrl()).retryConfig(FAST_RETRY));
        insertPost(dsl(roan));
        awaitTrue("the purge", () -> cache.count() >= 1);
        assertDownOwingOne(roan, "HTTP " + status);
        assertThat(cache.count()).as("requests for HTTP %d", status).isEqualTo(1);

        cache.respond(path -> Answer.status(200));
        probe(roan);
        assertThat(roan.flush(WAIT)).as("flush once the node is fixed").isTrue();
        assertThat(cache.count()).as("requests: the refused one, then one probe").isEqualTo(2);
    }

    @Test
    void requestTimeoutIsRetried() {
        cache.respond(path -> new Answer(200, Duration.ofMillis(600)));
        Roan roan = roanOnTheClock(Roan.builder().purgeUrl(cache.purgeUrl())
                .requestTimeout(Duration.ofMillis(100))
                .retryConfig(RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(20)).build()));
        insertPost(dsl(roan));
        awaitTrue("the attempts", () -> cache.count() >= 3);
        assertThat(roan.flush(Duration.ofMillis(50))).as("flush while every attempt times out").isFalse();
        cache.respond(path -> Answer.status(200));
        probe(roan);
        assertThat(roan.flush(WAIT)).as("flush once the node answers in time").isTrue();
        assertThat(cache.count()).as("requests: three timed out, then probes").isGreaterThanOrEqualTo(4);
    }

    @Test
    void connectionRefusedIsRetriedThenKeptOwed() throws Exception {
        AtomicInteger waits = new AtomicInteger();
        RetryConfig counting = RetryConfig.custom()
                .maxAttempts(MAX_ATTEMPTS)
                .intervalFunction(attempt -> {
                    waits.incrementAndGet();
                    return 20L;
                })
                .build();
        Roan roan = roan(Roan.builder().purgeUrl(deadPurgeUrl()).retryConfig(counting));
        long start = System.nanoTime();
        insertPost(dsl(roan));
        awaitTrue("the node down", () -> roan.cacheNodes().get(0).isDown());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to go down").isLessThan(Duration.ofSeconds(5));
        assertThat(waits.get()).as("retries (attempts - 1)").isEqualTo(MAX_ATTEMPTS - 1);
        assertDownOwingOne(roan, "ConnectException");
        assertThat(postsInDb()).as("the write").isEqualTo(1);
    }

    @Test
    void everyNodeReceivesEveryPurge() throws Exception {
        PurgeServer second = otherCache();
        Roan roan = fastRoan(cache.purgeUrl(), second.purgeUrl());
        roan.purge("/authors").onWrite(AUTHOR);
        DSLContext dsl = dsl(roan);
        dsl.insertInto(AUTHOR).set(AUTHOR.ID, 1L).set(AUTHOR.NAME, "ann").execute();
        insertPost(dsl);
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        assertThat(cache.paths()).as("first node").containsExactlyInAnyOrder("/authors", "/posts");
        assertThat(second.paths()).as("second node").containsExactlyInAnyOrder("/authors", "/posts");
    }

    @Test
    void aStuckNodeDoesNotHoldBackTheOther() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        PurgeServer stuck = otherCache().respond(path -> {
            await(release);
            return Answer.status(200);
        });
        Roan roan = fastRoan(stuck.purgeUrl(), cache.purgeUrl());
        roan.purge("/authors").onWrite(AUTHOR);
        DSLContext dsl = dsl(roan);
        insertPost(dsl);
        dsl.insertInto(AUTHOR).set(AUTHOR.ID, 1L).set(AUTHOR.NAME, "ann").execute();
        assertThat(List.of(cache.take().path(), cache.take().path())).as("healthy node")
                .containsExactlyInAnyOrder("/posts", "/authors");
        assertThat(roan.flush(Duration.ofMillis(50))).as("flush while a node is stuck").isFalse();
        release.countDown();
        assertThat(roan.flush(WAIT)).as("flush after release").isTrue();
    }

    @Test
    void writersNeverWaitForDeadOrSlowCaches() throws Exception {
        cache.respond(path -> new Answer(200, Duration.ofSeconds(2)));
        // The default retry configuration: long backoffs on the dead node.
        Roan roan = roan(Roan.builder().purgeUrls(deadPurgeUrl(), cache.purgeUrl()));
        DSLContext dsl = dsl(roan);
        dsl.insertInto(AUTHOR).set(AUTHOR.ID, 1L).set(AUTHOR.NAME, "warm-up, no rule").execute();

        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            insertPost(dsl);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        // A writer waiting on the slow node would take 2 s per write.
        assertThat(elapsed).as("20 writes").isLessThan(Duration.ofMillis(1500));
        assertThat(postsInDb()).as("rows written").isEqualTo(20);
        List<String> slugs = db.onSeparateConnection(c -> c.select(POST.SLUG).from(POST).orderBy(POST.ID).fetch(POST.SLUG));
        assertThat(slugs).as("rows intact")
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 20).mapToObj(i -> "post-" + i).toList());
        assertThat(cache.take().path()).as("the slow node got the purge").isEqualTo("/posts");
    }

    @Test
    void roansThreadsAreDaemonsAndEndWhenItCloses() throws Exception {
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        Roan roan = fastRoan(cache.purgeUrl());
        // From a thread that is no daemon, as an application's are: a new thread inherits that from its maker.
        Thread writer = new Thread(() -> roan.purgeAfterCommit("/a"), "writer");
        writer.setDaemon(false);
        writer.start();
        writer.join();
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        List<Thread> started = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.getName().startsWith("roan-")).toList();

        assertThat(started).as("Roan's threads, which must not keep the JVM from exiting").isNotEmpty()
                .allSatisfy(t -> assertThat(t.isDaemon()).as("%s is a daemon", t.getName()).isTrue());
        roan.close();
        // Less than the idle timeout of the sender threads (10 s), which would end them without close.
        long joinMillis = Math.min(WAIT.toMillis(), 5_000);
        for (Thread thread : started) {
            thread.join(joinMillis);
            assertThat(thread.isAlive()).as("%s alive after close", thread.getName()).isFalse();
        }
    }

    @Test
    void closeDeliversWhatIsPending() throws Exception {
        cache.respond(path -> new Answer(200, Duration.ofMillis(300)));
        Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).retryConfig(FAST_RETRY).build();
        closeLast.add(0, roan);
        roan.purge("/a").onWrite(AUTHOR);
        roan.purge("/b").onWrite(POST);
        roan.purge("/c").onWrite(COMMENT);
        DSLContext dsl = dsl(roan);
        dsl.insertInto(AUTHOR).set(AUTHOR.ID, 1L).set(AUTHOR.NAME, "ann").execute();
        dsl.insertInto(POST).set(POST.ID, 1000L).set(POST.AUTHOR_ID, 1L).set(POST.SLUG, "one").set(POST.TITLE, "One")
                .execute();
        dsl.insertInto(COMMENT).set(COMMENT.POST_ID, 1000L).set(COMMENT.BODY, "hi").execute();

        roan.close();

        assertThat(cache.paths()).as("received by close()").containsExactlyInAnyOrder("/a", "/b", "/c");
        assertThat(roan.flush(Duration.ZERO)).as("nothing pending after close()").isTrue();
        assertThat(roan.toString()).as("state").contains("pending=0", "closed");

        assertThatCode(() -> insertPost(dsl)).as("write after close").doesNotThrowAnyException();
        assertThat(roan.flush(Duration.ofMillis(200))).as("nothing queued after close").isTrue();
        assertThat(cache.count()).as("requests after a write after close").isEqualTo(3);
        assertThat(postsInDb()).as("posts").isEqualTo(2);
    }

    @Test
    void writesDuringAPurgeInFlightCoalesceIntoOneMorePurge() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        cache.respond(path -> {
            if (requests.incrementAndGet() == 1) {
                await(release);
            }
            return Answer.status(200);
        }).onArrival(path -> postsInDb());
        Roan roan = fastRoan(cache.purgeUrl());
        DSLContext dsl = dsl(roan);

        insertPost(dsl);
        Request first = cache.take();
        assertThat(first.path()).as("first purge, now in flight").isEqualTo("/posts");
        for (int i = 0; i < 10; i++) {
            insertPost(dsl);
        }
        long lastCommit = System.nanoTime();
        release.countDown();

        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        List<Request> received = cache.received();
        assertThat(received).as("requests").extracting(Request::path).containsExactly("/posts", "/posts");
        assertThat(received.get(1).arrivedNanos()).as("second purge arrived after the last commit")
                .isGreaterThan(lastCommit);
        assertThat(received.get(1).observed()).as("rows visible when the second purge arrived").isEqualTo(11);
    }

    @Test
    void manyWritesToASlowNodeCoalesce() {
        cache.respond(path -> new Answer(200, Duration.ofMillis(50))).onArrival(path -> postsInDb());
        Roan roan = fastRoan(cache.purgeUrl());
        DSLContext dsl = dsl(roan);

        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            insertPost(dsl);
        }
        long lastCommit = System.nanoTime();
        long writingMillis = TimeUnit.NANOSECONDS.toMillis(lastCommit - start);

        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        List<Request> received = cache.received();
        // One purge of a path at a time, each taking 50 ms: at most one per 50 ms of writing, plus the last.
        assertThat(received).as("requests for 200 writes in %d ms", writingMillis)
                .hasSizeLessThanOrEqualTo(2 + (int) (writingMillis / 50))
                .hasSizeLessThan(50);
        Request last = received.get(received.size() - 1);
        assertThat(last.observed()).as("rows visible when the last purge arrived").isEqualTo(200);
        assertThat(last.arrivedNanos()).as("last purge arrived after the last write").isGreaterThan(lastCommit);
    }

    @Test
    void flushReportsTimeout() {
        cache.respond(path -> new Answer(200, Duration.ofMillis(300)));
        Roan roan = fastRoan(cache.purgeUrl());
        insertPost(dsl(roan));
        assertThat(roan.flush(Duration.ofMillis(50))).as("flush shorter than the cache's answer").isFalse();
        assertThat(roan.flush(WAIT)).as("flush longer than the cache's answer").isTrue();
        assertThat(cache.count()).as("requests").isEqualTo(1);
    }

    @Test
    void unreachableHostNeverReachesTheWriter() {
        Roan roan = fastRoan("http://roan-no-such-host.invalid/purge");
        DSLContext dsl = dsl(roan);
        assertThatCode(() -> {
            for (int i = 0; i < 5; i++) {
                insertPost(dsl);
            }
            dsl.transaction(tx -> insertPost(tx.dsl()));
        }).as("writes with an unknown cache host").doesNotThrowAnyException();
        assertThat(postsInDb()).as("rows written").isEqualTo(6);
        assertThat(roan.flush(Duration.ofMillis(50))).as("flush: the purge stays owed").isFalse();
        assertThat(roan.pendingPurges()).as("owed: /posts, once").isOne();
    }

    @Test
    void noLogLineEventNorStateShowsAHeaderValueWhateverFails() throws Exception {
        String secret = "Bearer s3cret-token";
        PurgeServer refusing = otherCache().respond(path -> Answer.status(403));
        PurgeServer slow = otherCache().respond(path -> new Answer(200, Duration.ofMillis(500)));
        cache.respond(path -> Answer.status(503));
        List<PurgeEvent> events = new CopyOnWriteArrayList<>();
        try (LogCapture log = new LogCapture()) {
            Roan roan = roan(Roan.builder().purgeUrls(cache.purgeUrl(), refusing.purgeUrl(), slow.purgeUrl(),
                            deadPurgeUrl())
                    .header("Authorization", secret).requestTimeout(Duration.ofMillis(100))
                    .retryConfig(RetryConfig.custom().maxAttempts(2).waitDuration(Duration.ofMillis(10)).build())
                    .listener(events::add));
            insertPost(dsl(roan));
            awaitTrue("a failure on each node", () -> events.stream()
                    .filter(e -> e.outcome() == PurgeEvent.Outcome.FAILED).map(PurgeEvent::node).distinct().count() == 4);
            assertThat(refusing.take().header("Authorization")).as("the header, sent").isEqualTo(secret);
            assertThat(roan.cacheNodes()).as("status").hasSize(4)
                    .allSatisfy(node -> assertThat(node.toString()).doesNotContain("s3cret"));
            assertThat(events).as("events").allSatisfy(e -> assertThat(e + " " + e.reason()).doesNotContain("s3cret"));
            assertThat(log.records()).as("log lines").isNotEmpty().allSatisfy(r -> assertThat(r.getMessage()
                    + r.getThrown()).doesNotContain("s3cret"));
            assertThat(roan.toString()).as("state").doesNotContain("s3cret");
        }
    }

    @Test
    void closeWarnsOfThePurgesStillPendingAfterItsTimeoutAndOfNoneOtherwise() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        closeLast.add(release::countDown);
        cache.respond(path -> {
            await(release);
            return Answer.status(200);
        });
        try (LogCapture log = new LogCapture()) {
            Roan stuck = Roan.builder().purgeUrl(cache.purgeUrl()).closeTimeout(Duration.ofMillis(100)).build();
            stuck.purge("/posts").onWrite(POST);
            insertPost(dsl(stuck));
            cache.take();
            stuck.close();
            Roan.builder().purgeUrl(cache.purgeUrl()).closeTimeout(Duration.ofMillis(100)).build().close();

            assertThat(log.messages(Level.WARNING)).as("warnings")
                    .filteredOn(m -> m.contains("Roan closed after waiting")).singleElement().asString()
                    .contains("Roan closed after waiting 100 ms with purges still pending")
                    .endsWith(cache.purgeUrl() + ": 1 path [/posts]");
        }
    }

    @Test
    void atExitProbesANodeThatIsDownAndDeliversWhatIsOwed() throws Exception {
        cache.respond(path -> Answer.status(503));
        Roan roan = roanOnTheClock(Roan.builder().purgeUrl(cache.purgeUrl()).retryConfig(FAST_RETRY));
        insertPost(dsl(roan));
        awaitTrue("the node down", () -> roan.cacheNodes().get(0).isDown());
        cache.respond(path -> Answer.status(200));
        try (LogCapture log = new LogCapture()) {
            // The clock does not move: only a probe the hook sends at once can deliver.
            roan.delivery().atExit();
            assertThat(roan.pendingPurges()).as("owed after the hook").isZero();
            roan.delivery().atExit();
            assertThat(log.messages(Level.INFO)).as("lines about the exit, the second time with nothing owed")
                    .filteredOn(m -> m.contains("exiting")).singleElement().asString()
                    .isEqualTo("The JVM is exiting without Roan.close(): delivered the 1 purges it still owed.");
        }
    }

    @Test
    void atExitNamesWhatTheCloseTimeoutCouldNotDeliverAndSaysNothingOnceClosed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        closeLast.add(release::countDown);
        cache.respond(path -> {
            await(release);
            return Answer.status(200);
        });
        Roan roan = roan(Roan.builder().purgeUrl(cache.purgeUrl()));
        insertPost(dsl(roan));
        cache.take();
        try (LogCapture log = new LogCapture()) {
            roan.delivery().atExit();
            roan.close();
            roan.delivery().atExit();
            assertThat(log.records()).as("lines about the exit, the second time after close")
                    .filteredOn(r -> r.getMessage() != null && r.getMessage().contains("exiting")).singleElement()
                    .satisfies(r -> assertThat(r.getLevel()).isEqualTo(Level.WARNING))
                    .extracting(LogRecord::getMessage).asString()
                    .contains("The JVM is exiting without Roan.close(): 1 purges still owed after waiting 200 ms"
                            + " (closeTimeout)")
                    .endsWith(cache.purgeUrl() + ": 1 path [/posts]");
        }
    }

    @Test
    void theSummaryOfWhatIsPendingCountsEachNodesPathsAndNamesTheFirstTen() {
        List<String> ten = IntStream.rangeClosed(1, 10).mapToObj(i -> "/p" + i).toList();
        List<String> eleven = IntStream.rangeClosed(1, 11).mapToObj(i -> "/p" + i).toList();
        Map<String, List<String>> pending = new LinkedHashMap<>();
        pending.put("http://a/purge", List.of("/x"));
        pending.put("http://b/purge", ten);
        pending.put("http://c/purge", eleven);
        assertThat(Delivery.summary(pending)).isEqualTo("http://a/purge: 1 path [/x]; "
                + "http://b/purge: 10 paths [/p1, /p2, /p3, /p4, /p5, /p6, /p7, /p8, /p9, /p10]; "
                + "http://c/purge: 11 paths [/p1, /p2, /p3, /p4, /p5, /p6, /p7, /p8, /p9, /p10, ...]");
        assertThat(Delivery.summary(Map.of())).as("nothing pending").isEmpty();
    }

    @Test
    void buildRegistersAShutdownHookAndCloseRemovesIt() {
        Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).build();
        closeLast.add(roan);
        Thread hook = roan.delivery().shutdownHook();
        assertThat(hook).as("the hook").isNotNull();
        assertThat(Runtime.getRuntime().removeShutdownHook(hook)).as("registered by build").isTrue();
        Runtime.getRuntime().addShutdownHook(hook);
        roan.close();
        assertThat(Runtime.getRuntime().removeShutdownHook(hook)).as("still registered after close").isFalse();
    }

    @Test
    void deliveryThreadsAreDaemonThreadsThatNeverKeepTheJvmAlive() {
        Roan roan = fastRoan(cache.purgeUrl());
        insertPost(dsl(roan));
        assertThat(roan.flush(WAIT)).as("flush").isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).as("delivery threads")
                .filteredOn(t -> t.getName().startsWith("roan-purge-")).isNotEmpty()
                .allSatisfy(t -> assertThat(t.isDaemon()).as("daemon: %s", t.getName()).isTrue());
    }

    private Delivery delivery() {
        SettingsBuilder settings = new SettingsBuilder();
        settings.purgeUrls(cache.purgeUrl());
        return new Delivery(settings.settings());
    }

    /** Minutes of idling would show it; the pools' settings say it at once. */
    @Test
    void idleThreadsGoAwayAndACancelledRetryLeavesTheTimersQueue() {
        Delivery delivery = delivery();
        try {
            assertThat(delivery.executor().allowsCoreThreadTimeOut()).as("idle delivery threads end").isTrue();
            // JDK 17 on one or two processors only: elsewhere sends are asynchronous, without threads of Roan's.
            boolean blockingSends = Delivery.asyncStartsThreads(new CompletableFuture<Void>().defaultExecutor());
            assertThat(delivery.senders() != null).as("sender threads of its own").isEqualTo(blockingSends);
            if (blockingSends) {
                assertThat(delivery.senders().allowsCoreThreadTimeOut()).as("idle sender threads end").isTrue();
            }
            ScheduledFuture<?> retry = delivery.scheduler().schedule(() -> { }, 1, TimeUnit.HOURS);
            retry.cancel(false);
            assertThat(delivery.scheduler().getQueue()).as("the timer's queue after the cancel").isEmpty();
        } finally {
            delivery.close();
        }
    }

    @Test
    void closeInterruptsWhatStillRunsOnTheDeliveryThreadsAfterAShortGrace() throws Exception {
        Delivery delivery = delivery();
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        delivery.executor().execute(() -> {
            running.countDown();
            try {
                Thread.sleep(10 * WAIT.toMillis());
                interrupted.complete(false);
            } catch (InterruptedException e) {
                interrupted.complete(true);
            }
        });
        await(running);

        delivery.close();

        assertThat(interrupted.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("interrupted by close").isTrue();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("latch not released within " + WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
