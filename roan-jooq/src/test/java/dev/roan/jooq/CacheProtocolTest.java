package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import dev.roan.jooq.CacheProtocol.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The protocols on their own: what request a purge is, and what each answer means and tells the user. */
class CacheProtocolTest {

    private static final String URL = "http://cache:8080/purge";
    private static final CacheProtocol NGINX = CacheNode.protocolFor(URL, "GET");
    private static final CacheProtocol PURGE = CacheNode.protocolFor(URL, "PURGE");

    static Stream<CacheProtocol> protocols() {
        return Stream.of(NGINX, PURGE);
    }

    @Test
    void getIsNginxsPurgeLocationAndAnyOtherMethodIsARequestOfThatMethod() {
        assertThat(NGINX).as("GET").isInstanceOf(NginxPurgeLocation.class);
        assertThat(PURGE).as("PURGE").isInstanceOf(PurgeMethod.class);
        assertThat(CacheNode.protocolFor(URL, "BAN").method()).as("another method, kept").isEqualTo("BAN");
    }

    @Test
    void aPurgeIsABodilessRequestOfTheMethodToThePurgeUrlAndThePath() {
        HttpRequest get = NGINX.request(HttpRequest.newBuilder().timeout(Duration.ofSeconds(3)).header("X-A", "1"),
                "/posts/a%20b?page=2").build();
        assertThat(get.method()).as("method").isEqualTo("GET");
        assertThat(get.uri()).as("URI").isEqualTo(URI.create(URL + "/posts/a%20b?page=2"));
        assertThat(get.bodyPublisher()).as("body").hasValueSatisfying(b -> assertThat(b.contentLength()).isZero());
        assertThat(get.headers().firstValue("X-A")).as("the base's header, kept").hasValue("1");
        assertThat(get.timeout()).as("the base's timeout, kept").hasValue(Duration.ofSeconds(3));

        HttpRequest purge = PURGE.request(HttpRequest.newBuilder(), "/posts").build();
        assertThat(purge.method()).as("method").isEqualTo("PURGE");
        assertThat(purge.uri()).as("URI").isEqualTo(URI.create(URL + "/posts"));
    }

    @ParameterizedTest
    @MethodSource("protocols")
    void successIsDoneAndNotCachedIsDoneToo(CacheProtocol protocol) {
        for (int status : List.of(200, 201, 204, 299)) {
            assertThat(protocol.verdict(status)).as("HTTP %d", status).isEqualTo(Verdict.done(""));
        }
        for (int status : List.of(404, 412)) {
            assertThat(protocol.verdict(status)).as("HTTP %d, ngx_cache_purge's not cached", status)
                    .isEqualTo(Verdict.done("was not cached"));
        }
    }

    static Stream<Arguments> hints() {
        return Stream.of(
                Arguments.of(301, List.of("HTTP 301", "redirect", "point the purge URL at")),
                Arguments.of(308, List.of("HTTP 308", "redirect")),
                Arguments.of(401, List.of("HTTP 401", "refused this host or its credentials", "Roan.Builder.header")),
                Arguments.of(403, List.of("HTTP 403", "refused this host or its credentials", "allow")),
                Arguments.of(405, List.of("HTTP 405", "does not accept")),
                Arguments.of(414, List.of("HTTP 414", "path is too long for the cache's request line",
                        "keep page paths shorter", "large_client_header_buffers")),
                Arguments.of(431, List.of("HTTP 431", "headers are too large", "fewer or shorter headers",
                        "large_client_header_buffers")),
                Arguments.of(400, List.of("HTTP 400 (", "check that the cache")),
                Arguments.of(410, List.of("HTTP 410 (", "check that the cache")),
                Arguments.of(429, List.of("HTTP 429 on every attempt", "limits the rate", "exempt")),
                Arguments.of(500, List.of("HTTP 500 on every attempt", "error log")),
                Arguments.of(503, List.of("HTTP 503 on every attempt", "error log")));
    }

    @ParameterizedTest
    @MethodSource("hints")
    void everyStatusFamilyHasAHintOfItsOwn(int status, List<String> words) {
        for (CacheProtocol protocol : List.of(NGINX, PURGE)) {
            Verdict verdict = protocol.verdict(status);
            assertThat(verdict.done()).as("%s: HTTP %d done", protocol, status).isFalse();
            assertThat(verdict.detail()).as("%s: HTTP %d", protocol, status).contains(words);
        }
    }

    @Test
    void aPathTooLongIsNotToldToCheckThePurgeLocation() {
        assertThat(NGINX.verdict(414).detail()).as("414").doesNotContain("purge location at this URL");
        assertThat(NGINX.verdict(400).detail()).as("400").contains("purge location at this URL");
    }

    @Test
    void hintsNameTheKnobsOfTheCacheTheProtocolSpeaksTo() {
        assertThat(NGINX.verdict(405).detail()).as("GET, 405").contains("ngx_cache_purge", "purgeMethod(\"PURGE\")",
                "proxy_cache_purge");
        assertThat(NGINX.verdict(403).detail()).as("GET, 403").contains("allow", "deny all", "proxy_cache_purge");
        assertThat(PURGE.verdict(405).detail()).as("PURGE, 405").contains("vcl_recv", "(purge)", "PURGE");
        assertThat(NGINX.verdict(414).detail()).as("GET, 414").doesNotContain("Varnish");
        assertThat(PURGE.verdict(414).detail()).as("PURGE, 414").contains("Varnish's http_req_size");
        assertThat(PURGE.verdict(431).detail()).as("PURGE, 431").contains("Varnish's http_req_hdr_len");
        assertThat(NGINX.verdict(400).detail()).as("GET, other 4xx").contains("proxy_cache_purge");
        assertThat(PURGE.verdict(400).detail()).as("PURGE, other 4xx").contains("vcl_recv");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PURGE"})
    void aPathThatFormsNoUriIsRefused(String method) {
        CacheProtocol protocol = CacheNode.protocolFor(URL, method);
        assertThat(protocol.uri("/ok")).isEqualTo(URI.create(URL + "/ok"));
        assertThatThrownBy(() -> protocol.uri("/a b"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
