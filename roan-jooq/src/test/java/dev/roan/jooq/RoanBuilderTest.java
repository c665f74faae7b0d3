package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.roan.testkit.PurgeServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.LogRecord;

import io.github.resilience4j.retry.RetryConfig;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad configuration fails when building or registering, with a message that says what to fix; good
 * configuration is normalised and shown without secrets.
 */
class RoanBuilderTest {

    private String savedProperty;

    @BeforeEach
    void saveProperty() {
        savedProperty = System.getProperty(Roan.PURGE_URL_PROPERTY);
    }

    @AfterEach
    void restoreProperty() {
        if (savedProperty == null) {
            System.clearProperty(Roan.PURGE_URL_PROPERTY);
        } else {
            System.setProperty(Roan.PURGE_URL_PROPERTY, savedProperty);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://x/purge", "localhost/purge", "/purge", "mailto:ops"})
    void purgeUrlMustBeAbsoluteHttpOrHttps(String url) {
        assertThatThrownBy(() -> Roan.builder().purgeUrl(url))
                .as("purge URL %s", url)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(url)
                .hasMessageContaining("absolute http or https URL")
                .hasMessageContaining("http://localhost/purge");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://exa mple/purge", "http://[::1/purge"})
    void malformedPurgeUrlIsRejected(String url) {
        assertThatThrownBy(() -> Roan.builder().purgeUrl(url))
                .as("purge URL %s", url)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed")
                .hasMessageContaining(url)
                .hasMessageContaining("absolute http or https URL");
    }

    @Test
    void controlCharactersOfAPurgeUrlAreShownEscaped() {
        assertThatThrownBy(() -> Roan.builder().purgeUrl("http://h/pur\r\nge"))
                .as("CR LF in purge URL")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed")
                .hasMessageContaining("http://h/pur\\r\\nge")
                .hasMessageNotContaining("\r")
                .hasMessageNotContaining("\n");
    }

    @Test
    void blankOrNullPurgeUrlIsRejected() {
        assertThatThrownBy(() -> Roan.builder().purgeUrl("  "))
                .as("blank")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank")
                .hasMessageContaining("http://localhost/purge");
        assertThatThrownBy(() -> Roan.builder().purgeUrl(null))
                .as("null")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null")
                .hasMessageContaining("http://localhost/purge");
        assertThatThrownBy(() -> Roan.builder().purgeUrls("http://a/purge", null))
                .as("null among several")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }

    @Test
    void purgeUrlWithoutHostIsRejected() {
        assertThatThrownBy(() -> Roan.builder().purgeUrl("http:///purge"))
                .as("no host")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no host")
                .hasMessageContaining("http://host[:port]/purge");
        assertThatThrownBy(() -> Roan.builder().purgeUrl("http://:8080/purge"))
                .as("a port without host")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no host");
    }

    @Test
    void purgeUrlWithCredentialsIsRejectedWithoutPrintingThem() {
        assertThatThrownBy(() -> Roan.builder().purgeUrl("http://user:secret@host/purge"))
                .as("user info")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credentials")
                .hasMessageContaining("remove them")
                .hasMessageContaining("host/purge")
                .hasMessageNotContaining("secret")
                .hasMessageNotContaining("user:");
        assertThatThrownBy(() -> Roan.builder().purgeUrl("http://user:secret@exa mple/purge"))
                .as("user info in a malformed URL")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed")
                .hasMessageNotContaining("secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://admin:pa@ssword@host/purge", "http://admin:pa/ssword@host/purge",
            "http://admin:pa?ssword@host/purge", "http://admin:pa@ssword@exa mple/purge"})
    void passwordWithReservedCharactersIsNeverPrinted(String url) {
        assertThatThrownBy(() -> Roan.builder().purgeUrl(url))
                .as("purge URL with credentials")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("***@")
                .hasMessageNotContaining("ssword")
                .hasMessageNotContaining("admin");
    }

    @Test
    void purgeUrlWithQueryOrFragmentIsRejected() {
        assertThatThrownBy(() -> Roan.builder().purgeUrl("http://h/purge?key=1"))
                .as("query")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query or fragment")
                .hasMessageContaining("only scheme, host, port and path");
        assertThatThrownBy(() -> Roan.builder().purgeUrl("http://h/purge#top"))
                .as("fragment")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query or fragment");
    }

    @Test
    void purgeUrlsNeedsAtLeastOne() {
        assertThatThrownBy(() -> Roan.builder().purgeUrls())
                .as("no argument")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one URL")
                .hasMessageContaining("http://localhost/purge");
        assertThatThrownBy(() -> Roan.builder().purgeUrls((String[]) null))
                .as("null array")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one URL");
    }

    @Test
    void rejectedPurgeUrlLeavesTheBuilderAsItWas() {
        Roan.Builder builder = Roan.builder().purgeUrl("http://cache/purge");
        assertThatThrownBy(() -> builder.purgeUrl("http://user:secret@host/purge"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(builder.toString()).as("builder after a rejected URL")
                .contains("http://cache/purge")
                .doesNotContain("secret");
    }

    @Test
    void trailingSlashIsIgnored() throws Exception {
        try (Roan roan = Roan.builder().purgeUrl("http://h/purge/").build()) {
            assertThat(roan.purgeUrls()).as("purge URLs").containsExactly("http://h/purge");
        }
        try (Roan roan = Roan.builder().purgeUrls("http://a/purge", "http://a/purge/", " http://b/purge ").build()) {
            assertThat(roan.purgeUrls()).as("duplicates collapse, blanks trimmed")
                    .containsExactly("http://a/purge", "http://b/purge");
        }
        try (TestDb db = new TestDb();
                PurgeServer cache = new PurgeServer();
                Roan roan = Roan.builder().purgeUrl(cache.purgeUrl() + "/").build()) {
            roan.purge("/posts").onWrite(POST);
            DSLContext dsl = DSL.using(roan.attach(db.configuration()));
            dsl.insertInto(POST).set(POST.SLUG, "s").set(POST.TITLE, "S").execute();
            assertThat(cache.take().path()).as("path received by the cache").isEqualTo("/posts");
        }
    }

    @Test
    void timeoutsMustBePositive() {
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-1), null}) {
            assertThatThrownBy(() -> Roan.builder().connectTimeout(bad))
                    .as("connectTimeout %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("connectTimeout must be positive");
            assertThatThrownBy(() -> Roan.builder().requestTimeout(bad))
                    .as("requestTimeout %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("requestTimeout must be positive");
        }
        for (Duration bad : new Duration[] {Duration.ofMillis(-1), null}) {
            assertThatThrownBy(() -> Roan.builder().closeTimeout(bad))
                    .as("closeTimeout %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("closeTimeout must be zero or positive");
        }
    }

    @Test
    void nullRetryConfigIsRejected() {
        assertThatThrownBy(() -> Roan.builder().retryConfig(null))
                .as("retryConfig null")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retryConfig is null")
                .hasMessageContaining("omit the call");
    }

    @Test
    void flushTimeoutMustBeZeroOrPositive() {
        try (Roan roan = Roan.builder().build()) {
            assertThatThrownBy(() -> roan.flush(null))
                    .as("flush(null)")
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeout must be zero or positive");
            assertThatThrownBy(() -> roan.flush(Duration.ofSeconds(-1)))
                    .as("flush(negative)")
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeout must be zero or positive");
            assertThat(roan.flush(Duration.ZERO)).as("flush(0) with nothing pending").isTrue();
        }
    }

    @Test
    void createReadsThePurgeUrlProperty() {
        System.setProperty(Roan.PURGE_URL_PROPERTY, "http://cache-a/purge/");
        try (Roan roan = Roan.create()) {
            assertThat(roan.purgeUrls()).as("one URL").containsExactly("http://cache-a/purge");
        }
        System.setProperty(Roan.PURGE_URL_PROPERTY, "http://cache-a/purge, http://cache-b:8080/purge,");
        try (Roan roan = Roan.create()) {
            assertThat(roan.purgeUrls()).as("comma-separated list")
                    .containsExactly("http://cache-a/purge", "http://cache-b:8080/purge");
        }
    }

    @Test
    void createWithoutPropertyOrEnvironmentUsesTheDefault() {
        assumeThat(System.getenv(Roan.PURGE_URL_ENV)).as("environment variable " + Roan.PURGE_URL_ENV).isNull();
        System.clearProperty(Roan.PURGE_URL_PROPERTY);
        try (Roan roan = Roan.create()) {
            assertThat(roan.purgeUrls()).as("default").containsExactly(Roan.DEFAULT_PURGE_URL);
        }
    }

    @Test
    void createNamesThePropertyOfABadValue() {
        System.setProperty(Roan.PURGE_URL_PROPERTY, "http://ok/purge,ftp://bad/purge");
        assertThatThrownBy(Roan::create)
                .as("bad value")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("system property roan.purge-url")
                .hasMessageContaining("ftp://bad/purge");
        System.setProperty(Roan.PURGE_URL_PROPERTY, "http://user:secret@cache/purge");
        assertThatThrownBy(Roan::create)
                .as("credentials in the property")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("system property roan.purge-url")
                .hasMessageNotContaining("secret");
        System.setProperty(Roan.PURGE_URL_PROPERTY, " , ");
        assertThatThrownBy(Roan::create)
                .as("only separators")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("system property roan.purge-url")
                .hasMessageContaining("at least one URL");
    }

    @Test
    void toStringShowsUrlsAndNoSecret() {
        RetryConfig retry = RetryConfig.custom().maxAttempts(2).build();
        Roan.Builder builder = Roan.builder().purgeUrls("http://a/purge", "https://b:8443/purge").retryConfig(retry);
        assertThat(builder.toString()).as("builder")
                .contains("http://a/purge", "https://b:8443/purge", "retryConfig=custom")
                .doesNotContain("secret");
        Roan roan = builder.build();
        roan.purge("/posts").onWrite(POST);
        assertThat(roan.toString()).as("roan")
                .contains("http://a/purge", "https://b:8443/purge", "/posts on POST (write)", "pending=0")
                .doesNotContain("closed");
        roan.close();
        assertThat(roan.toString()).as("roan after close").contains("closed");
    }

    @Test
    void attachNeedsAConfigurationAndAnOpenRoan() throws Exception {
        Roan roan = Roan.builder().build();
        assertThatThrownBy(() -> roan.attach(null))
                .as("attach(null)")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configuration is null")
                .hasMessageContaining("roan.attach(dsl.configuration())");
        roan.close();
        try (TestDb db = new TestDb()) {
            assertThatThrownBy(() -> roan.attach(db.configuration()))
                    .as("attach after close")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://h:0/purge", "http://h:65536/purge", "http://h:99999999999/purge", "http://h:-1/purge"})
    void portOutOfRangeOrZeroIsRefused(String url) {
        assertThatThrownBy(() -> Roan.builder().purgeUrl(url))
                .as("purge URL %s", url)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port")
                .hasMessageContaining("from 1 to 65535")
                .hasMessageNotContaining("no host");
        assertThat(Roan.builder().purgeUrl("http://h:65535/purge").toString()).as("the highest port")
                .contains("http://h:65535/purge");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://cache_1/purge", "http://cache_1:8080/purge", "https://edge_node.example/purge"})
    void hostWithUnderscoreIsRefusedSayingWhy(String url) {
        assertThatThrownBy(() -> Roan.builder().purgeUrl(url))
                .as("purge URL %s", url)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'_'")
                .hasMessageContaining("java.net.URI")
                .hasMessageContaining("IP address")
                .hasMessageNotContaining("no host");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u2603", "caf\u00e9", "tok\u0085en", "\u00a0token"})
    void headerValuesOutsideAsciiAreRefusedWithoutShowingThem(String value) {
        assertThatThrownBy(() -> Roan.builder().header("X-Token", value))
                .as("header value %s", value)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X-Token")
                .hasMessageContaining("non-ASCII")
                .hasMessageNotContaining(value)
                .hasNoCause();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Transfer-Encoding", "Content-Length", "Connection", "Expect", "Upgrade", "Keep-Alive",
            "TE", "te", "Trailer", "Proxy-Authorization", "Proxy-Connection"})
    void headersThatBreakOrVanishFromRequestsAreRefused(String name) {
        assertThatThrownBy(() -> Roan.builder().header(name, "v4lue"))
                .as("header %s", name)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header " + name + " cannot be set on purges")
                .hasMessageContaining("Remove it")
                .hasMessageNotContaining("v4lue");
    }

    @Test
    void hostHeaderKeepsItsJvmFlagHint() {
        assumeThat(System.getProperty("jdk.httpclient.allowRestrictedHeaders")).as("JVM flag").isNull();
        assertThatThrownBy(() -> Roan.builder().header("Host", "public.example"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-Djdk.httpclient.allowRestrictedHeaders=host")
                .hasMessageContaining("Several cache nodes")
                .hasMessageNotContaining("public.example")
                .hasNoCause();
    }

    @Test
    void headerNameTypedAsNameAndValueIsNotEchoedPastTheColon() {
        assertThatThrownBy(() -> Roan.builder().header("Authorization: Bearer abc123", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header name must be a token; did you pass 'Name: value' as the name?")
                .hasMessageContaining("\"Authorization\"")
                .hasMessageNotContaining("Bearer")
                .hasMessageNotContaining("abc123");
        assertThatThrownBy(() -> Roan.builder().header("Bearer abc123", "x"))
                .as("a value typed as the name, without a colon")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header name must be a token")
                .hasMessageNotContaining("abc123");
    }

    @ParameterizedTest
    @CsvSource({"get,GET", "purge,PURGE", "Purge,PURGE", "BAN,BAN"})
    void purgeMethodIsSentInUpperCase(String given, String sent) throws Exception {
        try (PurgeServer cache = new PurgeServer();
                Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).purgeMethod(given).build();
                TestDb db = new TestDb()) {
            assertThat(roan.toString()).as("toString").contains("purgeMethod=" + sent);
            roan.purge("/posts").onWrite(POST);
            DSL.using(roan.attach(db.configuration())).insertInto(POST).set(POST.SLUG, "s").set(POST.TITLE, "S")
                    .execute();
            assertThat(cache.take().method()).as("method received for %s", given).isEqualTo(sent);
        }
    }

    @Test
    void defaultRetryConfigIsPublicAndOtherNumbersKeepItsShape() {
        RetryConfig defaults = Roan.defaultRetryConfig();
        assertThat(defaults.getMaxAttempts()).isEqualTo(Roan.DEFAULT_MAX_ATTEMPTS);
        assertThat(defaults.getIntervalBiFunction().apply(1, null)).as("first wait, with 50%% jitter")
                .isBetween(Roan.DEFAULT_INITIAL_BACKOFF.toMillis() / 2, Roan.DEFAULT_INITIAL_BACKOFF.toMillis() * 3 / 2);
        assertThat(defaults.getIntervalBiFunction().apply(20, null)).as("capped")
                .isLessThanOrEqualTo(Roan.DEFAULT_MAX_BACKOFF.toMillis());
        RetryConfig slow = Roan.retryConfig(2, Duration.ofSeconds(30));
        assertThat(slow.getMaxAttempts()).isEqualTo(2);
        assertThat(slow.getIntervalBiFunction().apply(1, null)).as("a first wait above the cap is kept")
                .isGreaterThanOrEqualTo(15_000L);
        assertThatThrownBy(() -> Roan.retryConfig(0, Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts must be at least 1");
        assertThatThrownBy(() -> Roan.retryConfig(3, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialBackoff must be positive");
    }

    @Test
    void aBackoffTooLongToCountIsRefusedNotOverflowed() {
        assertThatThrownBy(() -> Roan.retryConfig(2, Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialBackoff")
                .hasMessageContaining("too long");
    }

    @Test
    void maskUrlHidesOnlyCredentials() {
        assertThat(Roan.maskUrl("http://c/purge/@x")).as("an '@' in the path of a valid URL")
                .isEqualTo("http://c/purge/@x");
        assertThat(Roan.maskUrl("http://c:8080/purge")).isEqualTo("http://c:8080/purge");
        assertThat(Roan.maskUrl("http://u:pw@c/purge/@x")).as("real user info").isEqualTo("http://***@c/purge/@x");
        assertThat(Roan.maskUrl("http:/u:pw@c/purge")).isEqualTo("***@c/purge");
        assertThat(Roan.maskUrl("http://user:pw42")).as("the part before a comma that cut a password")
                .isEqualTo("http://user:***");
        assertThat(Roan.maskUrl("http://user:pw:c/purge")).as("'@' typed as ':'").isEqualTo("http://user:***/purge");
        assertThat(Roan.maskUrl(null)).isEqualTo("null");
    }

    /** Secret-bearing inputs, each with the parts of it that must never be shown. */
    private static final List<Object[]> SECRET_URLS = List.of(
            new Object[] {"http:/user:hunter2@h/purge", "hunter2"},
            new Object[] {"http//user:hunter2@h/purge", "hunter2"},
            new Object[] {"user:hunter2@h/purge", "hunter2"},
            new Object[] {"http:user:hunter2@h/purge", "hunter2"},
            new Object[] {"http://user:hunter2@h/purge", "hunter2"},
            new Object[] {"http://user:hun@ter2@h/purge", "hun@ter2"},
            new Object[] {"http://user:hun/ter2@h/purge", "hun/ter2"},
            new Object[] {"http://user:hun?ter2@h/purge", "ter2"},
            new Object[] {"http://user:hunter2@ex ample/purge", "hunter2"},
            new Object[] {"http://user:hunter2@cache_1/purge", "hunter2"},
            new Object[] {"http://user:hunter2@h:0/purge", "hunter2"},
            new Object[] {" https://hunter2@h/purge#x", "hunter2"},
            // A comma in the password: create() and Spring split the list there, leaving "http://user:pw42".
            new Object[] {"http://user:pw42,ter2@h/purge", "pw42"},
            // An '@' typed as ':'.
            new Object[] {"http://user:pw42:h/purge", "pw42"});

    @Test
    void secretsAppearInNoMessageLogLineOrToString() throws Exception {
        List<String> shown = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        try (LogCapture log = new LogCapture()) {
            for (Object[] input : SECRET_URLS) {
                String url = (String) input[0];
                secrets.add((String) input[1]);
                Roan.Builder builder = Roan.builder();
                shown.add(refused(() -> builder.purgeUrl(url)));
                shown.add(refused(() -> builder.purgeUrls("http://ok/purge", url)));
                shown.add(builder.toString());
                System.setProperty(Roan.PURGE_URL_PROPERTY, url);
                shown.add(refused(Roan::create));
            }
            System.clearProperty(Roan.PURGE_URL_PROPERTY);
            secrets.add("hunter2");
            List<Consumer<Roan.Builder>> headers = List.of(
                    b -> b.header("Authorization: Bearer hunter2", "x"),
                    b -> b.header("Authorization:hunter2", "x"),
                    b -> b.header("X-Token", "hunter2\u2603"),
                    b -> b.header("X-Token", "caf\u00e9 hunter2"),
                    b -> b.header("X-Token", "hunter2\r\n"),
                    b -> b.header("X-Token", "hunter2\u0085"),
                    b -> b.header("Connection", "hunter2"),
                    b -> b.header("Proxy-Authorization", "Basic hunter2"),
                    b -> b.header("Host", "hunter2"));
            for (Consumer<Roan.Builder> header : headers) {
                Roan.Builder builder = Roan.builder();
                shown.add(refused(() -> header.accept(builder)));
                shown.add(builder.toString());
            }
            try (PurgeServer cache = new PurgeServer()) {
                // Refused once (the node goes down, which is logged), then delivered by the probe (logged too).
                AtomicInteger answers = new AtomicInteger();
                cache.respond(path -> PurgeServer.Answer.status(answers.incrementAndGet() == 1 ? 403 : 200));
                Roan.Builder builder = Roan.builder().purgeUrl(cache.purgeUrl()).header("Authorization", "Bearer hunter2");
                shown.add(builder.toString());
                // The probe waits for this clock, moved once the node is down, instead of a second of real time.
                FakeClock clock = new FakeClock();
                try (Roan roan = clock.build(builder); TestDb db = new TestDb()) {
                    roan.purge("/posts").onWrite(POST);
                    DSL.using(roan.attach(db.configuration())).insertInto(POST).set(POST.SLUG, "s")
                            .set(POST.TITLE, "S").execute();
                    long deadline = System.nanoTime() + Waits.DELIVERY.toNanos();
                    while (!roan.cacheNodes().get(0).isDown()) {
                        assertThat(System.nanoTime() - deadline).as("waiting for the node to go down").isNegative();
                        Thread.sleep(5);
                    }
                    clock.advance(Roan.DEFAULT_MAX_RETRY_INTERVAL);
                    assertThat(roan.flush(Waits.DELIVERY)).isTrue();
                    assertThat(cache.take().header("Authorization")).as("sent").isEqualTo("Bearer hunter2");
                    shown.add(roan.cacheNodes().toString());
                    shown.add(roan.toString());
                }
            }
            for (LogRecord record : log.records()) {
                shown.add(record.getMessage());
                if (record.getThrown() != null) {
                    shown.add(stackTrace(record.getThrown()));
                }
            }
        }
        assertThat(shown).as("messages, toString() and log lines").isNotEmpty();
        for (String text : shown) {
            for (String secret : secrets) {
                assertThat(text).as("shown text").doesNotContain(secret);
            }
        }
    }

    /** The whole of what a refused call can show: every message, cause and stack trace. */
    private static String refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable[] thrown = new Throwable[1];
        assertThatThrownBy(() -> {
            try {
                call.call();
            } catch (Throwable t) {
                thrown[0] = t;
                throw t;
            }
        }).isInstanceOf(IllegalArgumentException.class);
        return stackTrace(thrown[0]);
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void everyOptionSetOnTheBuilderIsWhatRoanRunsWith() {
        Roan.Builder builder = Roan.builder();
        assertThat(builder.connectTimeout(Duration.ofMillis(123))).isSameAs(builder);
        assertThat(builder.requestTimeout(Duration.ofMillis(456))).isSameAs(builder);
        assertThat(builder.giveUpAfter(Duration.ofMinutes(7))).isSameAs(builder);
        assertThat(builder.maxRetryInterval(Duration.ofSeconds(9))).isSameAs(builder);
        assertThat(builder.onOverflowPurge("/", "/feed")).isSameAs(builder);
        assertThat(builder.outboxTable("app.purges")).isSameAs(builder);
        assertThat(builder.createOutboxTable(false)).isSameAs(builder);
        assertThat(builder.shutdownHook(false)).isSameAs(builder);
        assertThat(builder.createPageIndexTable(false)).isSameAs(builder);

        Settings settings = builder.settings();

        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(123));
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofMillis(456));
        assertThat(settings.giveUpAfter()).isEqualTo(Duration.ofMinutes(7));
        assertThat(settings.maxRetryInterval()).isEqualTo(Duration.ofSeconds(9));
        assertThat(settings.overflowPurge()).containsExactly("/", "/feed");
        assertThat(settings.outboxTable()).isEqualTo("app.purges");
        assertThat(settings.createOutboxTable()).isFalse();
        assertThat(settings.shutdownHook()).isFalse();
        assertThat(settings.createPageIndexTable()).isFalse();
        assertThat(Roan.builder().settings().shutdownHook()).as("on by default").isTrue();
        assertThat(Roan.builder().settings().createOutboxTable()).as("on by default").isTrue();
    }

    @Test
    void theSettingsTextNamesTheOptionalOnesOnlyWhenSet() {
        String defaults = Roan.builder().settings().toString();
        assertThat(defaults).contains("retryConfig=default").doesNotContain("giveUpAfter", "repurgeAfter");

        String set = Roan.builder().giveUpAfter(Duration.ofMinutes(7)).repurgeAfter(Duration.ofSeconds(2))
                .retryConfig(RetryConfig.custom().maxAttempts(2).build()).settings().toString();
        assertThat(set).contains("giveUpAfter=PT7M", "repurgeAfter=PT2S", "retryConfig=custom");
    }
}
