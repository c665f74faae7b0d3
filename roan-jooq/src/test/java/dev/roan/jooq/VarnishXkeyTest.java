package dev.roan.jooq;

import static dev.roan.jooq.NginxTest.assertCached;
import static dev.roan.jooq.NginxTest.assertPurged;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import dev.roan.testkit.RawHttp;
import dev.roan.testkit.Upstream;
import dev.roan.testkit.Varnish;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real Varnish with varnish-modules' xkey, started by the test with the README's VCL: pages carry Roan's {@code xkey}
 * header, and a purge of one key drops exactly the pages that carry it. Skipped without varnishd or the xkey vmod,
 * except under {@code CI=true}.
 */
class VarnishXkeyTest {

    private static final Dependency OWNER_4 = Dependency.row("owners", "id", "4");
    private static final Dependency OWNER_5 = Dependency.row("owners", "id", "5");
    private static final Dependency PETS = Dependency.table("pets");

    private LogCapture log;
    private Upstream app;
    private Varnish varnish;
    private Roan roan;
    /** What each page depends on, by path; its body shows how many times it was rendered. */
    private final Map<String, Set<Dependency>> pages = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> renders = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() {
        log = new LogCapture();
        pages.put("/owners/4", Set.of(OWNER_4, PETS));
        pages.put("/owners/5", Set.of(OWNER_5));
        app = Upstream.start(path -> path + " render " + renders.computeIfAbsent(path, p -> new AtomicInteger())
                .incrementAndGet(), path -> {
                    Set<Dependency> keys = pages.get(path);
                    return keys == null ? Map.of()
                            : Map.of("xkey", CacheTagHeader.VARNISH_XKEY.header().value(keys));
                });
        varnish = Varnish.startWithXkey(app.address());
    }

    @AfterEach
    void tearDown() {
        try {
            if (roan != null) {
                roan.close();
            }
            if (varnish != null) {
                varnish.close();
            }
            app.close();
        } finally {
            log.close();
        }
    }

    private Roan roan(Roan.Builder builder) {
        roan = builder.closeTimeout(java.time.Duration.ofMillis(200)).build();
        return roan;
    }

    /** What a committed write of these keys sends: their targets, as the held purges of a transaction are. */
    private void written(Dependency... keys) {
        roan.delivery().dispatcher().submit(java.util.Arrays.stream(keys).map(Dependency::target).toList());
        assertThat(roan.flush(Waits.DELIVERY)).as("flush").isTrue();
    }

    @Test
    void aPurgeOfOneKeyDropsExactlyThePagesThatCarryIt() {
        roan(Roan.builder().xkeyPurgeUrls(varnish.baseUrl()));
        assertThat(roan.purgeUrls()).as("no nginx node by default beside the xkey node").isEmpty();
        assertCached(varnish.baseUrl(), "/owners/4", null, "render 1");
        assertCached(varnish.baseUrl(), "/owners/5", null, "render 1");

        written(OWNER_4);

        assertPurged(varnish.baseUrl(), "/owners/4", null, "render 2");
        assertCached(varnish.baseUrl(), "/owners/5", null, "render 1");

        written(PETS);
        assertPurged(varnish.baseUrl(), "/owners/4", null, "render 3");
        assertCached(varnish.baseUrl(), "/owners/5", null, "render 1");
        assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
    }

    @Test
    void aSoftPurgeMarksThePagesStaleSoTheNextReadFetchesThem() {
        roan(Roan.builder().xkeyPurgeUrls(varnish.baseUrl()).softPurge(true));
        assertCached(varnish.baseUrl(), "/owners/4", null, "render 1");
        assertCached(varnish.baseUrl(), "/owners/5", null, "render 1");

        written(OWNER_4);

        // Without grace (the VCL's is 0s), a soft-purged page is fetched again at once.
        assertThat(RawHttp.get(varnish.baseUrl(), "/owners/4").body()).as("after the soft purge")
                .contains("render 2");
        assertCached(varnish.baseUrl(), "/owners/5", null, "render 1");
    }

    @Test
    void aPagePathIsPurgedByItsUrlOnTheSameNode() {
        roan(Roan.builder().xkeyPurgeUrls(varnish.baseUrl()));
        assertCached(varnish.baseUrl(), "/vets", null, "render 1");
        assertCached(varnish.baseUrl(), "/owners/5", null, "render 1");

        roan.delivery().dispatcher().submit(List.of("/vets"));
        assertThat(roan.flush(Waits.DELIVERY)).as("flush").isTrue();

        assertPurged(varnish.baseUrl(), "/vets", null, "render 2");
        assertCached(varnish.baseUrl(), "/owners/5", null, "render 1");
    }

    @Test
    void aHeaderAtItsLimitIsTakenWholeByVarnishAndOneByteMoreIsNot() {
        // 340 row keys and a table key whose name pads the value to exactly the xkey limit: the last key still purges.
        int limit = 8192 - "xkey: ".length();
        Set<Dependency> keys = new LinkedHashSet<>();
        for (int i = 0; i < 340; i++) {
            keys.add(Dependency.row("visits", "id", String.valueOf(i)));
        }
        keys.add(Dependency.table("z".repeat(limit - 340 * 24 - "roan-t-".length())));
        pages.put("/big", keys);
        assertThat(CacheTagHeader.VARNISH_XKEY.header().value(keys)).hasSize(limit);
        roan(Roan.builder().xkeyPurgeUrls(varnish.baseUrl()));
        assertCached(varnish.baseUrl(), "/big", null, "render 1");

        written(Dependency.row("visits", "id", "339"));
        assertPurged(varnish.baseUrl(), "/big", null, "render 2");

        // Why the limit is what it is: Varnish's http_resp_hdr_len (8,192) counts "xkey: " and the value.
        pages.put("/over", Set.of(Dependency.table("z".repeat(limit + 1 - "roan-t-".length()))));
        assertThat(RawHttp.get(varnish.baseUrl(), "/over").status()).as("one byte over: Varnish fails the page")
                .isEqualTo(503);
    }

    @Test
    void pathNodesGetPathsAndXkeyNodesGetKeysAndPaths() {
        try (dev.roan.testkit.PurgeServer nginx = new dev.roan.testkit.PurgeServer()) {
            roan(Roan.builder().purgeUrl(nginx.purgeUrl()).xkeyPurgeUrls(varnish.baseUrl()));
            assertCached(varnish.baseUrl(), "/owners/4", null, "render 1");
            assertCached(varnish.baseUrl(), "/vets", null, "render 1");

            roan.delivery().dispatcher().submit(List.of(OWNER_4.target(), "/vets"));
            assertThat(roan.flush(Waits.DELIVERY)).as("flush").isTrue();

            assertThat(nginx.paths()).as("the path node: the path only").containsExactly("/vets");
            assertPurged(varnish.baseUrl(), "/owners/4", null, "render 2");
            assertPurged(varnish.baseUrl(), "/vets", null, "render 2");
            Map<String, Integer> byNode = new HashMap<>();
            roan.cacheNodes().forEach(n -> byNode.put(n.purgeUrl(), n.owedPurges()));
            assertThat(byNode).as("nodes").containsOnlyKeys(nginx.purgeUrl(), varnish.baseUrl());
        }
    }
}
