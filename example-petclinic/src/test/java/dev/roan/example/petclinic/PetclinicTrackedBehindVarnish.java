package dev.roan.example.petclinic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.testkit.Varnish;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The petclinic in tracked mode (no rule, no purge by hand, every page through {@code Roan.track}) behind a real
 * Varnish with varnish-modules' xkey ({@link Varnish#startWithXkey}, the README's VCL): each page carries its
 * dependencies in an {@code xkey} header, and a write purges them by key ({@code roan.xkey-purge-url}); Roan keeps no
 * index. Varnish also stores 404s: the new owner's page, asked for before the owner exists, must be purged by the
 * insert. On H2 ({@link PetclinicTrackedBehindVarnishTest}) and PostgreSQL
 * ({@link PetclinicTrackedBehindVarnishPostgresTest}).
 */
abstract class PetclinicTrackedBehindVarnish extends PetclinicBehindCache {

    @Override
    Cache startCache(String upstream, List<String> args) {
        Varnish varnish = Varnish.startWithXkey(upstream);
        args.add("--spring.profiles.active=tracked,varnish");
        args.add("--roan.xkey-purge-url=" + varnish.purgeUrl());
        return new Cache() {
            @Override
            public String baseUrl() {
                return varnish.baseUrl();
            }

            @Override
            public String statusHeader() {
                return "X-Cache";
            }

            @Override
            public void drop(String page) {
                send(HttpRequest.newBuilder(URI.create(varnish.baseUrl() + page))
                        .method("PURGE", HttpRequest.BodyPublishers.noBody()).build());
            }

            @Override
            public void stop() {
                varnish.stop();
            }
        };
    }

    @Override
    boolean tracked() {
        return true;
    }

    @Test
    void everyPageCarriesItsKeysInTheHeaderVarnishReads() {
        // As the application answers Varnish (whose VCL keeps the header from readers): an owner page's keys are
        // row keys and tables, short tokens separated by spaces.
        for (String page : List.of("/owners/1", "/owners?lastName=Davis", "/owners?page=1", "/vets", "/owners/99")) {
            assertThat(get(direct(), page).headers().firstValue("xkey")).as("xkey header of %s", page)
                    .hasValueSatisfying(keys -> assertThat(keys.split(" ")).allMatch(key -> key.startsWith("roan-")));
        }
    }
}
