package dev.roan.test;

import static dev.roan.test.TestDb.ID;
import static dev.roan.test.TestDb.POST;
import static dev.roan.test.TestDb.TITLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import dev.roan.jooq.Roan;
import dev.roan.test.RecordingCache.Purge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordingCacheTest {

    private static final String TOKEN = "s3cret-token-value";

    private final RecordingCache cache = RecordingCache.start();

    @AfterEach
    void close() {
        cache.close();
    }

    private Roan roan(RecordingCache... caches) {
        String[] urls = java.util.Arrays.stream(caches).map(RecordingCache::purgeUrl).toArray(String[]::new);
        return Roan.builder().purgeUrls(urls).shutdownHook(false).header("X-Purge-Token", TOKEN).build();
    }

    @Test
    void recordsEachPurgeWithItsMethodPathQueryAndHeaders() {
        try (Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).purgeMethod("PURGE").shutdownHook(false)
                .header("X-Purge-Token", TOKEN).build()) {
            cache.deliveredBy(roan);
            roan.purgeAfterCommit("/owners?lastName=Davis");

            cache.assertPurgedExactly("/owners?lastName=Davis");
            Purge purge = cache.purges().get(0);
            assertThat(purge.method()).as("method").isEqualTo("PURGE");
            assertThat(purge.path()).as("path after the purge URL").isEqualTo("/owners?lastName=Davis");
            assertThat(purge.header("x-purge-token")).as("header, by name in any case").hasValue(TOKEN);
            assertThat(purge.status()).as("answer").isEqualTo(200);
            assertThat(purge).as("printed").hasToString("PURGE /owners?lastName=Davis");
            assertThat(cache.purgeUrl()).as("purge URL").matches("http://127\\.0\\.0\\.1:\\d+/purge");
        }
    }

    @Test
    void assertionsOfABoundCacheWaitUntilRoanDeliveredTheWritesPurges() throws Exception {
        try (TestDb db = new TestDb(); Roan roan = roan(cache)) {
            TestDb.rules(roan);
            cache.deliveredBy(roan);
            // The first attempt fails: the purge lands only after Roan's retry, some 200 ms later.
            cache.failNext(1);

            db.dsl(roan).insertInto(POST).set(ID, 2).set(TITLE, "Hello").execute();

            cache.assertPurgedExactly("/posts");
            assertThat(cache.purges()).as("the failed attempt, then the retry").extracting(Purge::status)
                    .containsExactly(503, 200);
            assertThat(cache.paths()).as("paths purged").containsExactly("/posts");
        }
    }

    @Test
    void anUnboundCacheWaitsForTheExpectedPathsToArrive() {
        try (Roan roan = roan(cache)) {
            cache.failNext(1);
            roan.purgeAfterCommit("/posts");

            cache.assertPurged("/posts");
            assertThat(cache.purges()).as("purges").hasSize(2);
        }
    }

    @Test
    void aMissingPurgeFailsAfterTheTimeoutNamingItAndWhatArrived() {
        cache.timeout(Duration.ofMillis(200));
        try (Roan roan = roan(cache)) {
            roan.purgeAfterCommit("/posts");
            cache.assertPurged("/posts");

            assertThatThrownBy(() -> cache.assertPurged("/posts", "/posts/2"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessage("the cache at " + cache.purgeUrl() + " was not purged of [/posts/2] (expected at least"
                            + " [/posts, /posts/2]) within 200 ms; it received, in order: GET /posts");
        }
    }

    @Test
    void exactlyNamesTheMissingAndTheUnexpectedPathsButNoHeaderValue() {
        try (Roan roan = roan(cache)) {
            cache.deliveredBy(roan);
            roan.purgeAfterCommit("/posts", "/posts/1");

            assertThatThrownBy(() -> cache.assertPurgedExactly("/posts", "/posts/2"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("was expected to be purged of exactly [/posts, /posts/2]; missing [/posts/2];"
                            + " not expected [/posts/1]; it received, in order: ")
                    .hasMessageContaining("GET /posts/1")
                    .hasMessageNotContaining(TOKEN);
            assertThatThrownBy(() -> cache.assertNotPurged("/posts/1", "/posts/3"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("was purged of [/posts/1], which was expected not to be")
                    .hasMessageNotContaining(TOKEN);
            assertThatThrownBy(cache::assertNothingPurged)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("was expected to receive no purge, but received 2, in order: ")
                    .hasMessageNotContaining(TOKEN);
            cache.assertNotPurged("/posts/3").assertPurged("/posts/1");
            assertThat(cache.purges().get(0).toString()).as("a purge, printed").doesNotContain(TOKEN);
            assertThat(cache.toString()).as("the cache, printed").doesNotContain(TOKEN);
        }
    }

    @Test
    void nothingPurgedPassesWhenRoanOwedNothing() throws Exception {
        try (TestDb db = new TestDb(); Roan roan = roan(cache)) {
            TestDb.rules(roan);
            cache.deliveredBy(roan);

            db.dsl(roan).selectFrom(POST).fetch();

            cache.assertNothingPurged();
        }
    }

    @Test
    void aBoundAssertionFailsWhenRoanCannotDeliverWithinTheTimeout() {
        // Long enough for the first attempt to land on a loaded machine; the wait lasts all of it.
        cache.timeout(Duration.ofSeconds(1)).answerWith(503);
        try (Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).shutdownHook(false)
                .closeTimeout(Duration.ofMillis(100)).build()) {
            cache.deliveredBy(roan);
            roan.purgeAfterCommit("/posts");

            assertThatThrownBy(() -> cache.assertPurged("/posts"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("Roan did not deliver every purge within 1 s (1 pending")
                    .hasMessageContaining("GET /posts (answered 503)")
                    .hasMessageContaining("failNext, answerWith");
        }
    }

    @Test
    void eachNodeRecordsItsOwnPurgesAndAnswers() {
        try (RecordingCache other = RecordingCache.start("eu-2"); Roan roan = roan(cache, other)) {
            cache.deliveredBy(roan);
            other.deliveredBy(roan).failNext(2, 500);

            roan.purgeAfterCommit("/posts");

            cache.assertPurgedExactly("/posts");
            other.assertPurgedExactly("/posts");
            assertThat(cache.purges()).as("first node's purges").extracting(Purge::status).containsExactly(200);
            assertThat(other.purges()).as("second node's purges").extracting(Purge::status)
                    .containsExactly(500, 500, 200);
            other.reset();
            assertThatThrownBy(() -> other.timeout(Duration.ofMillis(100)).assertPurged("/posts"))
                    .hasMessageStartingWith("cache eu-2 (" + other.purgeUrl() + ") was not purged of [/posts]");
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> RecordingCache.start(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RecordingCache.start()");
        assertThatThrownBy(() -> cache.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> cache.failNext(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> cache.answerWith(99)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from 200 to 599");
        assertThatThrownBy(cache::assertPurgedExactly).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("assertNothingPurged()");
        assertThatThrownBy(() -> cache.assertPurged("posts")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starting with /");
        assertThatThrownBy(cache::awaitDelivery).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("deliveredBy(roan)");
    }

    @Test
    void aPathThatRoanWouldSendPercentEncodedIsRefusedNamingTheEncodedForm() {
        // Review finding 1: such a path can never arrive (Roan sends /posts/hello%20roan), so assertNotPurged passed
        // whatever Roan did, and assertPurged waited out its whole timeout.
        try (Roan roan = roan(cache)) {
            cache.deliveredBy(roan);
            roan.purgeAfterCommit("/posts/hello roan", "/caf\u00e9");

            assertThatThrownBy(() -> cache.assertNotPurged("/posts/hello roan"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("percent-encoded")
                    .hasMessageContaining("\"/posts/hello%20roan\"");
            assertThatThrownBy(() -> cache.assertPurgedExactly("/posts/hello%20roan", "/caf\u00e9"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"/caf%C3%A9\"");
            cache.assertPurgedExactly("/posts/hello%20roan", "/caf%C3%A9");
        }
    }

    @Test
    void aTimeoutOfCenturiesWaitsInsteadOfOverflowing() {
        // Review finding 2: Duration.toNanos() overflows beyond 292 years.
        cache.timeout(Duration.ofDays(365L * 1000));
        try (Roan roan = roan(cache)) {
            roan.purgeAfterCommit("/posts");

            cache.assertPurged("/posts");
            cache.deliveredBy(roan).assertPurgedExactly("/posts");
        }
    }

    @Test
    void aClosedCacheSaysSoWhenAnAssertionWaitsForIt() {
        // Review finding 3: Roan cannot deliver to a closed cache; the failure blamed a slow machine instead.
        cache.timeout(Duration.ofMillis(300)).close();
        try (Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).shutdownHook(false)
                .closeTimeout(Duration.ofMillis(100)).build()) {
            cache.deliveredBy(roan);
            roan.purgeAfterCommit("/posts");

            assertThatThrownBy(() -> cache.assertPurged("/posts"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("the cache at " + cache.purgeUrl() + " (closed)")
                    .hasMessageContaining("assert before closing it");
            assertThat(cache.toString()).as("printed").contains("closed");
        }
    }
}
