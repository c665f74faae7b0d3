package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import io.github.resilience4j.core.IntervalBiFunction;
import org.junit.jupiter.api.Test;

/** The checks of settings at their edges: what is still accepted, what is refused first, and what a message says. */
class ChecksTest {

    @Test
    void portsFromOneTo65535AreAccepted() {
        assertThat(Checks.purgeUrl("http://h:65535/purge")).isEqualTo("http://h:65535/purge");
        assertThat(Checks.purgeUrl("http://h:1/purge/")).isEqualTo("http://h:1/purge");
        assertThatThrownBy(() -> Checks.purgeUrl("http://h:65536/purge")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has port 65536");
        assertThatThrownBy(() -> Checks.purgeUrl("http://h:0/purge")).hasMessageContaining("has port 0");
    }

    @Test
    void aHostWithAnUnderscoreIsNamedAsTheReasonWithOrWithoutAPort() {
        assertThatThrownBy(() -> Checks.purgeUrl("http://cache_1/purge")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has a host with '_'");
        assertThatThrownBy(() -> Checks.purgeUrl("http://cache_1:8080/purge")).hasMessageContaining("has a host with '_'");
        assertThatThrownBy(() -> Checks.purgeUrl("http://_cache/purge")).as("an underscore first")
                .hasMessageContaining("has a host with '_'");
    }

    @Test
    void anAuthorityThatIsNoHostSaysSoAndAnUnreadablePortSaysThat() {
        assertThatThrownBy(() -> Checks.purgeUrl("http://-cache/purge")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no valid host");
        assertThatThrownBy(() -> Checks.purgeUrl("http://cache:port/purge")).hasMessageContaining("has an invalid port");
        assertThatThrownBy(() -> Checks.purgeUrl("http://:80/purge")).hasMessageContaining("has no host:");
    }

    @Test
    void masksStartAtTheSchemeOrTheStartOfTheText() {
        assertThat(Checks.maskUrl("@cache/purge")).isEqualTo("***@cache/purge");
        assertThat(Checks.maskUrl("://user:pw@cache/purge")).isEqualTo("://***@cache/purge");
        assertThat(Checks.maskUrl("http://user:pw@cache/purge")).isEqualTo("http://***@cache/purge");
        assertThat(Checks.maskUrl("http://cache/purge/@x")).as("no user info").isEqualTo("http://cache/purge/@x");
        assertThat(Checks.maskUrl(null)).isEqualTo("null");
    }

    @Test
    void aColonNotFollowedByAPortIsMaskedToTheEndOfTheAuthorityAndAPortIsKept() {
        assertThat(Checks.maskUrl("http://user:pw:cache/purge")).isEqualTo("http://user:***/purge");
        assertThat(Checks.maskUrl("://user:pw:cache/purge")).as("no scheme name").isEqualTo("://user:***/purge");
        assertThat(Checks.maskUrl("http://cache:9x/purge")).isEqualTo("http://cache:***/purge");
        assertThat(Checks.maskUrl("http://cache:0/purge")).as("a port of 0").isEqualTo("http://cache:0/purge");
        assertThat(Checks.maskUrl("http://cache:9/purge")).as("a port of 9").isEqualTo("http://cache:9/purge");
    }

    @Test
    void theOutageSettingsAreCheckedAtTheirEdges() {
        assertThat(Checks.maxOwedPaths(1)).isOne();
        assertThatThrownBy(() -> Checks.maxOwedPaths(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxOwedPaths must be at least 1").hasMessageEndingWith("was 0");
        assertThat(Checks.maxRetryInterval(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> Checks.maxRetryInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRetryInterval");
        assertThat(Checks.overflowPurge("/", "/", "/posts")).as("each path once").containsExactly("/", "/posts");
        assertThatThrownBy(() -> Checks.overflowPurge()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onOverflowPurge needs at least one path");
        assertThatThrownBy(() -> Checks.overflowPurge((String[]) null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void headerValuesMayHoldEveryPrintableAsciiCharacterAndTabs() {
        assertThatCode(() -> Checks.header("X-Token", " a\tb ~!")).doesNotThrowAnyException();
        assertThatThrownBy(() -> Checks.header("X-Token", "a\u007fb")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character at index 1");
        assertThatThrownBy(() -> Checks.header("X-Token", "ab\u001f")).hasMessageContaining("at index 2");
        assertThatThrownBy(() -> Checks.header("X-Token", "\u0080")).hasMessageContaining("non-ASCII character at index 0");
    }

    @Test
    void headerNamesAreTokensOfLettersDigitsAndSymbols() {
        assertThatCode(() -> Checks.header("azAZ09!#$%&'*+-.^_`|~", "v")).doesNotThrowAnyException();
        for (String bad : new String[] {"X Token", "X@", "X/", "X[", "X{", "X:"}) {
            assertThatThrownBy(() -> Checks.header(bad, "v")).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("header name must be a token");
        }
        assertThatThrownBy(() -> Checks.header(":authority", "v")).as("a colon first")
                .hasMessageContaining("did you pass 'Name: value' as the name?");
        assertThatThrownBy(() -> Checks.header("", "v")).hasMessageContaining("header name is empty");
        assertThatThrownBy(() -> Checks.header(null, "v")).hasMessageContaining("header name is null");
    }

    @Test
    void hopByHopAndProxyHeadersAreRefusedEachWithItsReason() {
        assertThatThrownBy(() -> Checks.header("Proxy-Authorization", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Proxy-* headers are for a proxy");
        assertThatThrownBy(() -> Checks.header("TE", "v")).hasMessageContaining("hop-by-hop or message-framing");
        assertThatCode(() -> Checks.header("X-Proxy-Token", "v")).doesNotThrowAnyException();
    }

    @Test
    void oneAttemptMeansNoRetryAndIsAccepted() {
        assertThat(Checks.retryConfig(1, Duration.ofMillis(10), Duration.ofSeconds(1))
                .getMaxAttempts()).isEqualTo(1);
        assertThatThrownBy(() -> Checks.retryConfig(0, Duration.ofMillis(10), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts must be at least 1");
    }

    @Test
    void aCoalesceWindowIsZeroOrPositive() {
        assertThat(Checks.coalesceWindow(Duration.ZERO)).isZero();
        assertThat(Checks.coalesceWindow(Duration.ofMillis(5))).hasMillis(5);
        assertThatThrownBy(() -> Checks.coalesceWindow(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("such as Duration.ofMillis(10)");
        assertThatThrownBy(() -> Checks.coalesceWindow(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was null");
    }

    @Test
    void retriesWaitLongerEachTimeUpToTheLongestBackoff() {
        IntervalBiFunction<Object> waits = Checks.retryConfig(9, Duration.ofMillis(100), Duration.ofSeconds(1))
                .getIntervalBiFunction();
        assertThat(waits.apply(1, null)).as("the first wait").isBetween(50L, 150L);
        assertThat(waits.apply(4, null)).as("the fourth wait: 800 ms, give or take half").isBetween(400L, 1_000L);
        assertThat(waits.apply(8, null)).as("the eighth wait: at the longest backoff").isEqualTo(1_000L);
    }

    @Test
    void anApiTokenIsPrintableAsciiWithoutSpacesAndNeverShown() {
        assertThat(Checks.apiToken("!tok~", "fastly apiToken")).as("the first and last printable characters")
                .isEqualTo("!tok~");
        for (String bad : List.of("zqv z", "zqv\u007fz", "zqv\u00e9z", "zqv\tz")) {
            assertThatThrownBy(() -> Checks.apiToken(bad, "fastly apiToken")).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fastly apiToken has a space, control or non-ASCII character at index 3")
                    .hasMessageNotContaining("zqv");
        }
        assertThatThrownBy(() -> Checks.apiToken(null, "cloudflare apiToken"))
                .hasMessageContaining("cloudflare apiToken is null");
        assertThatThrownBy(() -> Checks.apiToken(" ", "cloudflare apiToken"))
                .hasMessageContaining("cloudflare apiToken is blank");
    }

    @Test
    void aTableNameIsAPlainSqlNameAndARefusedOneIsShown() {
        assertThat(Checks.tableName("app.roan_outbox", "outboxTable")).isEqualTo("app.roan_outbox");
        assertThatThrownBy(() -> Checks.tableName(null, "outboxTable")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outboxTable must be a plain SQL name").hasMessageEndingWith("was null");
        assertThatThrownBy(() -> Checks.tableName("roan outbox", "outboxTable"))
                .hasMessageEndingWith("was \"roan outbox\"");
    }

    @Test
    void aHeaderNameThatIsNoTokenIsShownUpToItsFirstBadCharacter() {
        assertThatThrownBy(() -> Checks.header("X-Token secret", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the name starting \"X-Token\" has a space or other character at index 7")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> Checks.header("Authorization: Bearer abc", "v"))
                .hasMessageContaining("header(\"Authorization\", value)").hasMessageNotContaining("Bearer");
    }
}
