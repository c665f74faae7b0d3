package dev.roan.example;

import static dev.roan.example.jooq.Tables.AUTHOR;
import static dev.roan.example.jooq.Tables.COMMENT;
import static dev.roan.example.jooq.Tables.POST;

import com.sun.net.httpserver.HttpServer;
import dev.roan.jooq.Roan;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.tools.jdbc.JDBCUtils;

/**
 * A small blog whose pages nginx caches forever and Roan purges when the writes that change them commit.
 *
 * <p>Run it from the repository root with {@code ./mvnw -q -pl example -am compile -Prun}, then put nginx in front
 * of it with {@code example/nginx/nginx.conf}; {@code example/run-behind-nginx.sh} runs both. Settings come from
 * system properties, else environment variables: {@code port}/{@code PORT} (8080), {@code db.url}/{@code DB_URL}
 * (H2 in memory), {@code db.user}/{@code DB_USER}, {@code db.password}/{@code DB_PASSWORD},
 * {@code roan.purge-url}/{@code ROAN_PURGE_URL} ({@value #DEFAULT_PURGE_URL}),
 * {@code roan.repurge-after}/{@code ROAN_REPURGE_AFTER} (an ISO-8601 duration such as {@code PT0.5S}: every purge is
 * sent once more after that delay; off unless set) and {@code roan.debug} (log every purge).
 */
public final class BlogApp implements AutoCloseable {

    /** Where the example's nginx ({@code example/nginx/nginx.conf}) listens for purges. */
    public static final String DEFAULT_PURGE_URL = "http://localhost:8081/purge";
    /** H2 in memory, kept until the blog stops; Flyway creates and seeds it at every start. */
    public static final String DEFAULT_JDBC_URL = "jdbc:h2:mem:blog;DB_CLOSE_DELAY=-1";
    /** Where the example's nginx expects the blog. */
    public static final int DEFAULT_PORT = 8080;

    /**
     * How long a write's response waits for its purges, so that the page the browser is redirected to is already fresh
     * (read-your-writes: {@link Roan#awaitPurges(Duration)}, which waits for the purges of the request thread's own
     * commits, not for other requests', nor for re-purges). Roan itself never makes a writer wait; the example chooses
     * to, briefly, for the person clicking through it. If the cache is slow or down the redirect goes out when this
     * runs out, and the page may be stale until the purge arrives.
     */
    static final Duration PURGE_WAIT = Duration.ofMillis(500);
    /** How long stopping waits for pending purges: long enough for Roan to retry an unreachable cache and give up. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final HttpServer server;
    private final ExecutorService executor;
    private final Roan roan;
    private final String schemaVersion;

    private BlogApp(HttpServer server, ExecutorService executor, Roan roan, String schemaVersion) {
        this.server = server;
        this.executor = executor;
        this.roan = roan;
        this.schemaVersion = schemaVersion;
    }

    /**
     * The settings the blog starts with.
     *
     * @param repurgeAfter how long after a purge Roan sends it once more, or null to send each purge once
     */
    record Config(int port, String jdbcUrl, String dbUser, String dbPassword, String purgeUrl, Duration repurgeAfter) {

        static Config fromEnvironment() {
            String port = setting("port", "PORT", String.valueOf(DEFAULT_PORT));
            int portNumber;
            try {
                portNumber = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port must be a number, like -Dport=8090 or PORT=8090, but was " + port, e);
            }
            String repurgeAfter = setting("roan.repurge-after", "ROAN_REPURGE_AFTER", "");
            return new Config(portNumber,
                    setting("db.url", "DB_URL", DEFAULT_JDBC_URL),
                    setting("db.user", "DB_USER", "sa"),
                    setting("db.password", "DB_PASSWORD", ""),
                    setting("roan.purge-url", "ROAN_PURGE_URL", DEFAULT_PURGE_URL),
                    repurgeAfter.isEmpty() ? null : parseRepurgeAfter(repurgeAfter));
        }

        /** Reads an ISO-8601 duration such as {@code PT0.5S}, which must be positive. */
        static Duration parseRepurgeAfter(String value) {
            Duration delay;
            try {
                delay = Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("roan.repurge-after (ROAN_REPURGE_AFTER) must be an ISO-8601 duration,"
                        + " like PT0.5S for half a second or PT2S for two seconds, but was " + value, e);
            }
            if (delay.isNegative() || delay.isZero()) {
                throw new IllegalArgumentException("roan.repurge-after (ROAN_REPURGE_AFTER) must be positive, like PT0.5S,"
                        + " but was " + value + "; leave it unset to send each purge once");
            }
            return delay;
        }

        private static String setting(String property, String variable, String fallback) {
            String value = System.getProperty(property);
            if (value == null || value.isBlank()) {
                value = System.getenv(variable);
            }
            return value == null || value.isBlank() ? fallback : value.trim();
        }

        @Override
        public String toString() {
            // Never print the database password.
            return "Config[port=" + port + ", jdbcUrl=" + jdbcUrl + ", dbUser=" + dbUser + ", purgeUrl=" + purgeUrl
                    + ", repurgeAfter=" + repurgeAfter + "]";
        }
    }

    /** Migrates the database, then serves the blog on {@code config.port()} (0 for any free port) until closed. */
    static BlogApp start(Config config) throws IOException {
        Flyway flyway = Flyway.configure()
                .dataSource(config.jdbcUrl(), config.dbUser(), config.dbPassword())
                .load();
        flyway.migrate();
        MigrationInfo current = flyway.info().current();
        String schemaVersion = current == null ? "none" : current.getVersion().getVersion();

        // Built first: it checks the purge URL, and then the only thing to clean up if the port is taken.
        Roan.Builder builder = Roan.builder().purgeUrl(config.purgeUrl());
        if (config.repurgeAfter() != null) {
            builder.repurgeAfter(config.repurgeAfter());
        }
        Roan roan = builder.build();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 0);
        } catch (IOException e) {
            roan.close();
            throw e;
        }

        rules(roan);
        DSLContext dsl = DSL.using(roan.attach(configuration(config.jdbcUrl(), config.dbUser(), config.dbPassword())));

        ExecutorService executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "blog-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        // Bounded: see PURGE_WAIT.
        server.createContext("/", new BlogHandler(new Blog(dsl), () -> roan.awaitPurges(PURGE_WAIT), roan::track));
        server.start();
        return new BlogApp(server, executor, roan, schemaVersion);
    }

    /**
     * Registers the blog's rules on {@code roan}: the application's own, and what its tests register on the Roan that
     * {@code RoanExtension} gives them ({@code RoanExtension.withRules(BlogApp::rules)}), so the tests check these rules
     * and not a copy.
     */
    static void rules(Roan roan) {
        // Rules for the pages that show every post: the home page and the list read the whole post table (and
        // every author and comment, for the names and the comment counts), so any write of those tables changes
        // them. Tracking them would say the same (their reads pin no row) at the price of an index entry each, and
        // an index in memory starts empty: a list nginx cached before a restart would be unknown to it. A rule
        // knows it from the first write on.
        roan.purge("/").onWrite(POST, AUTHOR);
        roan.purge("/posts").onWrite(POST, AUTHOR, COMMENT);
        // No rule for a post's own page, /posts/{slug}: BlogHandler renders it inside roan.track, and Roan learns
        // what it read: the post by slug (post.slug=...), its author (the join carries no value: the author table),
        // its comments by post_id (comment.post_id=...). A new comment produces comment.post_id=<its post>, a
        // renamed or deleted post its old and new slug: exactly the pages that showed them. The rule this replaces,
        // roan.purge("/posts/{slug}").onWrite(POST).whenRowsUnknown("/posts"), needed Blog.addComment to touch the
        // post through its record so that a comment named the slug; tracking does not (the touch stays: it keeps
        // updated_at, and purges the post's pages as a write of post.id=... would).
    }

    /** The blog's jOOQ configuration, not yet attached to Roan. */
    static Configuration configuration(String jdbcUrl, String user, String password) {
        return new DefaultConfiguration()
                .set(new DriverManagerConnectionProvider(jdbcUrl, user, password))
                .set(JDBCUtils.dialect(jdbcUrl))
                // The migrations use unquoted names, which H2 folds to upper case and PostgreSQL to lower case:
                // rendering the generated names unquoted lets each database fold them its own way again.
                .set(new org.jooq.conf.Settings().withRenderQuotedNames(RenderQuotedNames.NEVER));
    }

    /** The blog's Roan, for tests that check its rules with {@link Roan#explain}. */
    Roan roan() {
        return roan;
    }

    /** The port the blog listens on. */
    int port() {
        return server.getAddress().getPort();
    }

    /** Waits until the purges of committed writes are delivered or given up; false if {@code timeout} ran out first. */
    boolean flushPurges(Duration timeout) {
        return roan.flush(timeout);
    }

    /** Stops taking requests, lets the ones in progress finish, then delivers the purges still pending. */
    @Override
    public void close() {
        close(CLOSE_WAIT);
    }

    /**
     * Like {@link #close()}, waiting at most {@code timeout} for pending purges.
     *
     * @return whether every purge was delivered or given up in time
     */
    boolean close(Duration timeout) {
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean done = roan.flush(timeout);
        roan.close();
        return done;
    }

    public static void main(String[] args) throws IOException {
        // Quiet jOOQ's banner and tips, which would bury the lines below.
        System.setProperty("org.jooq.no-logo", System.getProperty("org.jooq.no-logo", "true"));
        System.setProperty("org.jooq.no-tips", System.getProperty("org.jooq.no-tips", "true"));
        Logs.configure(Boolean.getBoolean("roan.debug"));

        Config config;
        try {
            config = Config.fromEnvironment();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        BlogApp app;
        try {
            app = start(config);
        } catch (BindException e) {
            System.err.println("Port " + config.port() + " is in use (" + e.getMessage()
                    + "); start with another one, like -Dport=8090 or PORT=8090.");
            System.exit(1);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("Cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Printed rather than logged: java.util.logging closes its handlers in a shutdown hook of its own.
            System.out.println("Stopping: delivering pending purges (waiting at most " + CLOSE_WAIT.toSeconds() + " s).");
            System.out.flush();
            System.out.println(app.close(CLOSE_WAIT)
                    ? "Stopped: every purge was delivered or given up."
                    : "Stopped with purges still pending: their pages may be stale.");
            System.out.flush();
        }, "blog-shutdown"));

        System.out.println("Blog listening on http://localhost:" + app.port() + "/");
        System.out.println("Database " + config.jdbcUrl() + ", schema version " + app.schemaVersion + " (Flyway)");
        System.out.println("Purges go to " + config.purgeUrl() + " (path appended, e.g. GET " + config.purgeUrl() + "/posts)");
        if (config.repurgeAfter() != null) {
            System.out.println("Re-purges: each purge is sent again " + describe(config.repurgeAfter())
                    + " after it is delivered (roan.repurge-after=" + config.repurgeAfter()
                    + "), in case a slow read put the old page back meanwhile.");
        }
        URI purgeUrl = URI.create(config.purgeUrl());
        if (!listening(purgeUrl)) {
            System.out.println("No cache is listening at " + purgeUrl.getHost() + ":" + port(purgeUrl)
                    + "; purges will be retried and then given up (writes are not affected).");
        }
        System.out.println("Press Ctrl-C to stop.");
    }

    /** {@code 500 ms}, {@code 2 s}, {@code 1500 ms}; ISO-8601 for what whole milliseconds cannot say. */
    static String describe(Duration duration) {
        if (duration.getNano() % 1_000_000 != 0) {
            return duration.toString();
        }
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static boolean listening(URI url) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), port(url)), 500);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static int port(URI url) {
        if (url.getPort() != -1) {
            return url.getPort();
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }
}
