package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The builder options of caches that purge by tag: defaults, which nodes a Roan gets, and refusals that say the fix. */
class TagOptionsTest {

    private static final String TOKEN = "tok-s3cr3t-value";

    @Test
    void anOverflowPurgeForACdnNeedsThePublicOriginItsUrlIsOn() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Roan.builder().fastly("svc1", TOKEN).onOverflowPurge("/").build())
                .withMessageContaining("onOverflowPurge [/]: Fastly purges a page by its public URL")
                .withMessageContaining("publicOrigin(\"https://www.example.com\")")
                .withMessageNotContaining(TOKEN);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Roan.builder().cloudflare("zone1", TOKEN).onOverflowPurge("/").build())
                .withMessageContaining("Cloudflare purges a page by its public URL");
        try (Roan roan = Roan.builder().fastly("svc1", TOKEN).publicOrigin("https://www.example.com")
                .onOverflowPurge("/").shutdownHook(false).build()) {
            assertThat(roan.isClosed()).as("built with the origin").isFalse();
        }
        try (Roan roan = Roan.builder().fastly("svc1", TOKEN).shutdownHook(false).build()) {
            assertThat(roan.isClosed()).as("without an overflow purge, no origin is needed").isFalse();
        }
    }

    @Test
    void withoutATagNodeNothingChangesAndPagesCarryNoTagHeader() {
        Settings settings = Roan.builder().settings();
        assertThat(settings.tagHeaders()).isEmpty();
        assertThat(settings.tagHeader()).isNull();
        assertThat(settings.purgeUrls()).containsExactly(Roan.DEFAULT_PURGE_URL);
        assertThat(settings.toString()).doesNotContain("tagHeaders", "fastly", "cloudflare", "xkey");
    }

    @Test
    void eachCachePurgedByTagBringsItsHeaderAndNoDefaultPathNode() {
        Settings xkey = Roan.builder().xkeyPurgeUrls("http://cache:6081/").settings();
        assertThat(xkey.xkeyPurgeUrls()).containsExactly("http://cache:6081");
        assertThat(xkey.purgeUrls()).as("no default nginx node").isEmpty();
        assertThat(xkey.tagHeader()).isSameAs(CacheTagHeader.VARNISH_XKEY.header());

        Settings all = Roan.builder().xkeyPurgeUrls("http://cache:6081").fastly("svc1", TOKEN)
                .cloudflare("zone1", TOKEN).settings();
        assertThat(all.tagHeaders()).extracting(TagHeader::name).containsExactly("xkey", "Surrogate-Key", "Cache-Tag");
        assertThat(all.fastly()).isEqualTo(new Settings.CdnApi("svc1", TOKEN, "https://api.fastly.com"));
        assertThat(all.cloudflare()).isEqualTo(new Settings.CdnApi("zone1", TOKEN, "https://api.cloudflare.com"));

        Settings both = Roan.builder().purgeUrl("http://localhost/purge").xkeyPurgeUrls("http://cache:6081")
                .settings();
        assertThat(both.purgeUrls()).as("path nodes given beside").containsExactly("http://localhost/purge");
    }

    @Test
    void aTagHeaderSetChoosesTheHeadersAndAloneKeepsThePathNodes() {
        Settings akamai = Roan.builder().tagHeader(CacheTagHeader.AKAMAI_EDGE_CACHE_TAG).settings();
        assertThat(akamai.tagHeaders()).extracting(TagHeader::name).containsExactly("Edge-Cache-Tag");
        assertThat(akamai.purgeUrls()).as("nginx in front, Akamai behind").containsExactly(Roan.DEFAULT_PURGE_URL);

        Settings chosen = Roan.builder().fastly("svc1", TOKEN).tagHeader(CacheTagHeader.VARNISH_XKEY)
                .tagHeader(CacheTagHeader.FASTLY_SURROGATE_KEY).tagHeader(CacheTagHeader.VARNISH_XKEY).settings();
        assertThat(chosen.tagHeaders()).extracting(TagHeader::name).containsExactly("xkey", "Surrogate-Key");
    }

    @Test
    void apiUrlsAndTheOriginAreNormalised() {
        Settings settings = Roan.builder().fastly("svc1", TOKEN).fastlyApiUrl("http://127.0.0.1:9000/")
                .cloudflare("zone1", TOKEN).cloudflareApiUrl("http://127.0.0.1:9001")
                .publicOrigin("https://www.example.com/").softPurge(true).settings();
        assertThat(settings.fastly().apiUrl()).isEqualTo("http://127.0.0.1:9000");
        assertThat(settings.cloudflare().apiUrl()).isEqualTo("http://127.0.0.1:9001");
        assertThat(settings.publicOrigin()).isEqualTo("https://www.example.com");
        assertThat(settings.softPurge()).isTrue();
        assertThat(settings.toString()).as("shown, token hidden").contains("fastly=svc1 at http://127.0.0.1:9000",
                "cloudflare=zone1", "(token hidden)", "publicOrigin=https://www.example.com", "softPurge=true")
                .doesNotContain(TOKEN);
    }

    @Test
    void badValuesAreRefusedWithTheFixAndNeverShowTheToken() {
        List.<Runnable>of(
                () -> Roan.builder().tagHeader(null),
                () -> Roan.builder().xkeyPurgeUrls(),
                () -> Roan.builder().xkeyPurgeUrls("cache:6081"),
                () -> Roan.builder().fastly("svc 1", TOKEN),
                () -> Roan.builder().fastly(null, TOKEN),
                () -> Roan.builder().cloudflare("zone/1", TOKEN),
                () -> Roan.builder().fastlyApiUrl("api.fastly.com"),
                () -> Roan.builder().cloudflareApiUrl("https://user:pw@api.cloudflare.com"),
                () -> Roan.builder().publicOrigin("https://www.example.com/blog"),
                () -> Roan.builder().publicOrigin("www.example.com")).forEach(call ->
                        assertThatIllegalArgumentException().isThrownBy(call::run).satisfies(e ->
                                assertThat(e.getMessage()).containsAnyOf("such as", "give", "remove")));
        assertThatIllegalArgumentException().isThrownBy(() -> Roan.builder().xkeyPurgeUrls("cache:6081"))
                .withMessageStartingWith("xkeyPurgeUrls: ");
        assertThatIllegalArgumentException().isThrownBy(() -> Roan.builder().fastly("svc 1", TOKEN))
                .withMessageContaining("fastly serviceId must be letters and digits, such as \"SU1Z0isxPaozGVKXdv0eY\"");
        assertThatIllegalArgumentException().isThrownBy(() -> Roan.builder().fastlyApiUrl("api.fastly.com"))
                .withMessageStartingWith("fastlyApiUrl: ").withMessageContaining("https://api.fastly.com");
        assertThatIllegalArgumentException().isThrownBy(() -> Roan.builder().publicOrigin("https://x.org/blog"))
                .withMessageContaining("without a path");
        for (String token : new String[] {"has space-s3cr3t", "s3cr3t\n", "s3cr3t-é", " "}) {
            assertThatIllegalArgumentException().isThrownBy(() -> Roan.builder().cloudflare("zone1", token))
                    .satisfies(e -> assertThat(e.getMessage()).contains("cloudflare apiToken")
                            .doesNotContain("s3cr3t"));
        }
        assertThatIllegalArgumentException().isThrownBy(() -> Roan.builder().fastly("svc1", null))
                .withMessageContaining("fastly apiToken is null");
    }

    @Test
    void aRefusedTokenLeavesTheBuilderAsItWas() {
        Roan.Builder builder = Roan.builder();
        assertThatIllegalArgumentException().isThrownBy(() -> builder.fastly("svc1", "bad token"));
        assertThat(builder.settings().fastly()).isNull();
        assertThat(builder.settings().purgeUrls()).containsExactly(Roan.DEFAULT_PURGE_URL);
    }
}
