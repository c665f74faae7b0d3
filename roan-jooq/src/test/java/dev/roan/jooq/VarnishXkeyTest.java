package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.roan.testkit.RawHttp;
import dev.roan.testkit.Upstream;
import dev.roan.testkit.Varnish;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real Varnish with varnish-modules' xkey, started by the test with the README's VCL as written (only its backend's
 * address replaced): pages carry Roan's {@code xkey} header, and a purge of one key drops exactly the pages that carry
 * it. A page's body counts its renders, so a read that shows the same count came from the cache. Skipped without
 * varnishd or the xkey vmod, except under {@code CI=true}.
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
    }

    /** The README's xkey VCL, for the upstream's address. */
    static String readmeVcl(String host, int port) {
        String readme = null;
        // Found from the module the tests run in (roan-jooq, or compat-jooq-3.21).
        for (Path dir = Path.of("").toAbsolutePath(); dir != null && readme == null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("example"))) {
                try {
                    readme = Files.readString(dir.resolve("README.md"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        if (readme == null) {
            throw new IllegalStateException("README.md not found above " + Path.of("").toAbsolutePath());
        }
        int section = readme.indexOf("##### Varnish with xkey");
        Matcher block = Pattern.compile("```vcl\n(.*?)```", Pattern.DOTALL).matcher(readme);
        if (section < 0 || !block.find(section)) {
            throw new IllegalStateException("README.md has no ```vcl block after '##### Varnish with xkey'");
        }
        String backend = ".host = \"127.0.0.1\"; .port = \"8080\";";
        if (!block.group(1).contains(backend)) {
            throw new IllegalStateException("the README's xkey VCL no longer holds '" + backend + "', which the test"
                    + " replaces; adapt VarnishXkeyTest to it");
        }
        return block.group(1).replace(backend, ".host = \"" + host + "\"; .port = \"" + port + "\";");
    }

    private void startReadmeVarnish() {
        varnish = Varnish.startWithXkey(app.address(), VarnishXkeyTest::readmeVcl);
    }

    private String read(String path) {
        RawHttp.Response page = RawHttp.get(varnish.baseUrl(), path);
        assertThat(page.status()).as("status of %s", path).isEqualTo(200);
        assertThat(page.header("xkey")).as("the keys are Varnish's").isEmpty();
        return page.body();
    }

    /** Two reads of {@code path} show {@code render}: the second, at least, from the cache. */
    private void assertCached(String path, int render) {
        assertThat(read(path)).as("read of %s", path).endsWith(" render " + render);
        assertThat(read(path)).as("read again of %s: from the cache", path).endsWith(" render " + render);
    }

    /** The next read of {@code path} renders it again: it was purged. */
    private void assertPurged(String path, int render) {
        assertThat(read(path)).as("read of %s after the purge", path).endsWith(" render " + render);
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
        startReadmeVarnish();
        roan(Roan.builder().xkeyPurgeUrls(varnish.baseUrl()));
        assertThat(roan.purgeUrls()).as("no nginx node by default beside the xkey node").isEmpty();
        assertCached("/owners/4", 1);
        assertCached("/owners/5", 1);

        written(OWNER_4);

        assertPurged("/owners/4", 2);
        assertCached("/owners/5", 1);

        written(PETS);
        assertPurged("/owners/4", 3);
        assertCached("/owners/5", 1);
        assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
    }

    @Test
    void aSoftPurgeMarksThePagesStaleSoTheNextReadFetchesThem() {
        // The testkit's VCL: without grace (the README's VCL keeps Varnish's 10 s), a soft-purged page is fetched again
        // at once.
        varnish = Varnish.startWithXkey(app.address());
        roan(Roan.builder().xkeyPurgeUrls(varnish.baseUrl()).softPurge(true));
        assertCached("/owners/4", 1);
        assertCached("/owners/5", 1);

        written(OWNER_4);

        assertThat(RawHttp.get(varnish.baseUrl(), "/owners/4").body()).as("after the soft purge")
                .contains("render 2");
        assertCached("/owners/5", 1);
    }

    @Test
    void aPagePathIsPurgedByItsUrlOnTheSameNode() {
        startReadmeVarnish();
        roan(Roan.builder().xkeyPurgeUrls(varnish.baseUrl()));
        assertCached("/vets", 1);
        assertCached("/owners/5", 1);

        roan.delivery().dispatcher().submit(List.of("/vets"));
        assertThat(roan.flush(Waits.DELIVERY)).as("flush").isTrue();

        assertPurged("/vets", 2);
        assertCached("/owners/5", 1);
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
        startReadmeVarnish();
        assertThat(CacheTagHeader.VARNISH_XKEY.header().value(keys)).hasSize(limit);
        roan(Roan.builder().xkeyPurgeUrls(varnish.baseUrl()));
        assertCached("/big", 1);

        written(Dependency.row("visits", "id", "339"));
        assertPurged("/big", 2);

        // Why the limit is what it is: Varnish's http_resp_hdr_len (8,192) counts "xkey: " and the value.
        pages.put("/over", Set.of(Dependency.table("z".repeat(limit + 1 - "roan-t-".length()))));
        assertThat(RawHttp.get(varnish.baseUrl(), "/over").status()).as("one byte over: Varnish fails the page")
                .isEqualTo(503);
    }

    @Test
    void pathNodesGetPathsAndXkeyNodesGetKeysAndPaths() {
        startReadmeVarnish();
        try (dev.roan.testkit.PurgeServer nginx = new dev.roan.testkit.PurgeServer()) {
            roan(Roan.builder().purgeUrl(nginx.purgeUrl()).xkeyPurgeUrls(varnish.baseUrl()));
            assertCached("/owners/4", 1);
            assertCached("/vets", 1);

            roan.delivery().dispatcher().submit(List.of(OWNER_4.target(), "/vets"));
            assertThat(roan.flush(Waits.DELIVERY)).as("flush").isTrue();

            assertThat(nginx.paths()).as("the path node: the path only").containsExactly("/vets");
            assertPurged("/owners/4", 2);
            assertPurged("/vets", 2);
            Map<String, Integer> byNode = new HashMap<>();
            roan.cacheNodes().forEach(n -> byNode.put(n.purgeUrl(), n.owedPurges()));
            assertThat(byNode).as("nodes").containsOnlyKeys(nginx.purgeUrl(), varnish.baseUrl());
        }
    }

    @Test
    void severalKeysInOneHeaderPurgeEveryPageThatCarriesAnyOfThem() throws Exception {
        pages.put("/vets", Set.of(Dependency.table("vets")));
        startReadmeVarnish();
        assertCached("/owners/4", 1);
        assertCached("/owners/5", 1);
        assertCached("/vets", 1);

        VarnishXkeyPurge protocol = new VarnishXkeyPurge(varnish.baseUrl(), false);
        java.net.http.HttpRequest batch = protocol.request(java.net.http.HttpRequest.newBuilder(),
                List.of(OWNER_5.target(), Dependency.row("owners", "id", "99").target(), PETS.target())).build();
        assertThat(batch.headers().firstValue("xkey-purge")).as("one header, the keys separated by spaces")
                .hasValue(OWNER_5.tag() + " " + Dependency.row("owners", "id", "99").tag() + " " + PETS.tag());
        int status = java.net.http.HttpClient.newHttpClient().send(batch,
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        assertThat(protocol.verdict(status).done()).as("HTTP %d", status).isTrue();
        assertPurged("/owners/4", 2);
        assertPurged("/owners/5", 2);
        assertCached("/vets", 1);

        // A backlog through Roan: 200 keys owed at once go several to a request, and each still purges its pages.
        roan(Roan.builder().xkeyPurgeUrls(varnish.baseUrl()));
        List<String> backlog = new java.util.ArrayList<>();
        for (int i = 0; i < 199; i++) {
            backlog.add(Dependency.row("visits", "id", String.valueOf(i)).target());
        }
        backlog.add(100, Dependency.table("vets").target());
        roan.delivery().dispatcher().submit(backlog);
        assertThat(roan.flush(Waits.DELIVERY)).as("flush").isTrue();
        assertPurged("/vets", 2);
        assertCached("/owners/5", 2);
    }
}
