package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.roan.testkit.PurgeServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import dev.roan.testkit.PurgeServer.Answer;
import dev.roan.testkit.PurgeServer.Request;
import io.github.resilience4j.retry.RetryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One cache node: a protocol over the transport, and what it reports (events, log lines) on every path, against a
 * real local endpoint. No header value ever reaches a report.
 */
class CacheNodeTest {

    private static final RetryConfig FAST = CacheNode.withRoanPredicates(RetryConfig.custom()
            .maxAttempts(3).waitDuration(Duration.ofMillis(10)).build());
    private static final String SECRET = "s3cret-token";
    private static final List<Map.Entry<String, String>> TOKEN = List.of(Map.entry("X-Token", SECRET));

    private PurgeServer cache;
    private ScheduledExecutorService scheduler;
    private HttpClient client;
    private LogCapture log;
    private final List<PurgeEvent> events = new CopyOnWriteArrayList<>();
    private final Listeners listeners = new Listeners(List.of(events::add));

    @BeforeEach
    void setUp() {
        cache = new PurgeServer();
        scheduler = Executors.newSingleThreadScheduledExecutor();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        log = new LogCapture();
    }

    @AfterEach
    void tearDown() {
        log.close();
        scheduler.shutdownNow();
        cache.close();
    }

    private CacheNode node(String url, String method, List<Map.Entry<String, String>> headers, Duration timeout) {
        return new CacheNode(url, client, method, headers, timeout, FAST, scheduler, listeners);
    }

    private PurgeTarget.Outcome purge(CacheNode node, String path) throws Exception {
        return node.purge(path, System.nanoTime(), false).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private PurgeTarget.Outcome probe(CacheNode node, String path) throws Exception {
        return node.purge(path, System.nanoTime(), true).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Every line logged, at any level, with its parameters and thrown exception. */
    private List<String> logged() {
        return log.records().stream().map(CacheNodeTest::text).toList();
    }

    private static String text(LogRecord r) {
        return r.getMessage() + " " + (r.getParameters() == null ? "" : List.of(r.getParameters()))
                + (r.getThrown() == null ? "" : " " + r.getThrown());
    }

    private void assertNoSecretReported(String failure) {
        assertThat(events).as("%s: events", failure).isNotEmpty()
                .allSatisfy(e -> assertThat(e.toString() + e.reason()).doesNotContain(SECRET));
        assertThat(logged()).as("%s: log lines", failure).isNotEmpty()
                .allSatisfy(line -> assertThat(line).doesNotContain(SECRET));
    }

    @Test
    void aDeliveredPurgeIsReportedOnceWithItsStatus() throws Exception {
        assertThat(purge(node(cache.purgeUrl(), "GET", TOKEN, Duration.ofSeconds(5)), "/posts"))
                .as("outcome").isEqualTo(PurgeTarget.Outcome.DELIVERED);
        assertThat(events).as("events").singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(PurgeEvent.Outcome.DELIVERED);
            assertThat(e.status()).hasValue(200);
            assertThat(e.attempt()).isOne();
        });
        assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
    }

    @Test
    void aHeaderValueTheJdkRefusesFailsThePurgeNamingTheHeaderNeverItsValue() throws Exception {
        // The JDK refuses U+2603 when a request is built, and its message quotes the value.
        CacheNode node = node(cache.purgeUrl(), "GET", List.of(Map.entry("X-Token", SECRET + "\u2603")),
                Duration.ofSeconds(5));
        PurgeTarget.Outcome outcome = purge(node, "/posts");
        assertThat(cache.count()).as("requests sent").isZero();
        assertThat(outcome.delivered()).as("delivered").isFalse();
        assertThat(outcome.undeliverable()).as("dropped: the node stays down until the header is fixed").isFalse();
        assertThat(outcome.failure()).as("failure").contains("header X-Token").doesNotContain(SECRET);
        assertThat(events).as("events").singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(PurgeEvent.Outcome.FAILED);
            assertThat(e.status()).isEmpty();
            assertThat(e.reason()).get().asString().contains("header X-Token");
        });
        assertNoSecretReported("a refused header value");
    }

    @Test
    void aNodeEchoingTheHeaderValueInItsAnswerHasItsMessageWithheld() throws Exception {
        try (EchoServer echo = new EchoServer()) {
            purge(node(echo.purgeUrl(), "GET", TOKEN, Duration.ofSeconds(5)), "/posts");
        }
        assertThat(events).as("events").extracting(PurgeEvent::outcome).containsExactly(PurgeEvent.Outcome.RETRIED,
                PurgeEvent.Outcome.RETRIED, PurgeEvent.Outcome.FAILED);
        assertThat(events).as("reasons").allSatisfy(e -> assertThat(e.reason()).get().asString()
                .contains("its message is not shown"));
        assertThat(logged()).as("the retries logged at DEBUG").anySatisfy(l -> assertThat(l).startsWith("Retrying"));
        assertNoSecretReported("an answer echoing the header");
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 400, 401, 403, 405, 414, 429, 431, 500, 503})
    void failedAnswersReportNoHeaderValue(int status) throws Exception {
        cache.respond(path -> Answer.status(status));
        purge(node(cache.purgeUrl(), "GET", TOKEN, Duration.ofSeconds(5)), "/posts");
        assertThat(events).as("the last event").last().extracting(PurgeEvent::outcome)
                .isEqualTo(PurgeEvent.Outcome.FAILED);
        assertNoSecretReported("HTTP " + status);
    }

    @Test
    void failuresWithoutAnAnswerReportNoHeaderValue() throws Exception {
        String dead;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = "http://127.0.0.1:" + socket.getLocalPort() + "/purge";
        }
        purge(node(dead, "PURGE", TOKEN, Duration.ofSeconds(5)), "/posts");
        assertNoSecretReported("connection refused");

        events.clear();
        cache.respond(path -> new Answer(200, Duration.ofMillis(500)));
        purge(node(cache.purgeUrl(), "GET", TOKEN, Duration.ofMillis(50)), "/posts");
        assertThat(events).as("timeouts").last().satisfies(e -> assertThat(e.reason()).get().asString()
                .startsWith("HttpTimeoutException"));
        assertNoSecretReported("timeouts");
    }

    @Test
    void aPathTooLongIsToldSoInTheFailureAndTheEvent() throws Exception {
        cache.respond(path -> Answer.status(414));
        PurgeTarget.Outcome outcome = purge(node(cache.purgeUrl(), "GET", List.of(), Duration.ofSeconds(5)),
                "/posts/" + "x".repeat(9000));
        assertThat(events).as("events").singleElement().satisfies(e -> assertThat(e.reason()).get().asString()
                .contains("HTTP 414", "path is too long", "large_client_header_buffers"));
        assertThat(outcome.failure()).as("failure, for the dispatcher's warning").contains("path is too long")
                .doesNotContain("check that the cache has a purge location");
        assertThat(log.messages(Level.WARNING)).as("warnings: the dispatcher's, once per outage").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 403, 405, 429, 500, 503})
    void aFailureSomeoneCanFixKeepsThePurgeOwed(int status) throws Exception {
        cache.respond(path -> Answer.status(status));
        PurgeTarget.Outcome outcome = purge(node(cache.purgeUrl(), "GET", List.of(), Duration.ofSeconds(5)), "/a");
        assertThat(outcome.delivered()).as("delivered").isFalse();
        assertThat(outcome.undeliverable()).as("dropped").isFalse();
        assertThat(outcome.failure()).as("failure").startsWith("HTTP " + status);
        assertThat(outcome.retryAfterNanos()).as("retry after, none asked").isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204, 404, 412})
    void aConfirmedPurgeIsDelivered(int status) throws Exception {
        cache.respond(path -> Answer.status(status));
        assertThat(purge(node(cache.purgeUrl(), "GET", List.of(), Duration.ofSeconds(5)), "/a"))
                .isEqualTo(PurgeTarget.Outcome.DELIVERED);
    }

    @Test
    void aClosedPortKeepsThePurgeOwed() throws Exception {
        String dead;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = "http://127.0.0.1:" + socket.getLocalPort() + "/purge";
        }
        PurgeTarget.Outcome outcome = purge(node(dead, "GET", List.of(), Duration.ofSeconds(5)), "/a");
        assertThat(outcome.delivered()).as("delivered").isFalse();
        assertThat(outcome.undeliverable()).as("dropped").isFalse();
        assertThat(outcome.failure()).as("failure").startsWith("ConnectException");
    }

    @Test
    void aTooManyRequestsAnswerTellsItsRetryAfter() throws Exception {
        cache.respond(path -> Answer.status(429).retryAfter("7"));
        PurgeTarget.Outcome outcome = probe(node(cache.purgeUrl(), "GET", List.of(), Duration.ofSeconds(5)), "/a");
        assertThat(outcome.delivered()).as("delivered").isFalse();
        assertThat(outcome.retryAfterNanos()).as("retry after").isEqualTo(Duration.ofSeconds(7).toNanos());
    }

    @Test
    void aDroppedPurgeIsToldToListenersAsDroppedWithItsReason() {
        CacheNode node = node(cache.purgeUrl(), "GET", List.of(), Duration.ofSeconds(5));
        long requested = System.nanoTime() - Duration.ofSeconds(3).toNanos();
        node.dropped("/a", requested, "owed longer than giveUpAfter (2000 ms) while the node is down");

        assertThat(events).as("events").singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(PurgeEvent.Outcome.DROPPED);
            assertThat(e.node()).isEqualTo(cache.purgeUrl());
            assertThat(e.path()).isEqualTo("/a");
            assertThat(e.status()).as("no answer").isEmpty();
            assertThat(e.attempt()).as("no attempt").isZero();
            assertThat(e.latency()).as("since the write").isGreaterThanOrEqualTo(Duration.ofSeconds(3));
            assertThat(e.reason()).contains("owed longer than giveUpAfter (2000 ms) while the node is down");
        });
        assertThat(cache.count()).as("requests").isZero();
    }

    @Test
    void aProbeIsOneAttemptWithoutRetries() throws Exception {
        cache.respond(path -> Answer.status(503));
        PurgeTarget.Outcome outcome = probe(node(cache.purgeUrl(), "GET", List.of(), Duration.ofSeconds(5)), "/a");
        assertThat(outcome.delivered()).as("delivered").isFalse();
        assertThat(cache.count()).as("requests").isOne();
        assertThat(events).extracting(PurgeEvent::outcome).containsExactly(PurgeEvent.Outcome.FAILED);

        events.clear();
        cache.clear();
        cache.respond(path -> Answer.status(200));
        assertThat(probe(node(cache.purgeUrl(), "GET", List.of(), Duration.ofSeconds(5)), "/a"))
                .isEqualTo(PurgeTarget.Outcome.DELIVERED);
        assertThat(cache.count()).as("requests").isOne();
    }

    @Test
    void aPurgeWhoseTargetFormsNoRequestIsUndeliverable() throws Exception {
        CacheNode node = new CacheNode(cache.purgeUrl(), new XkeyPurge(cache.purgeUrl()) {
            @Override
            public HttpRequest.Builder request(HttpRequest.Builder base, String tag) {
                throw new IllegalArgumentException("no request for " + tag);
            }
        }, new HttpTransport(cache.purgeUrl(), client, TOKEN, Duration.ofSeconds(5), FAST, scheduler), listeners);
        PurgeTarget.Outcome outcome = purge(node, "bad");
        assertThat(outcome.undeliverable()).as("undeliverable").isTrue();
        assertThat(outcome.failure()).as("failure").contains("no request for bad");
        assertThat(cache.count()).as("requests").isZero();
    }

    /** A kind of cache Roan does not know yet, as a test writes it: Varnish xkey, whose target is a tag. */
    private static class XkeyPurge implements CacheProtocol {
        private final URI uri;

        XkeyPurge(String purgeUrl) {
            uri = URI.create(purgeUrl);
        }

        @Override
        public URI uri(String tag) {
            return uri;
        }

        @Override
        public HttpRequest.Builder request(HttpRequest.Builder base, String tag) {
            return base.uri(uri).header("xkey-purge", tag).method("PURGE", HttpRequest.BodyPublishers.noBody());
        }

        @Override
        public Verdict verdict(int status) {
            return status == 200 ? Verdict.done("") : Verdict.refused("HTTP " + status + " (no xkey VMOD?)");
        }

        @Override
        public String method() {
            return "PURGE xkey";
        }
    }

    @Test
    void aNewKindOfCacheIsOneProtocolClassOverTheSameTransport() throws Exception {
        HttpTransport transport = new HttpTransport(cache.purgeUrl(), client, TOKEN, Duration.ofSeconds(5), FAST,
                scheduler);
        CacheNode node = new CacheNode(cache.purgeUrl(), new XkeyPurge(cache.purgeUrl()), transport, listeners);
        cache.failNext(1);
        node.purge("post-1", System.nanoTime(), false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(cache.received()).as("requests, retried by the transport").hasSize(2).allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("PURGE");
            assertThat(r.header("xkey-purge")).isEqualTo("post-1");
            assertThat(r.header("X-Token")).as("the configured header").isEqualTo(SECRET);
        });
        assertThat(events).extracting(PurgeEvent::outcome, PurgeEvent::path).containsExactly(
                tuple(PurgeEvent.Outcome.RETRIED, "post-1"),
                tuple(PurgeEvent.Outcome.DELIVERED, "post-1"));
        cache.respond(path -> Answer.status(400));
        node.purge("post-2", System.nanoTime(), false).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(events).last().satisfies(e -> assertThat(e.reason()).hasValue("HTTP 400 (no xkey VMOD?)"));
        assertThat(cache.received()).extracting(Request::method).containsOnly("PURGE");
    }

    /**
     * A broken node that answers with the request's {@code X-Token} line as its status line, as an echo service
     * on the wrong port would: the JDK's error message then quotes the header value.
     */
    private static final class EchoServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread thread = new Thread(this::serve, "echo");

        EchoServer() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        String purgeUrl() {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/purge";
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    String request = readHead(s.getInputStream());
                    String echoed = request.lines().filter(l -> l.regionMatches(true, 0, "X-Token", 0, 7))
                            .findFirst().orElse("nothing");
                    OutputStream out = s.getOutputStream();
                    out.write((echoed + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (IOException e) {
                    // closed
                }
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                String s = head.toString(StandardCharsets.ISO_8859_1);
                if (s.endsWith("\r\n\r\n")) {
                    return s;
                }
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aNodeGoingDownEndsThePurgeWaitingOutItsBackoffAtOnce() throws Exception {
        cache.respond(path -> Answer.status(503));
        RetryConfig slow = CacheNode.withRoanPredicates(RetryConfig.custom().maxAttempts(3)
                .waitDuration(Duration.ofMinutes(1)).build());
        CacheNode node = new CacheNode(cache.purgeUrl(), client, "PURGE", List.of(), Duration.ofSeconds(5), slow,
                scheduler, listeners);
        var sending = node.purge("/posts", System.nanoTime(), false).toCompletableFuture();
        long deadline = System.nanoTime() + Waits.DELIVERY.toNanos();
        while (cache.count() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }

        node.nodeDown(true);

        PurgeTarget.Outcome outcome = sending.get(Waits.DELIVERY.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(outcome.delivered()).as("delivered").isFalse();
        assertThat(cache.count()).as("requests: the first attempt only").isOne();
    }
}
