package dev.roan.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

import org.junit.jupiter.api.Assumptions;

/**
 * A real nginx with ngx_cache_purge in front of an upstream, started by a test: one process in the foreground
 * ({@code daemon off; master_process off}, so root and non-root alike run it without a user switch), listening on
 * a free loopback port, with its configuration, cache, temporary files, pid and logs in a temporary folder that
 * {@link #close()} deletes after stopping the process.
 *
 * <p>The configuration is the README's: pages are cached forever under {@link Builder#cacheKey(String) the cache
 * key}, the request target as sent by default; requests with a session cookie ({@code JSESSIONID}, or Spring
 * Session's {@code SESSION}) or credentials ({@code Authorization}) are neither served from the cache nor stored,
 * and neither is a response that sets a cookie. Every answer carries {@code X-Cache-Status} ({@code MISS},
 * {@code HIT}, {@code BYPASS}); {@link #accessLog()} has a line per request, {@code "METHOD /raw/uri STATUS
 * CACHE_STATUS"}. How purges are taken is chosen with {@link Purge}.
 *
 * <pre>{@code
 * try (Nginx nginx = Nginx.builder("127.0.0.1:" + appPort).start()) {
 *     Roan roan = Roan.builder().purgeUrl(nginx.purgeUrl()).build();   // GET {base}/purge{path}
 *     ...
 * }
 * }</pre>
 *
 * <p>Needs nginx and the ngx_cache_purge module installed (Debian or Ubuntu: {@code apt-get install nginx
 * libnginx-mod-http-cache-purge}; the module is loaded from {@value #PURGE_MODULE}, or compiled in). The
 * packaged service plays no part: this nginx runs as the test's user with a configuration of its own. When nginx or
 * the module is missing the calling test is skipped (a JUnit assumption) with a message that names the packages, or
 * fails under {@code CI=true} ({@link Programs#unavailable(String)}).
 *
 * @since 0.1.0
 */
public final class Nginx implements AutoCloseable {

    /**
     * The start of an nginx configuration for one test, up to and into {@code http { ... }}: no daemon, files relative
     * to the prefix, an access log of method, target, status and cache status. The caller adds its {@code http} body
     * and the closing brace.
     *
     * @param loadModule whether to load ngx_cache_purge ({@value #PURGE_MODULE}); false where it is compiled in
     * @return the configuration up to and into {@code http { ... }}
     */
    public static String head(boolean loadModule) {
        return (loadModule ? "load_module " + PURGE_MODULE + ";\n" : "") + """
                daemon off;
                master_process off;
                pid nginx.pid;
                error_log stderr notice;

                events {
                    worker_connections 64;
                }

                http {
                    log_format roan '$request_method $request_uri $status $upstream_cache_status';
                    access_log access.log roan;

                    client_body_temp_path client_body_temp;
                    proxy_temp_path proxy_temp;
                    fastcgi_temp_path fastcgi_temp;
                    uwsgi_temp_path uwsgi_temp;
                    scgi_temp_path scgi_temp;
                """;
    }


    /** Where Debian's libnginx-mod-http-cache-purge puts the module. */
    public static final String PURGE_MODULE = "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so";
    /** The cache zone of the generated configuration, as named in {@code proxy_cache_purge}. */
    public static final String ZONE = "roan";
    /**
     * The cache key unless {@link Builder#cacheKey(String)} sets another: the path and query exactly as the reader
     * sent them, which is also what the application receives.
     */
    public static final String DEFAULT_CACHE_KEY = "$request_uri";
    /**
     * The variable that holds a purge's page key in the purge-location forms: the request target as sent, less its
     * leading {@code /purge}, such as {@code /posts/a%0Ab}; empty for every request that is not a purge.
     */
    public static final String PURGE_KEY = "$purge_key";

    private static final String PACKAGES = "nginx libnginx-mod-http-cache-purge";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(5);
    private static final String SYNC_PATH = "/.roan-testkit/sync";

    /** How the nginx takes purges. */
    public enum Purge {
        /**
         * The README's form: a request whose target, as sent, starts with {@code /purge/} ({@code map $request_uri
         * $purge_key}) is rewritten before any location is chosen to the internal {@code location = /.roan-purge {
         * internal; allow 127.0.0.1; deny all; proxy_cache_purge roan <purge key>; }}, purge key {@value #PURGE_KEY}
         * by default. Purges are {@code GET {base}/purge{path}} (ngx_cache_purge takes any method there, PURGE too).
         */
        LOCATION,
        /**
         * ngx_cache_purge's "same location" form: {@code proxy_cache_purge PURGE from 127.0.0.1;} inside the cached
         * location. Purges are {@code PURGE {base}{path}}. ngx_cache_purge 2.3 (Debian 12) crashes nginx on such a
         * purge (nginx-modules/ngx_cache_purge#2, fixed in 2.4): {@link Builder#start()} then skips the test.
         */
        SAME_LOCATION,
        /**
         * {@code PURGE {base}{path}} without the same-location form, working with every module version: the cached
         * location hands PURGE to a named location ({@code error_page 418 = @purge; if ($request_method = PURGE)
         * { return 418; }}) that runs {@code proxy_cache_purge roan <purge key>} with the page's own cache key.
         */
        NAMED_LOCATION,
        /** A purge location whose {@code allow} list does not hold the caller: every purge is answered 403. */
        DENIED
    }

    private final Path folder;
    private final int port;
    private final Purge purge;
    private final String config;
    private ProgramProcess process;

    private Nginx(Path folder, int port, Purge purge, String config, ProgramProcess process) {
        this.folder = folder;
        this.port = port;
        this.purge = purge;
        this.config = config;
        this.process = process;
    }

    /**
     * Writes a whole nginx configuration for {@link #start(Configuration)}, such as a documented one with its
     * addresses replaced. Relative paths in it are inside the folder of the nginx ({@code -p}).
     */
    @FunctionalInterface
    public interface Configuration {

        /**
         * The configuration's text.
         *
         * @param port the free loopback port to listen on, {@code 127.0.0.1:port}
         * @param loadModule whether it must load ngx_cache_purge ({@code load_module} {@value Nginx#PURGE_MODULE});
         *     false where nginx has the module compiled in
         * @return the whole configuration
         */
        String write(int port, boolean loadModule);
    }

    /**
     * Starts nginx with a configuration of the caller's instead of a generated one, so that a test runs a
     * documented configuration as written. Purges go to {@link #purgeUrl()}, {@code {base}/purge}; it counts as
     * started once it answers any request. Skips the calling test (fails it under {@code CI=true}) when nginx or
     * ngx_cache_purge is missing.
     *
     * @param configuration writes the whole configuration for the port and module
     * @return the started nginx; close it after the test
     * @throws IllegalStateException if nginx does not start, with what it printed
     */
    public static Nginx start(Configuration configuration) {
        return launch(configuration, Purge.LOCATION, nginx -> answers(nginx, status -> true));
    }

    /**
     * A builder for an nginx in front of {@code upstream}.
     *
     * @param upstream the application's address, {@code host:port}, such as {@code "127.0.0.1:8080"}
     * @return a builder; {@link Builder#start()} starts nginx
     */
    public static Builder builder(String upstream) {
        return new Builder(upstream);
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
     * The purge URL to give Roan: {@code {base}/purge} for the purge-location forms, the base URL itself for the
     * forms that take {@code PURGE {base}{path}}.
     *
     * @return the purge URL for {@code Roan.builder().purgeUrl(...)}
     */
    public String purgeUrl() {
        return purge == Purge.SAME_LOCATION || purge == Purge.NAMED_LOCATION ? baseUrl() : baseUrl() + "/purge";
    }

    /**
     * The generated configuration, for messages and for copying into documentation.
     *
     * @return the configuration nginx runs
     */
    public String config() {
        return config;
    }

    /**
     * The folder of this nginx: configuration, cache, logs. Deleted by {@link #close()}.
     *
     * @return the temporary folder of this nginx
     */
    public Path folder() {
        return folder;
    }

    /**
     * The access log, a line per request: {@code "METHOD /raw/uri?query STATUS CACHE_STATUS"}, such as
     * {@code "GET /purge/posts 404 -"} ({@code access.log} in the format it has for a {@link #start(Configuration)
     * configuration of the caller's}). Every request answered before this call is in it: nginx runs one process
     * and writes a request's line before it reads the next request, and this method sends one first.
     *
     * @return the lines of the access log, oldest first
     */
    public List<String> accessLog() {
        RawHttp.get(baseUrl(), SYNC_PATH);
        try {
            return Files.readAllLines(folder.resolve("access.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Everything nginx printed on stderr so far.
     *
     * @return what nginx printed on stderr
     */
    public String errorLog() {
        return process.output();
    }

    /** Stops nginx (SIGTERM to its process id) and deletes its folder. */
    public void stop() {
        process.close();
        ProgramProcess.deleteRecursively(folder);
    }

    /**
     * Stops nginx (SIGTERM to its process id) as an outage would, keeping its folder: the pages it cached stay on disk
     * for {@link #startAgain()}. Its port is free meanwhile, so purges sent to it are refused.
     */
    public void stopKeepingCache() {
        process.close();
    }

    /**
     * Starts nginx again after {@link #stopKeepingCache()}, on the same port, with the same configuration and folder:
     * it serves the pages cached before the outage, as a restarted nginx does. Returns once it answers.
     *
     * @throws IllegalStateException if nginx does not start, such as when another program took the port meanwhile
     */
    public void startAgain() {
        if (process.isAlive()) {
            throw new IllegalStateException("nginx is running: stopKeepingCache() first");
        }
        Path nginx = Programs.require("nginx", PACKAGES, "/usr/sbin/nginx", "/usr/local/sbin/nginx",
                "/usr/local/nginx/sbin/nginx", "/usr/bin/nginx");
        process = ProgramProcess.start("nginx", List.of(nginx.toString(), "-p", folder.toString(), "-e", "stderr",
                "-c", folder.resolve("nginx.conf").toString()), folder);
        process.awaitReady(START_TIMEOUT, () -> answers(this, status -> true), "\nits configuration:\n" + config);
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "nginx on " + baseUrl() + " (" + purge + ")";
    }

    private static Nginx launch(Configuration configuration, Purge purge, Predicate<Nginx> ready) {
        Path nginx = Programs.require("nginx", PACKAGES, "/usr/sbin/nginx", "/usr/local/sbin/nginx",
                "/usr/local/nginx/sbin/nginx", "/usr/bin/nginx");
        boolean moduleFile = Files.exists(Path.of(PURGE_MODULE));
        if (!moduleFile && !compiledIn(nginx)) {
            Programs.unavailable("ngx_cache_purge not found (neither " + PURGE_MODULE + " nor compiled into " + nginx
                    + "); install it with `apt-get install -y " + PACKAGES + "`");
        }
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Programs.freePort();
            Path folder = ProgramProcess.temporaryFolder("roan-nginx-");
            String config = configuration.write(port, moduleFile);
            try {
                Files.writeString(folder.resolve("nginx.conf"), config, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ProgramProcess process = ProgramProcess.start("nginx", List.of(nginx.toString(), "-p",
                    folder.toString(), "-e", "stderr", "-c", folder.resolve("nginx.conf").toString()), folder);
            Nginx started = new Nginx(folder, port, purge, config, process);
            try {
                process.awaitReady(START_TIMEOUT, () -> ready.test(started), "\nits configuration (line numbers as in"
                        + " nginx's message):\n" + config);
            } catch (IllegalStateException e) {
                started.stop();
                if (!e.getMessage().contains("Address already in use")) {
                    throw e;
                }
                failure = e;
                continue;
            }
            return started;
        }
        throw failure;
    }

    private static boolean answers(Nginx nginx, IntPredicate status) {
        try {
            return status.test(RawHttp.get(nginx.baseUrl(), SYNC_PATH).status());
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private static boolean compiledIn(Path nginx) {
        try {
            Process version = new ProcessBuilder(nginx.toString(), "-V").redirectErrorStream(true).start();
            String text = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            version.waitFor(5, TimeUnit.SECONDS);
            return text.contains("cache_purge");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Configures an {@link Nginx}: the upstream, the cache key and how it takes purges.
     */
    public static final class Builder {

        private final String upstream;
        private String cacheKey = DEFAULT_CACHE_KEY;
        private String purgeKey;
        private Purge purge = Purge.LOCATION;
        private int purgeLocationStatus;

        private Builder(String upstream) {
            this.upstream = Objects.requireNonNull(upstream, "upstream");
        }

        /**
         * How purges are taken; default {@link Purge#LOCATION}.
         *
         * @param purge the form of the purge location
         * @return this builder
         */
        public Builder purge(Purge purge) {
            this.purge = Objects.requireNonNull(purge, "purge");
            return this;
        }

        /**
         * The {@code proxy_cache_key} of the cached pages; default {@value Nginx#DEFAULT_CACHE_KEY}.
         *
         * @param cacheKey an nginx expression, such as {@code $host$request_uri}
         * @return this builder
         */
        public Builder cacheKey(String cacheKey) {
            this.cacheKey = Objects.requireNonNull(cacheKey, "cacheKey");
            return this;
        }

        /**
         * The key {@code proxy_cache_purge} rebuilds from a purge request; it must equal the cache key of the page.
         * Default: {@value Nginx#PURGE_KEY} for the purge-location forms (the purge's target as sent, less
         * {@code /purge}), the cache key itself for {@link Purge#NAMED_LOCATION}.
         *
         * @param purgeKey an nginx expression that equals the page's cache key
         * @return this builder
         */
        public Builder purgeKey(String purgeKey) {
            this.purgeKey = Objects.requireNonNull(purgeKey, "purgeKey");
            return this;
        }

        /**
         * A misconfigured purge location for error tests: {@code location = /.roan-purge { internal; return STATUS;
         * }} answers every purge with {@code status} (such as 405 or 412) and purges nothing.
         *
         * @param status the HTTP status every purge gets
         * @return this builder
         */
        public Builder purgeLocationAnswering(int status) {
            this.purge = Purge.LOCATION;
            this.purgeLocationStatus = status;
            return this;
        }

        /**
         * Writes the configuration into a new temporary folder and starts nginx on a free port; returns once it
         * answers. Skips the calling test (fails it under {@code CI=true}) when nginx or ngx_cache_purge is missing.
         *
         * @return the started nginx; close it after the test
         * @throws IllegalStateException if nginx does not start, with what it printed
         */
        public Nginx start() {
            Nginx started = launch(this::config, purge, nginx -> answers(nginx, status -> status == 204));
            if (purge == Purge.SAME_LOCATION) {
                skipIfSameLocationPurgeCrashes(started);
            }
            return started;
        }

        /**
         * ngx_cache_purge 2.3, Debian 12's, dereferences a null pointer on every same-location purge with
         * nginx 1.11.6 and later (nginx-modules/ngx_cache_purge#2): one PURGE tells.
         */
        private static void skipIfSameLocationPurgeCrashes(Nginx nginx) {
            try {
                RawHttp.send("PURGE", nginx.baseUrl(), "/.roan-testkit/probe", null);
            } catch (UncheckedIOException e) {
                // Answered by a closed connection: see whether nginx is still there.
            }
            if (nginx.process.awaitExit(Duration.ofMillis(500))) {
                String how = nginx.process.exitDescription();
                nginx.stop();
                Assumptions.abort("this ngx_cache_purge crashes nginx on a same-location PURGE (" + how + "): a known"
                        + " bug of ngx_cache_purge 2.3 (Debian 12) with nginx >= 1.11.6, nginx-modules/ngx_cache_purge#2,"
                        + " fixed in 2.4 and later. Use the purge location form (GET {base}/purge{path}) or"
                        + " the named-location PURGE form on this version.");
            }
        }

        private String config(int port, boolean loadModule) {
            String locationKey = purgeKey != null ? purgeKey : PURGE_KEY;
            String namedKey = purgeKey != null ? purgeKey : cacheKey;
            StringBuilder c = new StringBuilder();
            c.append("# Written by dev.roan.testkit.Nginx for one test; relative paths are inside the prefix (-p).\n");
            c.append(head(loadModule));
            c.append("""

                        proxy_cache_path cache levels=1:2 keys_zone=roan:1m max_size=100m inactive=365d use_temp_path=off;

                        # A purge is a request whose target, as sent, starts with /purge/; the rest is the page's key.
                        map $request_uri $purge_key {
                            "~(?s)^/purge(?<key>/.*)$" $key;
                        }

                        server {
                    """);
            c.append("        listen 127.0.0.1:").append(port).append(";\n");
            c.append("""
                            add_header X-Cache-Status $upstream_cache_status always;
                    """);
            boolean purgeLocation = purge == Purge.LOCATION || purge == Purge.DENIED;
            if (purgeLocation) {
                // Before any location is chosen: nginx chooses it by the decoded, normalised path.
                c.append("        if ($purge_key) {\n            rewrite ^ /.roan-purge last;\n        }\n");
            }
            c.append("""

                            location = /.roan-testkit/sync {
                                access_log off;
                                return 204;
                            }

                            location / {
                    """);
            if (purge == Purge.SAME_LOCATION) {
                c.append("            proxy_cache_purge PURGE from 127.0.0.1;\n");
            } else if (purge == Purge.NAMED_LOCATION) {
                c.append("            error_page 418 = @purge;\n");
                c.append("            if ($request_method = PURGE) {\n                return 418;\n            }\n");
            }
            c.append("            proxy_pass http://").append(upstream).append(";\n");
            c.append("            proxy_set_header Host $host;\n");
            c.append("            proxy_cache roan;\n");
            c.append("            proxy_cache_key ").append(cacheKey).append(";\n");
            c.append("""
                                proxy_cache_valid 200 301 302 100y;
                                proxy_cache_bypass $cookie_JSESSIONID $cookie_SESSION $http_authorization;
                                proxy_no_cache $cookie_JSESSIONID $cookie_SESSION $http_authorization
                                               $upstream_http_set_cookie;
                                proxy_ignore_headers Cache-Control Expires;
                            }
                    """);
            if (purgeLocation && purgeLocationStatus != 0) {
                c.append("\n        location = /.roan-purge {\n            internal;\n            return ")
                        .append(purgeLocationStatus).append(";\n        }\n");
            } else if (purgeLocation) {
                c.append("\n        location = /.roan-purge {\n            internal;\n");
                // 192.0.2.1 is TEST-NET-1 (RFC 5737): no caller is ever there.
                c.append(purge == Purge.DENIED ? "            allow 192.0.2.1;\n" : "            allow 127.0.0.1;\n");
                c.append("            deny all;\n");
                c.append("            proxy_cache_purge roan ").append(locationKey).append(";\n        }\n");
            } else if (purge == Purge.NAMED_LOCATION) {
                c.append("\n        location @purge {\n            allow 127.0.0.1;\n            deny all;\n");
                c.append("            proxy_cache_purge roan ").append(namedKey).append(";\n        }\n");
            }
            c.append("    }\n}\n");
            return c.toString();
        }
    }
}
