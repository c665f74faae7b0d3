package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import dev.roan.testkit.FastlyEndpoint;
import dev.roan.testkit.FastlyEndpoint.Purge;
import dev.roan.testkit.RecordingApi.Call;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Purging a Fastly service through its API, against a local endpoint that follows Fastly's documented API: keys by
 * {@code Surrogate-Key} on the service's purge, page paths by their public URL, the token as {@code Fastly-Key} and
 * never in a message, and what each refusal means.
 */
class FastlyPurgeTest {

    private static final String SERVICE = "SU1Z0isxPaozGVKXdv0eY";
    private static final String TOKEN = "fastly-token-s3cr3t";
    private static final Dependency OWNER_4 = Dependency.row("owners", "id", "4");

    private final FastlyEndpoint fastly = new FastlyEndpoint(SERVICE, TOKEN);
    @RegisterExtension
    final CdnApiFixture api = new CdnApiFixture(fastly);
    private Roan roan;

    private Roan roan(Roan.Builder builder) {
        roan = api.start(builder.fastlyApiUrl(fastly.apiUrl())
                .retryConfig(Roan.retryConfig(1, Duration.ofMillis(10))));
        return roan;
    }

    private boolean send(String... targets) {
        return api.send(targets);
    }

    @Test
    void keysArePurgedBySurrogateKeyAndPagePathsByTheirPublicUrl() throws Exception {
        roan(Roan.builder().fastly(SERVICE, TOKEN).publicOrigin("https://www.example.com"));
        assertThat(send(OWNER_4.target(), "/owners/4?tab=pets")).as("flush").isTrue();

        assertThat(fastly.purges()).as("purges").containsExactlyInAnyOrder(
                new Purge(List.of(OWNER_4.tag()), null, false),
                new Purge(List.of(), "www.example.com/owners/4?tab=pets", false));
        assertThat(fastly.received()).as("requests").hasSize(2).allSatisfy(call -> {
            assertThat(call.method()).isEqualTo("POST");
            assertThat(call.header("Fastly-Key")).as("token").isEqualTo(TOKEN);
            assertThat(call.header("Fastly-Soft-Purge")).as("hard purge").isNull();
            assertThat(call.status()).isEqualTo(200);
        });
        assertThat(fastly.received()).extracting(Call::path).containsExactlyInAnyOrder(
                "/service/" + SERVICE + "/purge", "/purge/www.example.com/owners/4?tab=pets");
        assertThat(fastly.received()).filteredOn(c -> c.path().startsWith("/service/")).singleElement()
                .satisfies(c -> assertThat(c.header("Surrogate-Key")).isEqualTo(OWNER_4.tag()));
        assertThat(roan.cacheNodes()).singleElement().satisfies(node -> assertThat(node.purgeUrl())
                .isEqualTo(fastly.apiUrl() + "/service/" + SERVICE));
        assertThat(roan.purgeUrls()).as("no path node").isEmpty();
    }

    @Test
    void aBacklogOfKeysGoesUpTo256ARequestAndEveryKeyIsPurged() {
        roan(Roan.builder().fastly(SERVICE, TOKEN).softPurge(true));
        List<String> backlog = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            backlog.add(Dependency.row("visits", "id", String.valueOf(i)).target());
        }
        assertThat(send(backlog.toArray(String[]::new))).as("flush").isTrue();

        assertThat(fastly.purges()).as("requests").hasSizeLessThan(backlog.size()).allSatisfy(p -> {
            assertThat(p.keys()).hasSizeBetween(1, FastlyPurge.MAX_KEYS);
            assertThat(p.soft()).isTrue();
        });
        assertThat(fastly.purges()).flatExtracting(Purge::keys).as("every key once")
                .containsExactlyInAnyOrderElementsOf(backlog.stream().map(t -> Dependency.ofTarget(t).tag()).toList());
        assertThat(api.events).filteredOn(e -> e.outcome() == PurgeEvent.Outcome.DELIVERED).as("an event per key")
                .hasSize(backlog.size());
    }

    @Test
    void aSoftPurgeAsksForItWithFastlySoftPurge() throws Exception {
        roan(Roan.builder().fastly(SERVICE, TOKEN).softPurge(true));
        assertThat(send(OWNER_4.target())).as("flush").isTrue();
        assertThat(fastly.purges()).containsExactly(new Purge(List.of(OWNER_4.tag()), null, true));
        assertThat(fastly.take().header("Fastly-Soft-Purge")).isEqualTo("1");
    }

    @Test
    void withoutAPublicOriginARulesPathIsRefusedAtRegistrationAndKeysStillGo() {
        roan(Roan.builder().fastly(SERVICE, TOKEN));
        assertThatIllegalArgumentException().isThrownBy(() -> roan.purge("/owners"))
                .withMessageContaining("publicOrigin(\"https://www.example.com\")");
        assertThat(send(OWNER_4.target(), "/owners")).as("flush").isTrue();
        assertThat(fastly.purges()).as("the key only").containsExactly(new Purge(List.of(OWNER_4.tag()), null, false));
    }

    @Test
    void theBuildersHeadersAreNotSentToFastly() {
        roan(Roan.builder().fastly(SERVICE, TOKEN).header("X-Purge-Token", "for-my-own-varnish"));
        assertThat(send(OWNER_4.target())).as("flush").isTrue();
        assertThat(fastly.received()).singleElement()
                .satisfies(c -> assertThat(c.header("X-Purge-Token")).as("the builder's header").isNull());
    }

    @Test
    void aRefusedTokenKeepsThePurgeOwedSaysWhatToFixAndNeverShowsAToken() {
        String wrong = "wrong-token-s3cr3t";
        roan(Roan.builder().fastly(SERVICE, wrong).publicOrigin("https://www.example.com"));
        assertThat(roan.flush(Duration.ZERO)).isTrue();
        assertThat(api.sendRefused(OWNER_4.target())).as("not delivered").isFalse();

        assertThat(api.events).filteredOn(e -> e.outcome() == PurgeEvent.Outcome.FAILED).first().satisfies(e -> {
            assertThat(e.reason()).hasValueSatisfying(r -> assertThat(r).contains("HTTP 401",
                    "Fastly refused the token", "Roan.Builder.fastly"));
            assertThat(e.node()).isEqualTo(fastly.apiUrl() + "/service/" + SERVICE);
        });
        assertThat(roan.cacheNodes()).singleElement().satisfies(n -> assertThat(n.isDown()).isTrue());
        List<String> shown = api.shown();
        shown.add(Roan.builder().fastly(SERVICE, wrong).toString());
        assertThat(shown).as("what Roan shows").noneMatch(s -> s.contains(wrong) || s.contains(TOKEN));
        assertThat(Roan.builder().fastly(SERVICE, wrong).toString()).contains("fastly=" + SERVICE, "(token hidden)");
    }

    @Test
    void anotherServiceIsNotFoundAndSaysWhichToCheck() {
        roan(Roan.builder().fastly("SomeOtherService1", TOKEN));
        assertThat(api.sendRefused(OWNER_4.target())).as("not delivered").isFalse();
        assertThat(api.failure()).contains("HTTP 404", "no service SomeOtherService1", "service id");
    }

    @Test
    void eachAnswerHasItsVerdictAndHint() {
        FastlyPurge protocol = new FastlyPurge("https://api.fastly.com", SERVICE, null, false);
        assertThat(protocol.verdict(200).done()).isTrue();
        assertThat(protocol.verdict(403).detail()).contains("purge_select", SERVICE);
        assertThat(protocol.verdict(400).detail()).contains("256 keys");
        assertThat(protocol.verdict(429).detail()).contains("HTTP 429", "Retry-After");
        assertThat(protocol.verdict(503).detail()).contains("on every attempt", "fastlystatus");
        assertThat(protocol.verdict(301).detail()).contains("fastlyApiUrl");
        assertThat(protocol.takes(OWNER_4.target())).as("keys").isTrue();
        assertThat(protocol.takes("/owners")).as("paths, without an origin").isFalse();
        assertThat(new FastlyPurge("https://api.fastly.com", SERVICE, "http://localhost:8080", false).uri("/a"))
                .as("a port is part of the URL purged").isEqualTo(URI.create("https://api.fastly.com/purge/localhost:8080/a"));
    }

    @Test
    void theEndpointRefusesWhatFastlyRefuses() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String purge = fastly.apiUrl() + "/service/" + SERVICE + "/purge";
        assertThat(post(client, purge, "Surrogate-Key", "a b", null)).as("no token").isEqualTo(401);
        assertThat(post(client, purge, "Surrogate-Key", "k ".repeat(257).trim(), TOKEN)).as("257 keys").isEqualTo(400);
        assertThat(post(client, purge, "Surrogate-Key", "k".repeat(1025), TOKEN)).as("a 1,025-byte key")
                .isEqualTo(400);
        assertThat(post(client, purge, "Surrogate-Key", "k ".repeat(256).trim(), TOKEN)).as("256 keys").isEqualTo(200);
        assertThat(post(client, fastly.apiUrl() + "/service/Other/purge", "Surrogate-Key", "a", TOKEN))
                .as("another service").isEqualTo(404);
        fastly.rateLimitNext(1, "2");
        assertThat(post(client, purge, "Surrogate-Key", "a", TOKEN)).as("rate limited").isEqualTo(429);
        assertThat(fastly.received()).last().satisfies(c -> assertThat(c.status()).isEqualTo(429));
    }

    private static int post(HttpClient client, String url, String header, String value, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header(header, value)
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Fastly-Key", token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
