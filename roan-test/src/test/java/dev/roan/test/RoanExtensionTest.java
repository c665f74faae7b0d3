package dev.roan.test;

import static dev.roan.test.TestDb.ID;
import static dev.roan.test.TestDb.POST;
import static dev.roan.test.TestDb.TITLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import dev.roan.jooq.Roan;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs small test classes that use the extension through the JUnit launcher, as a user's build would, and looks at what
 * the run reports. The inner classes do not end in "Test", so that the build does not run them on their own.
 */
class RoanExtensionTest {

    /** What the inner classes saw, for the assertions after their run. */
    static final List<Roan> ROANS = new CopyOnWriteArrayList<>();
    static final List<String> URLS = new CopyOnWriteArrayList<>();

    /** The failures of a run of {@code testClass}, by test method name; empty when every test passed. */
    private static Map<String, String> run(Class<?> testClass) {
        ROANS.clear();
        URLS.clear();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass))
                .build(), listener);
        TestExecutionSummary summary = listener.getSummary();
        assertThat(summary.getTestsFoundCount()).as("tests found in " + testClass.getSimpleName()).isPositive();
        return summary.getFailures().stream().collect(Collectors.toMap(
                failure -> failure.getTestIdentifier().getDisplayName(),
                failure -> String.valueOf(failure.getException().getMessage())));
    }

    private static boolean listening(String purgeUrl) {
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(purgeUrl + "/probe"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static class PerTest {
        @RegisterExtension
        final RoanExtension roan = RoanExtension.withRules(TestDb::rules);

        @Test
        void aWriteIsPurged() throws Exception {
            ROANS.add(roan.roan());
            URLS.add(roan.cache().purgeUrl());
            try (TestDb db = new TestDb()) {
                db.dsl(roan.roan()).insertInto(POST).set(ID, 2).set(TITLE, "Hello").execute();
            }
            roan.cache().assertPurgedExactly("/posts");
        }

        @Test
        void parametersAreTheExtensionsRoanAndCache(Roan injected, RecordingCache cache) throws Exception {
            ROANS.add(injected);
            URLS.add(cache.purgeUrl());
            assertThat(injected).isSameAs(roan.roan());
            assertThat(cache).isSameAs(roan.cache());
            try (TestDb db = new TestDb()) {
                db.dsl(injected).deleteFrom(POST).execute();
            }
            cache.assertPurgedExactly("/posts");
        }

        @Test
        void aMissingPurgeFailsTheTest() throws Exception {
            try (TestDb db = new TestDb()) {
                db.dsl(roan.roan()).update(POST).set(TITLE, "New").execute();
            }
            roan.cache().assertPurgedExactly("/posts", "/posts/1");
        }

        @Test
        void anUnexpectedPurgeFailsTheTest() throws Exception {
            try (TestDb db = new TestDb()) {
                db.dsl(roan.roan()).update(POST).set(TITLE, "New").execute();
            }
            roan.cache().assertNothingPurged();
        }
    }

    @Test
    void anInstanceFieldGivesEachTestItsOwnRoanAndCacheAndClosesThem() {
        Map<String, String> failures = run(PerTest.class);

        assertThat(failures).as("failures").containsOnlyKeys("aMissingPurgeFailsTheTest()",
                "anUnexpectedPurgeFailsTheTest()");
        assertThat(failures.get("aMissingPurgeFailsTheTest()")).as("message of a missing purge")
                .startsWith("the cache at http://127.0.0.1:")
                .endsWith("was expected to be purged of exactly [/posts, /posts/1]; missing [/posts/1]; it received,"
                        + " in order: GET /posts");
        assertThat(failures.get("anUnexpectedPurgeFailsTheTest()")).as("message of an unexpected purge")
                .endsWith("was expected to receive no purge, but received 1, in order: GET /posts");
        assertThat(ROANS).as("a Roan per test").hasSize(2).doesNotHaveDuplicates()
                .allSatisfy(roan -> assertThat(roan.isClosed()).as("closed after its test").isTrue());
        assertThat(URLS).as("a cache per test").hasSize(2).doesNotHaveDuplicates()
                .noneMatch(RoanExtensionTest::listening);
    }

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerClass {
        @RegisterExtension
        static final RoanExtension roan = RoanExtension.withRules(TestDb::rules)
                .configure(builder -> builder.purgeMethod("PURGE"));

        @Test
        @Order(1)
        void aWriteWhosePurgeIsStillOnTheWayWhenTheTestEnds(RecordingCache cache) throws Exception {
            ROANS.add(roan.roan());
            URLS.add(cache.purgeUrl());
            // Delivered only after a retry, some 200 ms after this test ended.
            cache.failNext(1);
            try (TestDb db = new TestDb()) {
                db.dsl(roan.roan()).insertInto(POST).set(ID, 2).set(TITLE, "Hello").execute();
            }
        }

        @Test
        @Order(2)
        void theNextTestSeesOnlyItsOwnPurges(Roan injected, RecordingCache cache) {
            ROANS.add(injected);
            URLS.add(cache.purgeUrl());
            cache.assertNothingPurged();
            injected.purgeAfterCommit("/posts/2");
            cache.assertPurgedExactly("/posts/2");
            assertThat(cache.purges().get(0).method()).as("method set by configure").isEqualTo("PURGE");
        }
    }

    /** An instance field of a class with one instance for all its tests: the Roan lives as long as that instance. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class OneInstanceForTheClass {
        @RegisterExtension
        final RoanExtension roan = RoanExtension.withRules(TestDb::rules);

        @Test
        @Order(1)
        void first(Roan injected, RecordingCache cache) {
            ROANS.add(injected);
            injected.purgeAfterCommit("/posts/1");
            cache.assertPurgedExactly("/posts/1");
        }

        @Test
        @Order(2)
        void second(Roan injected, RecordingCache cache) {
            ROANS.add(injected);
            cache.assertNothingPurged();
        }
    }

    @Test
    void anInstanceFieldOfAPerClassTestInstanceSharesOneRoanLikeAStaticField() {
        // Review finding 4: the javadoc and README said an instance field always meant a Roan per test.
        assertThat(run(OneInstanceForTheClass.class)).as("failures").isEmpty();
        assertThat(ROANS).as("one Roan for the class").hasSize(2).containsOnly(ROANS.get(0));
        assertThat(ROANS.get(0).isClosed()).as("closed after the class").isTrue();
    }

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class LeftFailing {
        @RegisterExtension
        static final RoanExtension roan = RoanExtension.withRules(TestDb::rules).timeout(Duration.ofSeconds(3));

        @Test
        @Order(1)
        void endsWithTheCacheToldToFailItsNextPurges(Roan injected, RecordingCache cache) {
            cache.failNext(50);
            injected.purgeAfterCommit("/posts/1");
        }

        @Test
        @Order(2)
        void theNextTestStartsWithACacheThatAnswers(Roan injected, RecordingCache cache) {
            injected.purgeAfterCommit("/posts/2");
            cache.assertPurgedExactly("/posts/2");
        }
    }

    @Test
    void aStaticFieldForgetsTheFailuresAPreviousTestAskedFor() {
        // Review finding 7: failNext answers left over from one test failed the next one's purges.
        assertThat(run(LeftFailing.class)).as("failures").isEmpty();
    }

    @Test
    void aStaticFieldSharesOneRoanAcrossTheClassYetEachTestSeesOnlyItsOwnPurges() {
        assertThat(run(PerClass.class)).as("failures").isEmpty();
        assertThat(ROANS).as("one Roan for the class").hasSize(2).containsOnly(ROANS.get(0));
        assertThat(ROANS.get(0).isClosed()).as("closed after the class").isTrue();
        assertThat(URLS).as("one cache for the class").containsOnly(URLS.get(0)).noneMatch(RoanExtensionTest::listening);
    }

    static class TwoNodes {
        @RegisterExtension
        final RoanExtension roan = RoanExtension.withRules(TestDb::rules).nodes(2);

        @Test
        void eachNodeIsPurged() {
            assertThat(roan.roan().purgeUrls()).as("Roan's purge URLs")
                    .containsExactly(roan.cache(0).purgeUrl(), roan.cache(1).purgeUrl());
            roan.cache(1).failNext(1);
            roan.roan().purgeAfterCommit("/posts");
            roan.awaitDelivery();
            assertThat(roan.caches()).allSatisfy(cache -> assertThat(cache.paths()).containsExactly("/posts"));
            assertThatThrownBy(roan::cache).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("2 cache nodes").hasMessageContaining("cache(0) to cache(1)");
        }

        @Test
        void aCacheParameterIsRefusedWithSeveralNodes(RecordingCache cache) {
            throw new AssertionError("not reached: " + cache);
        }
    }

    @Test
    void severalNodesAreEachPurgedAndNamedByIndex() {
        Map<String, String> failures = run(TwoNodes.class);

        assertThat(failures).as("failures").containsOnlyKeys("aCacheParameterIsRefusedWithSeveralNodes(RecordingCache)");
        assertThat(failures.get("aCacheParameterIsRefusedWithSeveralNodes(RecordingCache)")).as("message")
                .contains("this RoanExtension has 2 cache nodes: name one with cache(0) to cache(1)");
    }

    static class TwoNodesOneDown {
        @RegisterExtension
        // Long enough for the first attempts to land on a loaded machine; the wait lasts all of it.
        final RoanExtension roan = RoanExtension.create().nodes(2).timeout(Duration.ofSeconds(2));

        @Test
        void waitingForANodeThatStaysDown() {
            roan.cache(1).answerWith(503);
            roan.roan().purgeAfterCommit("/posts");
            roan.awaitDelivery();
        }
    }

    @Test
    void aWaitThatTimesOutSaysWhatEachNodeReceived() {
        Map<String, String> failures = run(TwoNodesOneDown.class);

        assertThat(failures).as("failures").containsOnlyKeys("waitingForANodeThatStaysDown()");
        assertThat(failures.get("waitingForANodeThatStaysDown()")).as("message")
                .startsWith("Roan did not deliver every purge within 2 s (1 pending")
                .containsPattern("cache node-1 \\(http://127\\.0\\.0\\.1:\\d+/purge\\) it received, in order: GET"
                        + " /posts; cache node-2 \\(http://127\\.0\\.0\\.1:\\d+/purge\\) it received, in order:"
                        + " GET /posts \\(answered 503\\)");
    }

    @Test
    void settingsAreRefusedOnceStartedAndTheRoanOutsideATest() {
        RoanExtension extension = RoanExtension.create();
        assertThatThrownBy(extension::roan).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside a test");
        assertThatThrownBy(() -> extension.nodes(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from 1 to 16");
        assertThatThrownBy(() -> extension.timeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }
}
