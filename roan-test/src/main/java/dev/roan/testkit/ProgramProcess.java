package dev.roan.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real program started in the foreground by a test, in its own temporary folder, with stdout and stderr in a
 * file there. It is stopped by its own process id (and those of its children), never by name; a shutdown hook
 * stops it if the test JVM exits without closing it.
 */
final class ProgramProcess implements AutoCloseable {

    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final Path output;
    private final Thread shutdownHook;
    private List<ProcessHandle> children = List.of();

    private ProgramProcess(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
        this.shutdownHook = new Thread(this::kill, "stop-" + name);
    }

    /** Starts {@code command} in {@code folder}; its output goes to {@code folder/<name>.out}. */
    static ProgramProcess start(String name, List<String> command, Path folder) {
        Path output = folder.resolve(name + ".out");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(folder.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + name + " (" + String.join(" ", command) + "): "
                    + e.getMessage(), e);
        }
        ProgramProcess program = new ProgramProcess(name, process, output);
        Runtime.getRuntime().addShutdownHook(program.shutdownHook);
        return program;
    }

    /**
     * Waits until {@code ready} is true, polling; stops the program and fails with its output if it exits
     * first or is not ready within {@code timeout}.
     */
    void awaitReady(Duration timeout, BooleanSupplier ready, String details) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited while starting (" + exitDescription() + "): "
                        + output() + details);
            }
            if (ready.getAsBoolean()) {
                // Varnish runs its cache in a child process: remember it, so that stopping ends it too.
                children = process.descendants().toList();
                return;
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException(name + " did not answer within " + timeout.toMillis() + " ms: "
                        + output() + details);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while " + name + " was starting", e);
            }
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits at most {@code timeout} for the program to exit; true if it has. */
    boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** How the program ended, e.g. "exit code 1" or "killed by signal 11 (SIGSEGV)". */
    String exitDescription() {
        if (process.isAlive()) {
            return "still running";
        }
        int code = process.exitValue();
        if (code > 128) {
            int signal = code - 128;
            return "killed by signal " + signal + (signal == 11 ? " (SIGSEGV, a crash)" : "");
        }
        return "exit code " + code;
    }

    /** Everything the program printed so far, for messages. */
    String output() {
        try {
            String text = Files.readString(output, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(it printed nothing)" : "\n" + text;
        } catch (IOException e) {
            return "(its output could not be read: " + e.getMessage() + ")";
        }
    }

    /** Stops the program (SIGTERM, then SIGKILL after 10 s) and any child it started. */
    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook runs or has run.
        }
    }

    private void kill() {
        List<ProcessHandle> family = Stream.concat(children.stream(), process.descendants()).distinct().toList();
        process.destroy();
        if (!awaitExit(STOP_WAIT)) {
            process.destroyForcibly();
            awaitExit(STOP_WAIT);
        }
        for (ProcessHandle child : family) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    /** Creates a temporary folder for one program run. */
    static Path temporaryFolder(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a folder and everything in it, as far as possible. */
    static void deleteRecursively(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            // A leftover temporary file is not worth failing a test for.
        }
    }
}
