package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.roan.jooq.DispatcherTest.FakeTarget;
import dev.roan.jooq.DispatcherTest.FakeTicker;
import dev.roan.jooq.DispatcherTest.ManualExecutor;
import dev.roan.jooq.DispatcherTest.ManualScheduler;
import dev.roan.jooq.PurgeTarget.Outcome;
import org.junit.jupiter.api.Test;

/**
 * Several keys in one request, for caches that purge several at once (Varnish xkey, Fastly, Cloudflare): only what
 * already waits is batched, spread over the free requests; a batch's answer is every one of its keys' answer; and
 * coalescing, re-purges and the down state are those of single purges. On a fake clock, with a target the test
 * answers.
 */
class BatchedKeysTest {

    private static final Duration WINDOW = Duration.ofMillis(100);
    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final int LIMIT = 10;

    private final FakeTicker ticker = new FakeTicker(7_000_000_123L);
    private final ManualScheduler scheduler = new ManualScheduler(ticker);
    private final ManualExecutor executor = new ManualExecutor();
    private final FakeTarget node = new FakeTarget("xkey-node");
    private final Dispatcher dispatcher = dispatcher();

    private Dispatcher dispatcher() {
        node.keysPerRequest = LIMIT;
        return new Dispatcher(List.of(node), executor, scheduler, ticker, new Dispatcher.Policy(null, WINDOW,
                Duration.ofSeconds(30), null, Integer.MAX_VALUE, List.of()), () -> 1.0);
    }

    private static String key(int i) {
        return Dependency.row("owners", "id", String.valueOf(i)).target();
    }

    private static List<String> keys(int from, int to) {
        List<String> keys = new ArrayList<>();
        for (int i = from; i < to; i++) {
            keys.add(key(i));
        }
        return keys;
    }

    private void submit(List<String> targets) {
        dispatcher.submit(targets);
        executor.runAll();
    }

    private void completeAll() {
        while (node.inFlight() > 0) {
            node.complete(node.onTheWire().get(0));
            executor.runAll();
        }
    }

    @Test
    void aLoneKeyGoesAtOnceInARequestOfItsOwn() {
        submit(List.of(key(1)));
        assertThat(node.requests()).as("not held back to fill a batch").containsExactly(List.of(key(1)));

        submit(keys(2, 5));
        assertThat(node.requests()).as("a few keys and free requests: one key each").hasSize(4)
                .allSatisfy(request -> assertThat(request).hasSize(1));
    }

    @Test
    void aBacklogGoesInBatchesSpreadOverTheFreeRequestsAndEveryKeyOnce() {
        List<String> backlog = keys(0, 200);
        submit(backlog);

        List<List<String>> requests = node.requests();
        assertThat(requests).as("the in-flight limit counts requests").hasSize(NodeBacklog.MAX_IN_FLIGHT_PER_NODE);
        assertThat(requests).as("spread: 200 keys over 32 requests").allSatisfy(request ->
                assertThat(request).hasSizeBetween(6, 7));
        completeAll();
        assertThat(node.requests()).as("at most the cache's limit a request")
                .allSatisfy(request -> assertThat(request).hasSizeLessThanOrEqualTo(LIMIT));
        assertThat(node.sent()).as("every key once, in order").containsExactlyElementsOf(backlog);
        assertThat(dispatcher.flush(Duration.ZERO)).isTrue();
    }

    @Test
    void aBatchHandsTheNodeEachKeysOwnRequestedTime() {
        long first = ticker.now;
        submit(keys(0, 100));
        ticker.advance(SECOND);
        long later = ticker.now;
        submit(keys(100, 200));
        completeAll();

        assertThat(node.requests()).as("batched").anySatisfy(request -> assertThat(request).hasSizeGreaterThan(1));
        assertThat(node.requestedNanos(key(50))).as("a key owed since the first submit: the latency of its event runs"
                + " from there").isEqualTo(first);
        assertThat(node.requestedNanos(key(150))).as("a key owed since the second").isEqualTo(later);
    }

    @Test
    void pagePathsAreNeverBatchedAndAPathEndsTheBatchBeforeIt() {
        List<String> mixed = new ArrayList<>(keys(0, 100));
        mixed.add(50, "/owners/50");
        submit(mixed);
        completeAll();

        assertThat(node.requests()).filteredOn(request -> request.contains("/owners/50")).singleElement()
                .satisfies(request -> assertThat(request).containsExactly("/owners/50"));
        assertThat(node.sent()).containsExactlyElementsOf(mixed);
    }

    @Test
    void aFailedBatchKeepsEveryOneOfItsKeysOwedUntilDelivered() {
        List<String> backlog = keys(0, 100);
        submit(backlog);
        List<String> first = node.requests().get(0);
        assertThat(first).hasSizeGreaterThan(1);

        while (node.inFlight() > 0) {
            node.fail(node.onTheWire().get(0));
            executor.runAll();
        }
        assertThat(dispatcher.status()).singleElement().satisfies(s -> assertThat(s.isDown()).isTrue());
        assertThat(dispatcher.pending().get("xkey-node")).as("every key of every failed batch, still owed")
                .containsExactlyInAnyOrderElementsOf(backlog);

        scheduler.advance(SECOND);
        executor.runAll();
        assertThat(node.onTheWire()).as("one probe, one key").singleElement().isEqualTo(first.get(0));
        completeAll();
        assertThat(dispatcher.flush(Duration.ZERO)).as("all delivered once the node is back").isTrue();
        assertThat(node.sent()).as("each key sent again").filteredOn(first::contains).hasSize(2 * first.size());
    }

    @Test
    void aBatchThatFailsWhileOthersAreDeliveredIsSentAgainWhole() {
        submit(keys(0, 100));
        List<String> first = node.requests().get(0);
        node.fail(String.join("+", first));
        executor.runAll();
        completeAll();

        assertThat(dispatcher.flush(Duration.ZERO)).isTrue();
        assertThat(node.sent()).as("each key of the failed batch twice").filteredOn(first::contains)
                .hasSize(2 * first.size());
    }

    @Test
    void aKeyWrittenAgainWhileItsBatchIsOnTheWireIsPurgedOnceMoreAfterTheWindow() {
        submit(keys(0, 100));
        submit(List.of(key(5)));
        assertThat(node.sent()).as("not sent twice at once").filteredOn(key(5)::equals).hasSize(1);

        completeAll();
        assertThat(node.sent()).as("the follow-up waits for the window").filteredOn(key(5)::equals).hasSize(1);
        ticker.advance(WINDOW);
        scheduler.advance(Duration.ZERO);
        executor.runAll();
        completeAll();
        assertThat(node.sent()).as("the follow-up").filteredOn(key(5)::equals).hasSize(2);
        assertThat(dispatcher.flush(Duration.ZERO)).isTrue();
    }

    @Test
    void aBatchNoRequestCanCarrySendsEachOfItsKeysAlone() {
        submit(keys(0, 100));
        List<String> first = node.requests().get(0);
        node.answer(String.join("+", first), Outcome.undeliverable("the test's cache refuses this batch"));
        executor.runAll();

        assertThat(node.requests().subList(NodeBacklog.MAX_IN_FLIGHT_PER_NODE, node.requests().size()))
                .as("its keys again, one a request").isNotEmpty().allSatisfy(r -> assertThat(r).hasSize(1));
        completeAll();
        assertThat(dispatcher.flush(Duration.ZERO)).as("none dropped").isTrue();
        assertThat(dispatcher.droppedPurges()).isZero();
    }
}
