package dev.roan.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Varnish in front of an upstream, started by a test: {@code varnishd -F -j none} (foreground, no user
 * switch, so it runs as root in CI and as anyone elsewhere) on a free loopback port, with its working directory
 * ({@code -n}), VCL and output in a temporary folder that {@link #close()} deletes after stopping it.
 *
 * <p>The VCL ({@link #vcl()}) caches every page for ten years, answers {@code X-Cache: HIT} or {@code MISS}, and
 * takes {@code PURGE {base}{path}} from the loopback address ({@code return (purge)}), so the purge URL to give
 * Roan is the base URL, with {@code purgeMethod("PURGE")}.
 *
 * <p>{@link #startWithXkey(String)} runs the VCL of varnish-modules' xkey instead ({@link #xkeyVcl}): pages are
 * tagged by their {@code xkey} response header, and {@code PURGE} with an {@code xkey-purge} (or
 * {@code xkey-softpurge}) header purges every page with one of its keys.
 *
 * <pre>{@code
 * try (Upstream app = Upstream.start(path -> render(path));
 *      Varnish varnish = Varnish.start(app.address())) {
 *     Roan roan = Roan.builder().purgeUrl(varnish.purgeUrl()).purgeMethod("PURGE").build();
 *     ...
 * }
 * }</pre>
 *
 * <p>Needs Varnish installed (Debian or Ubuntu: {@code apt-get install varnish}; for xkey also
 * {@code varnish-modules}, of the same release as Varnish) and a C compiler, which varnishd uses to compile its VCL
 * (Debian's varnish package depends on one). When varnishd (or, for xkey, the xkey vmod) is missing the calling test is
 * skipped (a JUnit assumption) with a message that names the package, or fails under {@code CI=true}
 * ({@link Programs#unavailable(String)}).
 *
 * @since 0.1.0
 */
public final class Varnish implements AutoCloseable {

    /** Varnish compiles its VCL with a C compiler at start: allow for a busy machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final String READY_PATH = "/.roan-testkit/ready";

    private final Path folder;
    private final int port;
    private final String vcl;
    private final ProgramProcess process;

    private Varnish(Path folder, int port, String vcl, ProgramProcess process) {
        this.folder = folder;
        this.port = port;
        this.vcl = vcl;
        this.process = process;
    }

    /**
     * Starts Varnish in front of {@code upstream} and returns once it answers.
     *
     * @param upstream the application's address, {@code host:port} with a numeric host, such as {@code "127.0.0.1:8080"}
     * @return the started Varnish; close it after the test
     * @throws IllegalStateException if varnishd does not start, with what it printed
     */
    public static Varnish start(String upstream) {
        return start(upstream, Varnish::vcl);
    }

    /**
     * Starts Varnish with varnish-modules' xkey in front of {@code upstream} and returns once it answers: the VCL of
     * {@link #xkeyVcl}, which the README shows.
     *
     * @param upstream the application's address, {@code host:port} with a numeric host, such as {@code "127.0.0.1:8080"}
     * @return the started Varnish; close it after the test
     * @throws IllegalStateException if varnishd does not start, with what it printed
     */
    public static Varnish startWithXkey(String upstream) {
        return startWithXkey(upstream, Varnish::xkeyVcl);
    }

    /**
     * Starts Varnish with varnish-modules' xkey and a VCL of the test's, such as the README's, and returns once
     * {@code GET /.roan-testkit/ready} answers 200 (through the VCL, from the upstream if the VCL passes it on).
     *
     * @param vcl the VCL for the upstream's numeric host and port
     * @param upstream the application's address, {@code host:port} with a numeric host
     * @return the started Varnish; close it after the test
     */
    public static Varnish startWithXkey(String upstream, java.util.function.BiFunction<String, Integer, String> vcl) {
        if (java.util.Arrays.stream(XKEY_VMODS).map(Path::of).noneMatch(Files::isRegularFile)) {
            Programs.unavailable("varnish-modules' xkey vmod not found (looked at " + String.join(", ", XKEY_VMODS)
                    + "); install it with `apt-get install -y varnish-modules`");
        }
        return start(upstream, vcl);
    }

    /** Where Debian's varnish-modules puts the xkey vmod, on each architecture, and a source build's place. */
    private static final String[] XKEY_VMODS = {"/usr/lib/x86_64-linux-gnu/varnish/vmods/libvmod_xkey.so",
        "/usr/lib/aarch64-linux-gnu/varnish/vmods/libvmod_xkey.so", "/usr/lib/varnish/vmods/libvmod_xkey.so",
        "/usr/local/lib/varnish/vmods/libvmod_xkey.so"};

    private static Varnish start(String upstream, java.util.function.BiFunction<String, Integer, String> vclOf) {
        Path varnishd = Programs.require("varnishd", "varnish", "/usr/sbin/varnishd", "/usr/local/sbin/varnishd",
                "/usr/bin/varnishd");
        URI backend = URI.create("http://" + upstream);
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Programs.freePort();
            Path folder = ProgramProcess.temporaryFolder("roan-varnish-");
            String vcl = vclOf.apply(backend.getHost(), backend.getPort());
            Path vclFile = folder.resolve("default.vcl");
            try {
                Files.writeString(vclFile, vcl, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ProgramProcess process = ProgramProcess.start("varnishd", List.of(varnishd.toString(),
                    "-F",                                   // foreground: its process id is the one to stop
                    "-j", "none",                           // no jail: no user switch, no chown of the folder
                    "-a", "127.0.0.1:" + port,
                    "-T", "none",                           // no management port to collide with
                    "-n", folder.resolve("work").toString(),
                    "-f", vclFile.toString(),
                    "-s", "malloc,32m"), folder);
            Varnish started = new Varnish(folder, port, vcl, process);
            try {
                process.awaitReady(START_TIMEOUT, () -> answers(started), "\nits VCL:\n" + vcl);
                return started;
            } catch (IllegalStateException e) {
                started.stop();
                if (!e.getMessage().contains("in use")) {
                    throw e;
                }
                failure = e;
            }
        }
        throw failure;
    }

    private static boolean answers(Varnish varnish) {
        try {
            return RawHttp.get(varnish.baseUrl(), READY_PATH).status() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /**
     * The address readers use, {@code http://127.0.0.1:PORT}.
     *
     * @return the base URL of the cached pages
     */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * The purge URL to give Roan (with {@code purgeMethod("PURGE")}): the base URL, purges are {@code PURGE {base}{path}}.
     *
     * @return the purge URL for {@code Roan.builder().purgeUrl(...)}
     */
    public String purgeUrl() {
        return baseUrl();
    }

    /**
     * The VCL it runs, for messages and for copying into documentation.
     *
     * @return the VCL text
     */
    public String vcl() {
        return vcl;
    }

    /**
     * Everything varnishd printed so far.
     *
     * @return varnishd's output
     */
    public String output() {
        return process.output();
    }

    /** Stops varnishd (SIGTERM to its manager process, which stops its cache process) and deletes its folder. */
    public void stop() {
        process.close();
        ProgramProcess.deleteRecursively(folder);
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "varnish on " + baseUrl();
    }

    /**
     * The VCL of {@link #startWithXkey}, as the README shows it: pages cached as by {@link #vcl()}'s, tagged by their
     * {@code xkey} response header (keys separated by spaces); from the loopback address, {@code PURGE} with an
     * {@code xkey-purge} header purges the pages of its keys, with {@code xkey-softpurge} marks them stale, and
     * without either purges the URL. A purge by key answers {@code 200} with {@code X-Purged: <count>}.
     *
     * @param host the upstream's numeric host, such as {@code 127.0.0.1}
     * @param port the upstream's port
     * @return the VCL text
     */
    public static String xkeyVcl(String host, int port) {
        return """
                vcl 4.1;
                # Written by dev.roan.testkit.Varnish for one test: the README's xkey VCL.
                import xkey;

                backend default {
                    .host = "%s";
                    .port = "%d";
                }

                acl purgers {
                    "127.0.0.1";
                    "::1";
                }

                sub vcl_recv {
                    if (req.url == "%s") {
                        return (synth(200, "ready"));
                    }
                    if (req.method == "PURGE") {
                        if (client.ip !~ purgers) {
                            return (synth(405, "PURGE is not allowed from " + client.ip));
                        }
                        if (req.http.xkey-purge) {
                            # Every page whose xkey header names one of these keys (separated by spaces).
                            set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
                            return (synth(200, "Purged by key"));
                        }
                        if (req.http.xkey-softpurge) {
                            set req.http.X-Purged = xkey.softpurge(req.http.xkey-softpurge);
                            return (synth(200, "Soft-purged by key"));
                        }
                        # A page path: the object of this URL and Host.
                        return (purge);
                    }
                }

                sub vcl_backend_response {
                    set beresp.ttl = 3650d;
                    set beresp.grace = 0s;
                    return (deliver);
                }

                sub vcl_synth {
                    if (req.http.X-Purged) {
                        set resp.http.X-Purged = req.http.X-Purged;
                    }
                }

                sub vcl_deliver {
                    # The keys are for Varnish: readers need not see them.
                    unset resp.http.xkey;
                    if (obj.hits > 0) {
                        set resp.http.X-Cache = "HIT";
                    } else {
                        set resp.http.X-Cache = "MISS";
                    }
                }
                """.formatted(host, port, READY_PATH);
    }

    private static String vcl(String host, int port) {
        return """
                vcl 4.1;
                # Written by dev.roan.testkit.Varnish for one test.

                backend default {
                    .host = "%s";
                    .port = "%d";
                }

                acl purgers {
                    "127.0.0.1";
                    "::1";
                }

                sub vcl_recv {
                    if (req.url == "%s") {
                        return (synth(200, "ready"));
                    }
                    if (req.method == "PURGE") {
                        if (client.ip !~ purgers) {
                            return (synth(405, "PURGE is not allowed from " + client.ip));
                        }
                        # Drops the object of this URL and Host (and all its variants).
                        return (purge);
                    }
                }

                sub vcl_backend_response {
                    # Forever, as far as a test goes: only a purge makes the next request a miss.
                    set beresp.ttl = 3650d;
                    set beresp.grace = 0s;
                    return (deliver);
                }

                sub vcl_deliver {
                    if (obj.hits > 0) {
                        set resp.http.X-Cache = "HIT";
                    } else {
                        set resp.http.X-Cache = "MISS";
                    }
                }
                """.formatted(host, port, READY_PATH);
    }
}
