package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.roan.jooq.HttpTransport.Attempt;
import dev.roan.testkit.PurgeServer.Answer;
import dev.roan.testkit.PurgeServer.Request;
import io.github.resilience4j.retry.RetryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The transport on its own, against a real local endpoint: what is retried, what goes with every attempt. */
class HttpTransportTest {

    private static final int ATTEMPTS = 3;
    private static final RetryConfig FAST = HttpTransport.withRoanPredicates(RetryConfig.custom()
            .maxAttempts(ATTEMPTS).waitDuration(Duration.ofMillis(10)).build());
    private static final String SECRET = "s3cret-token";

    private PurgeServer cache;
    private ScheduledExecutorService scheduler;
    private HttpClient client;
    private final List<Attempt> retried = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        cache = new PurgeServer();
        scheduler = Executors.newSingleThreadScheduledExecutor();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
        cache.close();
    }

    private HttpTransport transport(String url, Duration timeout, List<Map.Entry<String, String>> headers) {
        return new HttpTransport(url, client, headers, timeout, FAST, scheduler);
    }

    private HttpTransport transport() {
        return transport(cache.purgeUrl(), Duration.ofSeconds(5), List.of(Map.entry("X-Token", SECRET)));
    }

    private Attempt send(HttpTransport transport, String url) throws Exception {
        return transport.send(CacheNode.protocolFor(url, "GET").request(transport.newRequest(), "/posts").build(),
                retried::add).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String deadPurgeUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/purge";
        }
    }

    /** Retries a minute apart: a test that ends before the second attempt proves the wait was cut short. */
    private HttpTransport slowRetries() {
        return new HttpTransport(cache.purgeUrl(), client, List.of(), Duration.ofSeconds(5),
                HttpTransport.withRoanPredicates(RetryConfig.custom().maxAttempts(ATTEMPTS)
                        .waitDuration(Duration.ofMinutes(1)).build()), scheduler);
    }

    @Test
    void aPurgeWaitingOutItsBackoffIsHandedBackAtOnceWhenItsNodeGoesDown() throws Exception {
        cache.respond(path -> Answer.status(503));
        HttpTransport transport = slowRetries();
        var sending = transport.send(CacheNode.protocolFor(cache.purgeUrl(), "GET")
                .request(transport.newRequest(), "/posts").build(), retried::add).toCompletableFuture();
        long deadline = System.nanoTime() + Waits.DELIVERY.toNanos();
        while (cache.count() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(sending).as("waiting a minute for its second attempt").isNotDone();

        transport.nodeDown(true);
        assertThat(sending.get(10, TimeUnit.SECONDS)).as("the failed attempt, at once")
                .isEqualTo(new Attempt(1, 503, null));
        assertThat(cache.count()).as("no request of its own").isEqualTo(1);
        assertThat(retried).as("no retry").isEmpty();
    }

    @Test
    void aNodeUpAgainBeforeTheHandBackRunsLeavesItsPurgesInTheirRetry() throws Exception {
        cache.respond(path -> Answer.status(503));
        HttpTransport transport = slowRetries();
        var sending = transport.send(CacheNode.protocolFor(cache.purgeUrl(), "GET")
                .request(transport.newRequest(), "/posts").build(), retried::add).toCompletableFuture();
        long deadline = System.nanoTime() + Waits.DELIVERY.toNanos();
        while (cache.count() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        scheduler.execute(() -> {
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        transport.nodeDown(true);
        transport.nodeDown(false);
        busy.countDown();
        scheduler.submit(() -> { }).get(10, TimeUnit.SECONDS);

        assertThat(sending).as("up again: a purge handed back would fail and take the node down again").isNotDone();
    }

    @Test
    void whileItsNodeIsDownAFailedAttemptIsNotRetriedAndOnceUpItIsAgain() throws Exception {
        cache.respond(path -> Answer.status(503));
        HttpTransport transport = transport();
        transport.nodeDown(true);
        assertThat(send(transport, cache.purgeUrl())).as("one attempt").isEqualTo(new Attempt(1, 503, null));
        assertThat(cache.count()).isEqualTo(1);

        transport.nodeDown(false);
        assertThat(send(transport, cache.purgeUrl())).as("retried again").isEqualTo(new Attempt(ATTEMPTS, 503, null));
        assertThat(cache.count()).isEqualTo(1 + ATTEMPTS);
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504, 429})
    void serverErrorsAndTooManyRequestsAreRetriedUntilTheAttemptsRunOut(int status) throws Exception {
        cache.respond(path -> Answer.status(status));
        Attempt last = send(transport(), cache.purgeUrl());
        assertThat(cache.count()).as("requests for HTTP %d", status).isEqualTo(ATTEMPTS);
        assertThat(last).as("the last attempt").isEqualTo(new Attempt(ATTEMPTS, status, null));
        assertThat(retried).as("told before each retry, of the attempt that failed")
                .containsExactly(new Attempt(1, status, null), new Attempt(2, status, null));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204, 301, 304, 400, 401, 403, 404, 405, 410, 412, 414, 431})
    void successRedirectsAndClientErrorsAreNotRetried(int status) throws Exception {
        cache.respond(path -> Answer.status(status));
        Attempt last = send(transport(), cache.purgeUrl());
        assertThat(cache.count()).as("requests for HTTP %d", status).isOne();
        assertThat(last).as("the only attempt").isEqualTo(new Attempt(1, status, null));
        assertThat(retried).as("retries").isEmpty();
    }

    @Test
    void aRetryThatSucceedsEndsTheAttempts() throws Exception {
        cache.failNext(1);
        Attempt last = send(transport(), cache.purgeUrl());
        assertThat(last).as("503, then 200").isEqualTo(new Attempt(2, 200, null));
        assertThat(cache.count()).as("requests").isEqualTo(2);
    }

    @Test
    void ioErrorsAreRetried() throws Exception {
        String dead = deadPurgeUrl();
        Attempt last = send(transport(dead, Duration.ofSeconds(5), List.of()), dead);
        assertThat(last.number()).as("attempts").isEqualTo(ATTEMPTS);
        assertThat(last.status()).as("no answer, no status").isNull();
        assertThat(last.error()).as("error").isInstanceOf(ConnectException.class);
        assertThat(retried).as("retries").hasSize(ATTEMPTS - 1).allSatisfy(a -> assertThat(a.error()).isNotNull());
    }

    @Test
    void timeoutsAreRetried() throws Exception {
        cache.respond(path -> new Answer(200, Duration.ofMillis(600)));
        Attempt last = send(transport(cache.purgeUrl(), Duration.ofMillis(100), List.of()), cache.purgeUrl());
        assertThat(last.error()).as("error").isInstanceOf(HttpTimeoutException.class);
        assertThat(cache.count()).as("requests, each timed out").isEqualTo(ATTEMPTS);
    }

    @Test
    void blockingSendsWaitOnTheSendersAndEndAsAsynchronousOnesDo() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(2, runnable -> new Thread(() -> {
            threads.add(Thread.currentThread().getName());
            runnable.run();
        }, "test-sender"));
        try {
            HttpTransport blocking = new HttpTransport(cache.purgeUrl(), client, senders,
                    List.of(Map.entry("X-Token", SECRET)), Duration.ofMillis(300), FAST, scheduler);
            cache.failNext(1);
            assertThat(send(blocking, cache.purgeUrl())).as("503, then 200").isEqualTo(new Attempt(2, 200, null));
            assertThat(cache.received()).extracting(r -> r.header("X-Token")).containsOnly(SECRET);

            cache.respond(path -> new Answer(200, Duration.ofMillis(600)));
            assertThat(sendOnce(blocking, cache.purgeUrl()).error()).as("an answer later than the request timeout")
                    .isInstanceOf(HttpTimeoutException.class);

            String dead = deadPurgeUrl();
            HttpTransport refused = new HttpTransport(dead, client, senders, List.of(), Duration.ofSeconds(5), FAST,
                    scheduler);
            Attempt last = send(refused, dead);
            assertThat(last.error()).as("a closed port").isInstanceOf(ConnectException.class);
            assertThat(last.number()).as("attempts").isEqualTo(ATTEMPTS);
            assertThat(threads).as("threads the sends waited on").isNotEmpty().containsOnly("test-sender");
        } finally {
            senders.shutdownNow();
        }
    }

    @Test
    void theConfiguredHeadersGoWithEveryAttempt() throws Exception {
        cache.failNext(2);
        send(transport(), cache.purgeUrl());
        assertThat(cache.received()).as("requests").hasSize(3)
                .extracting(r -> r.header("X-Token")).containsOnly(SECRET);
        assertThat(cache.received()).extracting(Request::method).containsOnly("GET");
    }

    @Test
    void aHeaderValueTheJdkRefusesIsNamedButNeverShown() {
        HttpTransport transport = transport(cache.purgeUrl(), Duration.ofSeconds(5),
                List.of(Map.entry("X-Ok", "fine"), Map.entry("X-Token", SECRET + "\u2603")));
        assertThatThrownBy(transport::newRequest).as("every request")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header X-Token")
                .hasMessageNotContaining(SECRET)
                .hasNoCause();
    }

    @Test
    void aHeaderNameTheJdkRefusesIsNotShownEither() {
        HttpTransport transport = transport(cache.purgeUrl(), Duration.ofSeconds(5),
                List.of(Map.entry("X-Ok", "fine"), Map.entry("Authorization: Bearer " + SECRET, "x")));
        assertThatThrownBy(transport::newRequest).as("every request")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header number 2")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void anExceptionMessageHoldingAHeaderValueOrCredentialsIsWithheld() {
        HttpTransport transport = transport("http://user:pa%24%24word@cache/purge", Duration.ofSeconds(5),
                List.of(Map.entry("X-Token", " " + SECRET + " ")));
        assertThat(transport.describe(new IOException("Connection reset"))).as("a harmless message")
                .isEqualTo("IOException (Connection reset)");
        assertThat(transport.describe(new IOException("Invalid status line: \"X-Token: " + SECRET + "\"")))
                .as("a message echoing the header value, trimmed as sent").isEqualTo("IOException (its message is not"
                        + " shown: it holds a header value or credentials)");
        assertThat(transport.describe(new IOException("bad URL http://user:pa%24%24word@cache/purge/x")))
                .as("raw credentials").doesNotContain("pa%24%24word");
        assertThat(transport.describe(new IOException("user:pa$$word refused"))).as("decoded credentials")
                .doesNotContain("pa$$word");
        assertThat(transport.describe(new CompletionException(new ConnectException())))
                .as("unwrapped, no message").isEqualTo("ConnectException");
    }

    // ---- probes and Retry-After

    private Attempt sendOnce(HttpTransport transport, String url) throws Exception {
        return transport.sendOnce(CacheNode.protocolFor(url, "GET").request(transport.newRequest(), "/posts").build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void sendOnceMakesOneAttemptWhateverTheAnswer() throws Exception {
        cache.respond(path -> Answer.status(503));
        assertThat(sendOnce(transport(), cache.purgeUrl())).isEqualTo(new Attempt(1, 503, null));
        assertThat(cache.count()).as("requests").isOne();

        String dead = deadPurgeUrl();
        Attempt refused = sendOnce(transport(dead, Duration.ofSeconds(5), List.of()), dead);
        assertThat(refused.error()).as("a closed port").isInstanceOf(ConnectException.class);
        assertThat(refused.number()).isOne();
    }

    @Test
    void anAnswerThatAsksToWaitIsNotRetriedAtOnceAndKeepsItsWait() throws Exception {
        cache.respond(path -> Answer.status(429).retryAfter("3"));
        assertThat(send(transport(), cache.purgeUrl())).as("429 with Retry-After: 3")
                .isEqualTo(new Attempt(1, 429, null, TimeUnit.SECONDS.toNanos(3)));
        assertThat(cache.count()).as("requests: the wait is the dispatcher's").isOne();

        cache.clear();
        cache.respond(path -> Answer.status(503).retryAfter("0"));
        assertThat(send(transport(), cache.purgeUrl())).as("503 with Retry-After: 0, retried at once")
                .isEqualTo(new Attempt(ATTEMPTS, 503, null, 0));
    }

    @Test
    void retryAfterIsReadInSecondsOrAsAnHttpDate() {
        long now = java.time.Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
        assertThat(HttpTransport.retryAfterNanos("120", now)).as("seconds").isEqualTo(TimeUnit.SECONDS.toNanos(120));
        assertThat(HttpTransport.retryAfterNanos(" 0 ", now)).as("zero, spaced").isZero();
        assertThat(HttpTransport.retryAfterNanos("Tue, 01 Dec 2026 10:00:30 GMT", now)).as("a date")
                .isEqualTo(TimeUnit.SECONDS.toNanos(30));
        assertThat(HttpTransport.retryAfterNanos("Tue, 01 Dec 2026 09:00:00 GMT", now)).as("a date past").isZero();
        assertThat(HttpTransport.retryAfterNanos("99999999999", now)).as("too many seconds").isEqualTo(Long.MAX_VALUE);
        assertThat(HttpTransport.retryAfterNanos("999999999", now)).as("nine digits")
                .isEqualTo(TimeUnit.SECONDS.toNanos(999_999_999));
        assertThat(HttpTransport.retryAfterNanos("soon", now)).as("unreadable").isEqualTo(-1);
        assertThat(HttpTransport.retryAfterNanos("-5", now)).as("negative").isEqualTo(-1);
        assertThat(HttpTransport.retryAfterNanos("", now)).as("empty").isEqualTo(-1);
        assertThat(HttpTransport.retryAfterNanos(null, now)).as("absent").isEqualTo(-1);
    }
}
