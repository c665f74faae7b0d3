package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.roan.testkit.PurgeServer;
import java.time.Duration;

import io.github.resilience4j.retry.RetryConfig;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
    @ValueSource(strings = {"ftp://x/purge", "localhost/purge", "/purge", "mailto:ops@example.com"})
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
}
