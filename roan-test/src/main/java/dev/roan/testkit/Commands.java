package dev.roan.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/** Running the short commands that set up a server (initdb, mariadb-install-db, pg_ctl), shared by the starters. */
final class Commands {

    /** How long one set-up command may take. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Commands() {}

    /** Whether this JVM runs as root, where database servers refuse to start as themselves. */
    static boolean isRoot() {
        try {
            return "0".equals(output(List.of("id", "-u")).trim());
        } catch (IllegalStateException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /**
     * Runs a command to completion, its output into {@code log}: a file, not a pipe, since a command may leave a
     * server behind that must not hold our pipe open.
     *
     * @throws IllegalStateException if it fails or times out, with what it printed
     */
    static void run(List<String> command, Path workDir, Path log, String what) {
        try {
            Process process = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within " + TIMEOUT.toSeconds() + " s: "
                        + String.join(" ", command) + "\n" + read(log));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(what + " failed with exit code " + process.exitValue() + ": "
                        + String.join(" ", command) + "\n" + read(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException(what + " could not be run: " + String.join(" ", command) + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        }
    }

    /** Runs a command and returns what it printed. */
    static String output(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " could not be run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + " was interrupted", e);
        }
    }

    /** A log file's text for a message, or why there is none. */
    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file.getFileName() + ")";
        } catch (IOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
    }

    static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook runs (or ran) anyway.
        }
    }

    /**
     * Starts a server on a port that was free a moment ago, three times at most: another process may take the port
     * before the server binds it. Each attempt creates the server for a new port, registers its shutdown hook and
     * starts it; an attempt whose {@code start} throws is stopped and its hook removed. When no attempt succeeds, or
     * a failure is not worth another port, {@code folder} is deleted and the first failure thrown, the others
     * suppressed.
     */
    static <S> S startOnFreePort(Path folder, IntFunction<S> create, Function<S, Thread> shutdownHook, Consumer<S> start,
            Consumer<S> stop, Predicate<IllegalStateException> tryAnotherPort) {
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            S server = create.apply(Programs.freePort());
            Runtime.getRuntime().addShutdownHook(shutdownHook.apply(server));
            try {
                start.accept(server);
                return server;
            } catch (IllegalStateException e) {
                stop.accept(server);
                removeHook(shutdownHook.apply(server));
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
                if (!tryAnotherPort.test(e)) {
                    break;
                }
            }
        }
        ProgramProcess.deleteRecursively(folder);
        throw failure;
    }
}
