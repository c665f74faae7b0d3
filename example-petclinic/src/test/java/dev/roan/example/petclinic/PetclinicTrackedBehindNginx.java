package dev.roan.example.petclinic;

import java.util.List;

/**
 * The petclinic in tracked mode (no rule, no purge by hand, every page through {@code Roan.track}) behind a real
 * nginx, which has no tags: Roan's page index turns each write's dependencies into the URLs that read them. The
 * prefix search is cached too. On H2 ({@link PetclinicTrackedBehindNginxTest}) and PostgreSQL
 * ({@link PetclinicTrackedBehindNginxPostgresTest}).
 */
abstract class PetclinicTrackedBehindNginx extends PetclinicBehindCache {

    @Override
    Cache startCache(String upstream, List<String> args) {
        args.add("--spring.profiles.active=tracked");
        return PetclinicBehindNginx.nginx(upstream, args, true);
    }

    @Override
    boolean tracked() {
        return true;
    }
}
