package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * How a purge is written for Varnish with the xkey VMOD, without Varnish: {@link VarnishXkeyTest} proves against a
 * real Varnish that it purges what these requests name.
 */
class VarnishXkeyPurgeTest {

    private static final Dependency OWNER_4 = Dependency.row("owners", "id", "4");
    private static final Dependency PETS = Dependency.table("pets");

    @Test
    void aKeyIsAPurgeOfSlashWithItsTagInTheHeaderOfItsKindAndEachAnswerHasItsHint() {
        VarnishXkeyPurge hard = new VarnishXkeyPurge("http://cache:6081", false);
        VarnishXkeyPurge soft = new VarnishXkeyPurge("http://cache:6081", true);
        HttpRequest key = hard.request(HttpRequest.newBuilder(), OWNER_4.target()).build();
        assertThat(key.method()).isEqualTo("PURGE");
        assertThat(key.uri()).hasToString("http://cache:6081/");
        assertThat(key.headers().map()).containsEntry("xkey-purge", List.of(OWNER_4.tag()))
                .doesNotContainKey("xkey-softpurge");
        HttpRequest softKey = soft.request(HttpRequest.newBuilder(), OWNER_4.target())
                .build();
        assertThat(softKey.headers().map()).containsEntry("xkey-softpurge", List.of(OWNER_4.tag()))
                .doesNotContainKey("xkey-purge");
        HttpRequest path = hard.request(HttpRequest.newBuilder(), "/owners/4?x=1").build();
        assertThat(path.uri()).hasToString("http://cache:6081/owners/4?x=1");
        assertThat(path.headers().map()).doesNotContainKeys("xkey-purge", "xkey-softpurge");
        assertThat(hard.takes(OWNER_4.target()) && hard.takes("/owners")).as("keys and paths").isTrue();

        assertThat(hard.verdict(200).done()).isTrue();
        assertThat(hard.verdict(405).detail()).contains("HTTP 405", "xkey.purge(req.http.xkey-purge)", "ACL");
        assertThat(hard.verdict(503).detail()).contains("on every attempt", "import xkey");
        assertThat(hard.verdict(302).detail()).contains("xkeyPurgeUrls");
        assertThat(hard.verdict(431).detail()).contains("http_req_hdr_len");
        assertThat(hard.verdict(429).detail()).contains("HTTP 429", "limits the rate", "exempt purges");
        assertThat(hard).as("in Roan's description of its nodes")
                .hasToString("PURGE http://cache:6081 xkey-purge: {tag}");
    }

    @Test
    void severalKeysAreOnePurgeOfSlashNamingThemInOneHeader() {
        VarnishXkeyPurge hard = new VarnishXkeyPurge("http://cache:6081", false);
        HttpRequest keys = hard.keysRequest(HttpRequest.newBuilder(), List.of(OWNER_4.target(), PETS.target())).build();

        assertThat(keys.method()).isEqualTo("PURGE");
        assertThat(keys.uri()).hasToString("http://cache:6081/");
        assertThat(keys.headers().map()).containsEntry("xkey-purge", List.of(OWNER_4.tag() + " " + PETS.tag()));
        assertThat(hard.keysPerRequest()).isEqualTo(VarnishXkeyPurge.MAX_KEYS);
        assertThat(hard.method()).isEqualTo("PURGE xkey-purge");
        assertThat(new VarnishXkeyPurge("http://cache:6081", true).method()).isEqualTo("PURGE xkey-softpurge");
    }
}
