package dev.roan.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server that a test class starts itself: {@code initdb} into a temporary folder,
 * {@code pg_ctl start} on a free loopback port, trust authentication, fsync off; stopped
 * ({@code pg_ctl stop -m immediate}) and deleted on {@link #close()}.
 *
 * <pre>{@code
 * static Postgres postgres;
 *
 * @BeforeAll
 * static void startPostgres() {
 *     postgres = Postgres.start();                       // skips (fails under CI=true) without PostgreSQL
 *     String url = postgres.createDatabase("my_test");
 * }
 *
 * @AfterAll
 * static void stopPostgres() {
 *     if (postgres != null) postgres.close();
 * }
 * }</pre>
 *
 * <p>The binaries are looked for in Debian's {@code /usr/lib/postgresql/<version>/bin} (15 first, then
 * any other version present), or in the folder that the system property {@value #BIN_PROPERTY} names.
 * {@code initdb} and {@code postgres} refuse to run as root, so when the tests run as root (as CI does)
 * they run as the {@code postgres} user (or {@code nobody} when the Debian packages did not create it)
 * through {@code runuser} or {@code setpriv}, in a folder owned by that user.
 * A JVM shutdown hook stops the server if a test run ends without {@code close()}.
 *
 * @since 0.1.0
 */
public final class Postgres implements AutoCloseable {

    /** The version looked for first: the one Debian 12 ships. */
    public static final int PREFERRED_VERSION = 15;

    /** System property naming a folder with initdb, pg_ctl and postgres, for installations outside Debian's. */
    public static final String BIN_PROPERTY = "roan.postgres.bin";

    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    private static final String USER = "roan";
    private static final String PASSWORD = "roan";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final Path binDir;
    private final Path folder;
    private final Path dataDir;
    private final List<String> runAs;
    private final int port;
    private final Thread shutdownHook;
    private boolean closed;

    private Postgres(Path binDir, Path folder, List<String> runAs, int port) {
        this.binDir = binDir;
        this.folder = folder;
        this.dataDir = folder.resolve("data");
        this.runAs = runAs;
        this.port = port;
        this.shutdownHook = new Thread(this::stopAndDelete, "roan-postgres-stop-" + port);
    }

    /**
     * Initializes and starts a new server; skips the calling test (fails it under {@code CI=true}) when
     * PostgreSQL is not installed.
     *
     * @return the started server; close it after the test class
     * @throws IllegalStateException if PostgreSQL is installed but would not start, with its log
     */
    public static Postgres start() {
        Path initdb = Programs.require("PostgreSQL's initdb (elsewhere: -D" + BIN_PROPERTY + "=FOLDER)", "postgresql",
                candidates("initdb"));
        Path binDir = initdb.getParent();
        Programs.require("PostgreSQL's pg_ctl", "postgresql", binDir.resolve("pg_ctl").toString());
        Programs.require("PostgreSQL's postgres", "postgresql", binDir.resolve("postgres").toString());
        Optional<String> unprivileged = Commands.isRoot()
                ? Optional.of(userExists("postgres") ? "postgres" : "nobody")
                : Optional.empty();
        List<String> runAs = unprivileged.map(Postgres::runAsPrefix).orElse(List.of());

        Path folder = createFolder(unprivileged);
        try {
            initdb(initdb, folder, runAs);
        } catch (RuntimeException | Error e) {
            ProgramProcess.deleteRecursively(folder);
            throw e;
        }
        return Commands.startOnFreePort(folder, port -> new Postgres(binDir, folder, runAs, port), p -> p.shutdownHook,
                p -> {
                    p.startServer();
                    p.awaitConnections();
                }, Postgres::stopServer, e -> true);
    }

    /**
     * The JDBC URL of the {@code postgres} database, for administration.
     *
     * @return a JDBC URL
     */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /**
     * The JDBC URL of {@code database} on this server.
     *
     * @param database the name of a database created with {@link #createDatabase(String)}
     * @return a JDBC URL
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /**
     * The superuser's name.
     *
     * @return the user name for JDBC
     */
    public String user() {
        return USER;
    }

    /**
     * The superuser's password (authentication is {@code trust}, so any password is accepted).
     *
     * @return a password for JDBC
     */
    public String password() {
        return PASSWORD;
    }

    /**
     * The TCP port the server listens on, on 127.0.0.1.
     *
     * @return the port
     */
    public int port() {
        return port;
    }

    /**
     * The server's major version, as found in its installation path when it is Debian's, else -1.
     *
     * @return the major version, such as 15, or -1
     */
    public int version() {
        return versionOf(binDir);
    }

    /**
     * A new connection to {@code database} as the superuser.
     *
     * @param database the database name
     * @return an open connection; close it
     * @throws SQLException if the server refuses it
     */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /**
     * Creates an empty database (lower-case letters, digits and {@code _}) and returns its JDBC URL.
     *
     * @param name the new database's name, such as {@code my_test}
     * @return its JDBC URL
     * @throws IllegalArgumentException if the name is not a plain lower-case identifier
     */
    public String createDatabase(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database name must match " + DATABASE_NAME + ", was: " + name);
        }
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + " on " + this + ": " + e.getMessage(),
                    e);
        }
        return jdbcUrl(name);
    }

    /** Stops the server at once ({@code pg_ctl stop -m immediate}) and deletes its folder. */
    @Override
    public void close() {
        Commands.removeHook(shutdownHook);
        stopAndDelete();
    }

    @Override
    public String toString() {
        return "PostgreSQL " + version() + " on 127.0.0.1:" + port + " in " + folder;
    }

    // --- Starting and stopping -------------------------------------------------------------------------

    private static String[] candidates(String program) {
        String bin = System.getProperty(BIN_PROPERTY, "");
        if (!bin.isBlank()) {
            return new String[] {Path.of(bin, program).toString()};
        }
        List<String> candidates = new ArrayList<>();
        candidates.add(DEBIAN_ROOT.resolve(PREFERRED_VERSION + "/bin/" + program).toString());
        if (Files.isDirectory(DEBIAN_ROOT)) {
            try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
                versions.map(v -> v.resolve("bin").resolve(program))
                        .filter(p -> versionOf(p.getParent()) != PREFERRED_VERSION)
                        .sorted(Comparator.comparingInt((Path p) -> versionOf(p.getParent())).reversed())
                        .forEach(p -> candidates.add(p.toString()));
            } catch (IOException e) {
                // Only the preferred version is looked for.
            }
        }
        return candidates.toArray(new String[0]);
    }

    /** 15 for {@code /usr/lib/postgresql/15/bin}; -1 if the path does not say. */
    private static int versionOf(Path binDir) {
        Path versionDir = binDir.getParent();
        try {
            return versionDir == null ? -1 : Integer.parseInt(versionDir.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The command prefix that runs a program as {@code user}; this JVM runs as root. */
    private static List<String> runAsPrefix(String user) {
        Optional<Path> runuser = Programs.find("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser");
        if (runuser.isPresent()) {
            return List.of(runuser.get().toString(), "-u", user, "--");
        }
        Optional<Path> setpriv = Programs.find("/usr/bin/setpriv", "/bin/setpriv");
        if (setpriv.isPresent()) {
            return List.of(setpriv.get().toString(), "--reuid=" + user, "--regid=" + groupOf(user), "--init-groups",
                    "--");
        }
        Programs.unavailable("running as root, and PostgreSQL refuses to run as root: neither runuser nor setpriv found"
                + " to run it as " + user + "; install them with `apt-get install -y util-linux`");
        throw new AssertionError("unreachable");
    }


    private static boolean userExists(String name) {
        try {
            lookup().lookupPrincipalByName(name);
            return true;
        } catch (UserPrincipalNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String groupOf(String user) {
        return Commands.output(List.of("id", "-g", user)).trim();
    }

    private static UserPrincipalLookupService lookup() {
        return Path.of("/").getFileSystem().getUserPrincipalLookupService();
    }

    /** A temporary folder the programs' user owns: the data directory, the socket and the logs live there. */
    private static Path createFolder(Optional<String> owner) {
        try {
            Path folder = Files.createTempDirectory("roan-postgres-");
            if (owner.isPresent()) {
                // The owner must also reach the folder: java.io.tmpdir is normally /tmp, which anyone may traverse.
                UserPrincipal principal = lookup().lookupPrincipalByName(owner.get());
                Files.setOwner(folder, principal);
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary folder for PostgreSQL", e);
        }
    }

    private static void initdb(Path initdb, Path folder, List<String> runAs) {
        List<String> command = new ArrayList<>(runAs);
        command.addAll(List.of(initdb.toString(), "-D", folder.resolve("data").toString(), "-U", USER, "-A", "trust",
                "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"));
        Commands.run(command, folder, folder.resolve("initdb.log"), "initdb");
    }

    private void startServer() {
        String options = String.join(" ",
                "-p", Integer.toString(port),
                // pg_ctl hands these to postgres through /bin/sh: quote the one path.
                "-k", "'" + folder + "'",
                "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off");
        List<String> command = new ArrayList<>(runAs);
        command.addAll(List.of(binDir.resolve("pg_ctl").toString(), "start", "-D", dataDir.toString(),
                "-l", folder.resolve("postgres.log").toString(), "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()),
                "-o", options));
        try {
            Commands.run(command, folder, folder.resolve("pg_ctl-start.log"), "pg_ctl start");
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    e.getMessage() + "\n--- postgres.log ---\n" + Commands.read(folder.resolve("postgres.log")), e);
        }
    }

    private void awaitConnections() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        SQLException last;
        do {
            try (Connection c = connect("postgres")) {
                if (c.isValid(5)) {
                    return;
                }
                last = new SQLException("connection not valid");
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("PostgreSQL started but accepts no connection on port " + port + ": " + last
                + "\n--- postgres.log ---\n" + Commands.read(folder.resolve("postgres.log")), last);
    }

    private synchronized void stopAndDelete() {
        if (closed) {
            return;
        }
        closed = true;
        stopServer();
        ProgramProcess.deleteRecursively(folder);
    }

    private void stopServer() {
        if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
            return;
        }
        List<String> command = new ArrayList<>(runAs);
        command.addAll(List.of(binDir.resolve("pg_ctl").toString(), "stop", "-D", dataDir.toString(), "-m", "immediate",
                "-w", "-t", "10"));
        try {
            Commands.run(command, folder, folder.resolve("pg_ctl-stop.log"), "pg_ctl stop");
        } catch (RuntimeException e) {
            System.err.println("Could not stop " + this + ": " + e.getMessage());
        }
    }


    // --- Processes and files ---------------------------------------------------------------------------

    /** Runs a program to its end, its output in {@code log}; fails with that output if it fails. */



}
