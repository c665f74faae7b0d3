package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import dev.roan.testkit.CloudflareEndpoint;
import dev.roan.testkit.CloudflareEndpoint.Purge;
import dev.roan.testkit.RecordingApi.Call;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Purging a Cloudflare zone through its API, against a local endpoint that follows Cloudflare's documented API: tags
 * and page URLs as JSON with a bearer token that no message shows, {@code "success"} deciding, and a 429's
 * {@code Retry-After} setting when the zone is asked again.
 */
class CloudflarePurgeTest {

    private static final String ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
    private static final String TOKEN = "cloudflare-token-s3cr3t";
    private static final Dependency OWNER_4 = Dependency.row("owners", "id", "4");

    private final CloudflareEndpoint cloudflare = new CloudflareEndpoint(ZONE, TOKEN);
    @RegisterExtension
    final CdnApiFixture api = new CdnApiFixture(cloudflare);
    private Roan roan;

    private Roan.Builder builder(String token) {
        return Roan.builder().cloudflare(ZONE, token).cloudflareApiUrl(cloudflare.apiUrl())
                .retryConfig(Roan.retryConfig(2, Duration.ofMillis(10)));
    }

    private boolean send(String... targets) {
        return api.send(targets);
    }

    private String failure() {
        return api.failure();
    }

    @Test
    void tagsAndPageUrlsArePurgedAsJsonWithTheBearerToken() {
        roan = api.start(builder(TOKEN).publicOrigin("https://www.example.com"));
        assertThat(send(OWNER_4.target(), Dependency.table("vets").target(), "/owners/4")).as("flush").isTrue();

        assertThat(cloudflare.purges()).as("purges").containsExactlyInAnyOrder(
                new Purge("tags", List.of(OWNER_4.tag())), new Purge("tags", List.of("roan-t-vets")),
                new Purge("files", List.of("https://www.example.com/owners/4")));
        assertThat(cloudflare.received()).as("requests").hasSize(3).allSatisfy(call -> {
            assertThat(call.method()).isEqualTo("POST");
            assertThat(call.path()).isEqualTo("/client/v4/zones/" + ZONE + "/purge_cache");
            assertThat(call.header("Authorization")).isEqualTo("Bearer " + TOKEN);
            assertThat(call.header("Content-Type")).isEqualTo("application/json");
        });
        assertThat(cloudflare.received()).extracting(Call::body)
                .contains("{\"tags\":[\"" + OWNER_4.tag() + "\"]}", "{\"files\":[\"https://www.example.com/owners/4\"]}");
        assertThat(roan.cacheNodes()).singleElement().satisfies(node -> assertThat(node.purgeUrl())
                .isEqualTo(cloudflare.apiUrl() + "/client/v4/zones/" + ZONE));
    }

    @Test
    void aBacklogOfTagsGoesUpTo100ARequestAndEveryTagIsPurged() {
        roan = api.start(builder(TOKEN).publicOrigin("https://www.example.com"));
        List<String> backlog = new java.util.ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            backlog.add(Dependency.row("visits", "id", String.valueOf(i)).target());
        }
        backlog.add(500, "/owners/4");
        assertThat(send(backlog.toArray(String[]::new))).as("flush").isTrue();

        assertThat(cloudflare.purges()).as("requests").hasSizeLessThan(backlog.size())
                .allSatisfy(p -> assertThat(p.items()).hasSizeBetween(1, CloudflarePurge.MAX_TAGS));
        assertThat(cloudflare.purges()).filteredOn(p -> p.kind().equals("tags")).flatExtracting(Purge::items)
                .as("every tag once").hasSize(backlog.size() - 1).doesNotHaveDuplicates();
        assertThat(cloudflare.purges()).filteredOn(p -> p.kind().equals("files")).as("the page alone")
                .containsExactly(new Purge("files", List.of("https://www.example.com/owners/4")));
    }

    @Test
    void anAnswerWithoutSuccessTrueKeepsThePurgeOwedWithCloudflaresErrors() {
        cloudflare.failWith("Purge by tag is not available for this zone");
        roan = api.start(builder(TOKEN));
        assertThat(api.sendRefused(OWNER_4.target())).as("not delivered").isFalse();
        assertThat(failure()).contains("HTTP 200 with \"success\": false",
                "error 1100: Purge by tag is not available for this zone");
        assertThat(roan.cacheNodes()).singleElement().satisfies(n -> assertThat(n.isDown()).isTrue());
    }

    @Test
    void aTooManyRequestsAnswerIsNotRetriedAtOnceAndTheZoneIsAskedAgainAfterItsRetryAfter() throws Exception {
        FakeClock clock = new FakeClock();
        cloudflare.rateLimitNext(1, "7");
        roan = api.start(builder(TOKEN), clock);
        roan.delivery().dispatcher().submit(List.of(OWNER_4.target()));

        Call limited = cloudflare.take();
        assertThat(limited.status()).as("rate limited").isEqualTo(429);
        awaitDown();
        assertThat(failure()).contains("HTTP 429", "Retry-After", "error 971");
        assertThat(cloudflare.received()).as("no quick retry of an answer that asks to wait").hasSize(1);

        clock.advance(Duration.ofMillis(6_900));
        assertThat(cloudflare.received()).as("before the 7 s it asked for").hasSize(1);
        clock.advance(Duration.ofMillis(200));
        assertThat(cloudflare.take().status()).as("the probe after 7 s").isEqualTo(200);
        assertThat(roan.flush(Waits.DELIVERY)).as("delivered").isTrue();
        assertThat(cloudflare.purges()).containsExactly(new Purge("tags", List.of(OWNER_4.tag())));
    }

    private void awaitDown() throws InterruptedException {
        long deadline = System.nanoTime() + Waits.DELIVERY.toNanos();
        while (!roan.cacheNodes().get(0).isDown() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(roan.cacheNodes().get(0).isDown()).as("down after the 429").isTrue();
    }

    @Test
    void aRefusedTokenSaysWhatToFixAndNoMessageShowsAToken() {
        String wrong = "wrong-token-s3cr3t";
        roan = api.start(builder(wrong).publicOrigin("https://www.example.com"));
        assertThat(api.sendRefused(OWNER_4.target(), "/owners/4")).as("not delivered").isFalse();
        assertThat(failure()).contains("HTTP 403", "error 10000: Authentication error", "Cache Purge permission");

        List<String> shown = api.shown();
        shown.add(Roan.builder().cloudflare(ZONE, wrong).toString());
        assertThat(shown).as("what Roan shows").noneMatch(s -> s.contains(wrong) || s.contains(TOKEN));
    }

    @Test
    void anAnswerThatQuotesTheTokenIsShownWithoutIt() {
        CloudflarePurge protocol = new CloudflarePurge("https://api.cloudflare.com", ZONE, null);
        String echoed = "{\"success\":false,\"errors\":[{\"code\":6111,\"message\":\"Invalid format for Authorization"
                + " header: Bearer " + TOKEN + "\"}]}";
        assertThat(protocol.verdict(400, echoed).detail()).as("the protocol quotes the API").contains(TOKEN);
        HttpTransport transport = new HttpTransport("node", HttpClient.newHttpClient(), null,
                List.of(java.util.Map.entry("Authorization", "Bearer " + TOKEN)), Duration.ofSeconds(1),
                Roan.defaultRetryConfig(), null, true);
        assertThat(transport.hide(protocol.verdict(400, echoed).detail())).as("the node hides it")
                .doesNotContain(TOKEN).contains("header: ***");
        String tokenAlone = "{\"success\":false,\"errors\":[{\"code\":10000,\"message\":\"Token " + TOKEN
                + " is not valid\"}]}";
        assertThat(transport.hide(protocol.verdict(403, tokenAlone).detail())).as("the token alone, too")
                .doesNotContain(TOKEN).contains("Token *** is not valid");
    }

    @Test
    void withoutAPublicOriginARulesPathIsRefusedAtRegistration() {
        roan = api.start(builder(TOKEN));
        assertThatIllegalArgumentException().isThrownBy(() -> roan.purge("/owners"))
                .withMessageContaining("Cloudflare purges a page by its public URL");
        assertThat(send(OWNER_4.target(), "/owners")).as("flush").isTrue();
        assertThat(cloudflare.purges()).as("the key only").containsExactly(new Purge("tags", List.of(OWNER_4.tag())));
    }

    @Test
    void eachAnswerHasItsVerdictAndHint() {
        CloudflarePurge protocol = new CloudflarePurge("https://api.cloudflare.com", ZONE, "https://www.example.com");
        assertThat(protocol.verdict(200, "{\"success\":true,\"errors\":[]}").done()).isTrue();
        assertThat(protocol.verdict(200, "<html>").detail()).contains("without \"success\": true", "cloudflareApiUrl");
        assertThat(protocol.verdict(200, null).done()).as("no body").isFalse();
        assertThat(protocol.verdict(404, "{\"success\":false,\"errors\":[{\"code\":7003,\"message\":\"Could not"
                + " route\"}]}").detail()).contains("error 7003: Could not route", "no zone " + ZONE);
        assertThat(protocol.verdict(401, null).detail()).contains("Cloudflare refused the token");
        assertThat(protocol.verdict(503, null).detail()).contains("on every attempt", "cloudflarestatus");
        assertThat(protocol.body("/a\"b")).as("JSON escaped").isEqualTo("{\"files\":[\"https://www.example.com/a\\\"b\"]}");
        String many = "{\"success\":false,\"errors\":[{\"code\":1,\"message\":\"a\"},{\"code\":2,\"message\":\"b\"},"
                + "{\"code\":3,\"message\":\"c\"},{\"code\":4,\"message\":\"d\\nd\"}]}";
        assertThat(protocol.errors(many)).isEqualTo(": error 1: a; error 2: b; error 3: c (and 1 more)");
    }

    @Test
    void cloudflaresErrorMessagesAreShownAsTextItsJsonEscapesDecoded() {
        CloudflarePurge protocol = new CloudflarePurge("https://api.cloudflare.com", ZONE, null);
        String escaped = "{\"success\":false,\"errors\":[{\"code\":9,\"message\":"
                + "\"caf\\u00e9 \\\"quoted\\\" back\\\\slash\\ttab\\rret\\nline \\uZZZZ!\"}]}";
        assertThat(protocol.errors(escaped))
                .isEqualTo(": error 9: caf\u00e9 \"quoted\" back\\slash tab ret line ?ZZZZ!");
        assertThat(protocol.errors("{\"errors\":[{\"code\":9,\"message\":\"cut \\u00e\"}]}"))
                .as("an escape cut short, kept as text").isEqualTo(": error 9: cut 00e");
        assertThat(protocol.errors("{\"errors\":[{\"code\":9,\"message\":\"" + "x".repeat(301) + "\"}]}"))
                .as("at most 300 characters").isEqualTo(": error 9: " + "x".repeat(300) + "...");
        assertThat(protocol.errors("{\"errors\":[{\"code\":9,\"message\":\"" + "x".repeat(300) + "\"}]}"))
                .isEqualTo(": error 9: " + "x".repeat(300));
        assertThat(protocol.errors("{\"errors\":[{\"message\":\"no code\"}]}")).as("messages without codes")
                .isEqualTo(": no code");
        assertThat(protocol.errors("{\"success\":false}")).as("no errors").isEmpty();
        assertThat(protocol.errors(null)).isEmpty();
    }

    @Test
    void theEndpointRefusesWhatCloudflareRefuses() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String purge = cloudflare.apiUrl() + "/client/v4/zones/" + ZONE + "/purge_cache";
        StringBuilder hundredOne = new StringBuilder("{\"tags\":[");
        for (int i = 0; i < 101; i++) {
            hundredOne.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
        }
        String tooMany = hundredOne.append("]}").toString();
        assertThat(post(client, purge, "{\"tags\":[\"a\"]}", null)).as("no token").startsWith("403");
        assertThat(post(client, purge, tooMany, TOKEN)).as("101 tags").startsWith("400").contains("at most 100");
        assertThat(post(client, purge, tooMany.replace(",\"t100\"", ""), TOKEN)).as("100 tags").startsWith("200");
        assertThat(post(client, purge, "{\"tags\":[\"a\"],\"files\":[\"https://x/\"]}", TOKEN)).as("two kinds")
                .startsWith("400");
        assertThat(post(client, purge, "{\"files\":[\"/no-host\"]}", TOKEN)).as("a file without scheme")
                .startsWith("400");
        assertThat(post(client, purge, "{\"tags\":[", TOKEN)).as("malformed").startsWith("400");
        assertThat(post(client, purge.replace(ZONE, "0123"), "{\"tags\":[\"a\"]}", TOKEN)).as("another zone")
                .startsWith("404");
        assertThat(cloudflare.received()).extracting(Call::status).containsExactly(403, 400, 200, 400, 400, 400, 404);
    }

    private static String post(HttpClient client, String url, String json, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
