package dev.roan.example.petclinic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.testkit.Nginx;
import dev.roan.testkit.RawHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The petclinic with its rules ({@code PetclinicRules}, the list pages purged by hand) behind a real nginx configured
 * as {@code nginx/nginx.conf} says, which never caches the prefix search: on H2 ({@link PetclinicBehindNginxTest})
 * and PostgreSQL ({@link PetclinicBehindNginxPostgresTest}).
 */
abstract class PetclinicBehindNginx extends PetclinicBehindCache {

    @Override
    Cache startCache(String upstream, List<String> args) {
        return nginx(upstream, args, false);
    }

    /** nginx as documented in front of {@code upstream}; Roan purges it through its purge location. */
    static Cache nginx(String upstream, List<String> args, boolean cachePrefixSearch) {
        Nginx nginx = Nginx.start(documentedNginx(upstream, cachePrefixSearch));
        args.add("--roan.purge-url=" + nginx.purgeUrl());
        return new Cache() {
            @Override
            public String baseUrl() {
                return nginx.baseUrl();
            }

            @Override
            public String statusHeader() {
                return "X-Cache-Status";
            }

            @Override
            public void drop(String page) {
                RawHttp.get(nginx.baseUrl(), "/purge" + page);
            }

            @Override
            public void stop() {
                nginx.stop();
            }
        };
    }

    @Test
    void prefixSearchIsNeverServedFromTheCache() {
        String added = post("/owners/new", Map.of("firstName", "Ada", "lastName", "Prefixson",
                "address", "2 Elm St.", "city", "Madison", "telephone", "6085550111"));
        String search = "/owners?lastNameStartsWith=Prefix";
        for (String target : List.of(search, search, "/owners?lastNameStartsWith=", "/owners?lastNameStartsWith")) {
            HttpResponse<String> page = get(cache.baseUrl(), target);
            assertThat(page.headers().firstValue("X-Cache-Status")).as("cache status of %s", target)
                    .hasValue("BYPASS");
        }
        assertThat(get(cache.baseUrl(), search).body()).contains("Ada Prefixson");

        post(added + "/edit", Map.of("firstName", "Ada", "lastName", "Prefixdottir", "address", "2 Elm St.",
                "city", "Madison", "telephone", "6085550111"));

        HttpResponse<String> after = get(cache.baseUrl(), search);
        assertThat(after.body()).as("the prefix search after the rename").contains("Ada Prefixdottir")
                .doesNotContain("Prefixson");
        assertThat(after.body()).isEqualTo(get(direct(), search).body());
        // Not stored either: nginx never answers it from its cache, even once the rename is long done.
        assertThat(get(cache.baseUrl(), search).headers().firstValue("X-Cache-Status")).hasValue("BYPASS");
    }

    @Test
    void theSessionBypassStillHoldsBesideThePrefixSearch() {
        // proxy_cache_bypass and proxy_no_cache add up: the prefix search's line must not replace the session's.
        HttpResponse<String> signedIn = send(HttpRequest.newBuilder(URI.create(cache.baseUrl() + "/vets"))
                .header("Cookie", "JSESSIONID=abc").GET().build());
        assertThat(signedIn.headers().firstValue("X-Cache-Status")).as("cache status of /vets with a session")
                .hasValue("BYPASS");
    }}
