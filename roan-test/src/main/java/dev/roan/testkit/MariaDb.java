package dev.roan.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A throwaway MariaDB server that a test class starts itself: {@code mariadb-install-db} into a temporary
 * folder, {@code mariadbd} on a free loopback port with its socket, pid file and temporary files in that
 * folder; killed and deleted on {@link #close()}.
 *
 * <pre>{@code
 * static MariaDb mariaDb;
 *
 * @BeforeAll
 * static void startMariaDb() {
 *     mariaDb = MariaDb.start();                          // skips (fails under CI=true) without MariaDB
 *     String url = mariaDb.createDatabase("my_test");
 * }
 *
 * @AfterAll
 * static void stopMariaDb() {
 *     if (mariaDb != null) mariaDb.close();
 * }
 * }</pre>
 *
 * <p>Both programs run with {@code --no-defaults}, so the system's {@code /etc/mysql} configuration is
 * ignored. The server's {@code root} user has no password and may log in from 127.0.0.1. As root (as CI
 * runs) the server runs as root too ({@code --user=root}, which MariaDB accepts, unlike PostgreSQL). The
 * JDBC driver ({@code org.mariadb.jdbc:mariadb-java-client}) must be on the caller's class path. A JVM
 * shutdown hook stops the server if a test run ends without {@code close()}.
 *
 * @since 0.1.0
 */
public final class MariaDb implements AutoCloseable {

    private static final String USER = "root";
    private static final String PASSWORD = "";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,63}");

    private final Path server;
    private final Path folder;
    private final boolean root;
    private final int port;
    private final Thread shutdownHook;
    private Process process;
    private boolean closed;

    private MariaDb(Path server, Path folder, boolean root, int port) {
        this.server = server;
        this.folder = folder;
        this.root = root;
        this.port = port;
        this.shutdownHook = new Thread(this::stopAndDelete, "roan-mariadb-stop-" + port);
    }

    /**
     * Initializes and starts a new server; skips the calling test (fails it under {@code CI=true}) when
     * MariaDB is not installed.
     *
     * @return the started server; close it after the test class
     * @throws IllegalStateException if MariaDB is installed but would not start, with its log
     */
    public static MariaDb start() {
        Path installDb = Programs.require("MariaDB's mariadb-install-db", "mariadb-server",
                "/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db", "/usr/local/bin/mariadb-install-db");
        Path server = Programs.require("MariaDB's server mariadbd", "mariadb-server",
                "/usr/sbin/mariadbd", "/usr/sbin/mysqld", "/usr/local/bin/mariadbd", "/usr/local/sbin/mariadbd");
        boolean root = Commands.isRoot();
        Path folder = createFolder();
        try {
            installDb(installDb, folder, root);
        } catch (RuntimeException | Error e) {
            ProgramProcess.deleteRecursively(folder);
            throw e;
        }
        // Only a port another server took is worth another try: other failures would fail again.
        return Commands.startOnFreePort(folder, port -> new MariaDb(server, folder, root, port), m -> m.shutdownHook,
                m -> {
                    m.startServer();
                    m.awaitConnections();
                }, MariaDb::stopServer, e -> e instanceof PortTaken);
    }

    /**
     * The JDBC URL of the server, without a database.
     *
     * @return a JDBC URL
     */
    public String jdbcUrl() {
        return jdbcUrl("");
    }

    /**
     * The JDBC URL of {@code database} on this server. It turns TLS off ({@code sslMode=disable}): the server
     * has no certificate, and MariaDB Connector/J 3.5 and later insist on TLS unless told otherwise.
     *
     * @param database the name of a database created with {@link #createDatabase(String)}
     * @return a JDBC URL
     */
    public String jdbcUrl(String database) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + database + "?sslMode=disable";
    }

    /**
     * The administrator's name.
     *
     * @return the user name for JDBC
     */
    public String user() {
        return USER;
    }

    /**
     * The administrator's password: empty.
     *
     * @return the empty password
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
     * A new connection to the server, without a database, as the administrator.
     *
     * @return an open connection; close it
     * @throws SQLException if the server refuses it
     */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
    }

    /**
     * A new connection to {@code database} as the administrator.
     *
     * @param database the database name
     * @return an open connection; close it
     * @throws SQLException if the server refuses it
     */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /**
     * Creates an empty database (lower-case letters, digits and {@code _}; utf8mb4) and returns its JDBC URL.
     *
     * @param name the new database's name, such as {@code my_test}
     * @return its JDBC URL
     * @throws IllegalArgumentException if the name is not a plain lower-case identifier
     */
    public String createDatabase(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database name must match " + DATABASE_NAME + ", was: " + name);
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + " on " + this + ": " + e.getMessage(), e);
        }
        return jdbcUrl(name);
    }

    /** Kills the server (its data is thrown away, so there is nothing to shut down cleanly) and deletes its folder. */
    @Override
    public void close() {
        Commands.removeHook(shutdownHook);
        stopAndDelete();
    }

    @Override
    public String toString() {
        return "MariaDB (" + server + ") on 127.0.0.1:" + port + " in " + folder;
    }

    // --- Starting and stopping -------------------------------------------------------------------------


    private static Path createFolder() {
        try {
            // Short and under java.io.tmpdir (normally /tmp): a Unix socket path may hold at most 107 bytes.
            Path folder = Files.createTempDirectory("roan-mariadb-");
            Files.createDirectory(folder.resolve("tmp"));
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary folder for MariaDB", e);
        }
    }

    private static void installDb(Path installDb, Path folder, boolean root) {
        List<String> command = new ArrayList<>(List.of(installDb.toString(), "--no-defaults",
                "--datadir=" + folder.resolve("data"),
                // A root user without password that may log in over TCP, not only over the socket as the OS user.
                "--auth-root-authentication-method=normal",
                "--skip-test-db", "--skip-name-resolve",
                "--tmpdir=" + folder.resolve("tmp")));
        if (root) {
            // Without it, mariadbd refuses to run as root; with it, it stays root and owns the data directory.
            command.add("--user=root");
        }
        Commands.run(command, folder, folder.resolve("install-db.log"), "mariadb-install-db");
    }

    private void startServer() {
        List<String> command = new ArrayList<>(List.of(server.toString(), "--no-defaults"));
        if (root) {
            command.add("--user=root");
        }
        command.addAll(List.of(
                "--datadir=" + folder.resolve("data"),
                "--port=" + port,
                "--bind-address=127.0.0.1",
                "--socket=" + folder.resolve("mariadbd.sock"),
                "--pid-file=" + folder.resolve("mariadbd.pid"),
                "--tmpdir=" + folder.resolve("tmp"),
                "--log-error=" + folder.resolve("error.log"),
                "--skip-name-resolve",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
                // Throwaway data: durability only costs time.
                "--innodb-flush-log-at-trx-commit=0",
                "--innodb-doublewrite=0",
                "--innodb-buffer-pool-size=64M"));
        try {
            process = new ProcessBuilder(command).directory(folder.toFile())
                    .redirectErrorStream(true).redirectOutput(folder.resolve("mariadbd.out").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("mariadbd could not be run: " + String.join(" ", command) + ": "
                    + e.getMessage(), e);
        }
    }

    private void awaitConnections() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        SQLException last;
        do {
            if (!process.isAlive()) {
                String logs = logs();
                String message = "mariadbd exited with code " + process.exitValue() + " before it accepted connections on"
                        + " port " + port + "\n" + logs;
                throw logs.contains("Address already in use") ? new PortTaken(message) : new IllegalStateException(message);
            }
            try (Connection c = connect(); Statement s = c.createStatement();
                    ResultSet datadir = s.executeQuery("SELECT @@datadir")) {
                // Another server may have taken the port between freePort() and our bind: make sure it is ours.
                String expected = folder.resolve("data").toRealPath().toString();
                if (datadir.next() && Path.of(datadir.getString(1)).toRealPath().toString().equals(expected)) {
                    return;
                }
                throw new PortTaken("another server answers on port " + port);
            } catch (IOException e) {
                throw new IllegalStateException("could not compare the server's data directory with " + folder, e);
            } catch (SQLException e) {
                if ("08001".equals(e.getSQLState()) && e.getMessage() != null && e.getMessage().startsWith("No suitable driver")) {
                    throw new IllegalStateException("no JDBC driver for " + jdbcUrl() + ": add"
                            + " org.mariadb.jdbc:mariadb-java-client to the test class path", e);
                }
                if (!refused(e)) {
                    // The server answered, and said no: waiting longer will not help.
                    throw new IllegalStateException("MariaDB on port " + port + " refuses the connection: " + e.getMessage()
                            + "\n" + logs(), e);
                }
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("MariaDB started but accepts no connection on port " + port + ": " + last
                + "\n" + logs(), last);
    }

    /** Whether the connection failed because nothing listens on the port yet. */
    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    private String logs() {
        return "--- error.log ---\n" + tail(Commands.read(folder.resolve("error.log")))
                + "\n--- mariadbd.out ---\n" + tail(Commands.read(folder.resolve("mariadbd.out")));
    }

    /** The end of a log: a client that keeps failing adds a line per attempt. */
    private static String tail(String log) {
        int max = 8_000;
        return log.length() <= max ? log : "(" + (log.length() - max) + " characters left out)..." + log.substring(log.length() - max);
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
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                System.err.println("Could not stop " + this + ": still running 10 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The server could not have the port it was given: another process took it first. */
    private static final class PortTaken extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTaken(String message) {
            super(message);
        }
    }


    // --- Processes and files ---------------------------------------------------------------------------

    /** Runs a program to its end, its output in {@code log}; fails with that output if it fails. */




}
