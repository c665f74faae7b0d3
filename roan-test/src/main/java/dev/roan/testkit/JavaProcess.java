package dev.roan.testkit;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A main class run in a child JVM with the test's own class path, so that a test can kill a real process: SIGKILL
 * ({@link #kill()}), or let the program halt itself, and then look at what it left behind. Its standard output and
 * error are read line by line as they come, for {@link #awaitLine}; a shutdown hook kills it if the test JVM exits
 * without closing it.
 *
 * <pre>{@code
 * try (JavaProcess child = JavaProcess.start(Writer.class, List.of("-Xmx64m"), "jdbc:...", "http://...")) {
 *     child.awaitLine(l -> l.equals("COMMITTED"), Duration.ofSeconds(30));
 *     child.kill();                                     // kill -9: no shutdown hook, no finally block runs
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class JavaProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private final Thread shutdownHook;

    private JavaProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.shutdownHook = new Thread(process::destroyForcibly, "kill-" + name);
        this.reader = new Thread(this::readOutput, "read-" + name);
        this.reader.setDaemon(true);
    }

    /**
     * Starts {@code mainClass} in a new JVM (this JVM's {@code java}, this JVM's class path) with {@code jvmOptions}
     * before the class name and {@code args} after it.
     *
     * @throws IllegalStateException if the JVM could not be started
     * @param mainClass a class with a {@code main} method on the test's class path
     * @param jvmOptions options of the child JVM, such as {@code -Xmx64m}
     * @param args the program's arguments
     * @return the running child; close it after the test
     */
    public static JavaProcess start(Class<?> mainClass, List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start a JVM for " + mainClass.getName() + ": " + e.getMessage(),
                    e);
        }
        JavaProcess child = new JavaProcess(mainClass.getSimpleName() + "-" + process.pid(), process);
        Runtime.getRuntime().addShutdownHook(child.shutdownHook);
        child.reader.start();
        return child;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // The process is gone: what it printed so far is all there is.
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    /**
     * Waits until the program prints a line that {@code matches} (or has printed one already) and returns it.
     *
     * @throws AssertionError if the program exits first or prints none within {@code timeout}, with its output
     * @param matches which line to wait for
     * @param timeout how long to wait at most
     * @return the first matching line
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (matches.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(name + " printed no such line within " + timeout.toMillis() + " ms ("
                            + exitDescription() + "): " + output());
                }
                if (!reader.isAlive() && seen == lines.size()) {
                    throw new AssertionError(name + " ended without printing such a line (" + exitDescription()
                            + "): " + output());
                }
                lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
            }
        }
    }

    /**
     * Every line printed so far.
     *
     * @return a copy, in order
     */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /**
     * Everything printed so far, for messages.
     *
     * @return the lines printed so far, joined
     */
    public String output() {
        List<String> printed = lines();
        return printed.isEmpty() ? "(it printed nothing)" : "\n" + String.join("\n", printed);
    }

    /**
     * The child's process id.
     *
     * @return the process id
     */
    public long pid() {
        return process.pid();
    }

    /**
     * Whether the child is still running.
     *
     * @return true while it runs
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Kills the child with SIGKILL ({@code kill -9}): no shutdown hook or finally block runs in it. Returns once it is
     * gone and its output is read.
     */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** Asks the child to stop with SIGTERM, as a deploy does: its shutdown hooks run. */
    public void terminate() {
        process.destroy();
    }

    /**
     * Waits at most {@code timeout} for the child to exit, then for its last output; returns its exit code.
     *
     * @throws AssertionError if it is still running after {@code timeout}
     * @param timeout how long to wait at most
     * @return the exit code
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " still runs after " + timeout.toMillis() + " ms: " + output());
            }
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
        return process.exitValue();
    }

    /**
     * How the child ended, e.g. "exit code 1" or "killed by signal 9 (SIGKILL)", or "still running".
     *
     * @return how it ended
     */
    public String exitDescription() {
        if (process.isAlive()) {
            return "still running";
        }
        int code = process.exitValue();
        return code > 128 ? "killed by signal " + (code - 128) + (code - 128 == 9 ? " (SIGKILL)" : "")
                : "exit code " + code;
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook runs or has run.
        }
    }

    @Override
    public String toString() {
        return name + " (" + exitDescription() + ")";
    }
}
