package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.testkit.PurgeServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM that exits without {@link Roan#close()} still delivers what it owes: a child JVM commits three posts while the
 * cache answers 503, then exits (returning from main, or on SIGTERM); the cache starts answering 200 only after the
 * exit began, so only a retry made during the exit can deliver.
 */
class ShutdownHookTest {

    private static final String COMMITTED = "committed";
    private static final Set<String> PATHS = Set.of("/posts/a", "/posts/b", "/posts/c");

    @TempDir
    Path folder;
    private final PurgeServer cache = new PurgeServer();
    private final AtomicBoolean healthy = new AtomicBoolean();
    private final List<Boolean> answered = new ArrayList<>();
    private Process child;

    /** The Retry-After of the failing answers, if any: a node told to wait is probed only after that. */
    private volatile String retryAfter;

    ShutdownHookTest() {
        cache.respond(path -> {
            boolean ok = healthy.get();
            synchronized (answered) {
                answered.add(ok);
            }
            PurgeServer.Answer answer = PurgeServer.Answer.status(ok ? 200 : 503);
            return ok || retryAfter == null ? answer : answer.retryAfter(retryAfter);
        });
    }

    @AfterEach
    void tearDown() {
        if (child != null) {
            child.destroyForcibly();
        }
        cache.close();
    }

    @Test
    void returningFromMainWithoutCloseDeliversWhatIsOwed() throws Exception {
        String output = run("return", true, Duration.ofSeconds(10), true);

        assertThat(delivered()).as("purges answered 200 after main returned").containsExactlyInAnyOrderElementsOf(PATHS);
        assertThat(output).contains("The JVM is exiting without Roan.close(): delivered the 3 purges it still owed");
    }

    @Test
    void sigtermWithoutCloseDeliversWhatIsOwed() throws Exception {
        String output = run("wait", true, Duration.ofSeconds(10), true);

        assertThat(delivered()).as("purges answered 200 after SIGTERM").containsExactlyInAnyOrderElementsOf(PATHS);
        assertThat(output).contains("delivered the 3 purges it still owed");
    }

    @Test
    void aNodeDownForLongerThanTheCloseTimeoutIsProbedAtOnceOnExit() throws Exception {
        // The node answered 503 with Retry-After: 3600, so its next probe is maxRetryInterval (30 s) away, longer
        // than the close timeout; it is healthy again when SIGTERM comes: the hook probes it at once.
        retryAfter = "3600";
        String output = run("down", true, Duration.ofSeconds(5), true);

        assertThat(delivered()).as("delivered by the probe at exit").containsExactlyInAnyOrderElementsOf(PATHS);
        assertThat(output).contains("delivered the 3 purges it still owed");
    }

    @Test
    void withoutTheHookAnExitDropsWhatIsOwed() throws Exception {
        run("return", false, Duration.ofSeconds(10), true);

        assertThat(delivered()).as("nothing delivers once main has returned").isEmpty();
    }

    @Test
    void withoutTheHookSigtermDropsWhatIsOwed() throws Exception {
        run("wait", false, Duration.ofSeconds(10), true);

        assertThat(delivered()).as("nothing delivers after SIGTERM").isEmpty();
    }

    @Test
    void whatTheCloseTimeoutCannotDeliverIsNamedInAWarning() throws Exception {
        String output = run("return", true, Duration.ofMillis(500), false);

        assertThat(delivered()).isEmpty();
        assertThat(output).contains("WARNING")
                .contains("The JVM is exiting without Roan.close(): 3 purges still owed after waiting 500 ms")
                .contains(cache.purgeUrl() + ": 3 paths [").contains("/posts/a").contains("/posts/c");
    }

    @Test
    void closeRemovesTheHookSoClosedRoansAreNotKeptByTheJvm() {
        List<WeakReference<Delivery>> closed = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).build();
            Thread hook = roan.delivery().shutdownHook();
            assertThat(hook).as("registered by default").isNotNull();
            closed.add(new WeakReference<>(roan.delivery()));
            roan.close();
            assertThat(Runtime.getRuntime().removeShutdownHook(hook)).as("hook still registered after close")
                    .isFalse();
        }
        for (int attempt = 0; attempt < 20 && closed.stream().anyMatch(r -> r.get() != null); attempt++) {
            System.gc();
        }
        assertThat(closed.stream().filter(r -> r.get() != null).count()).as("closed deliveries still reachable")
                .isZero();
    }

    @Test
    void theHookCanBeTurnedOff() {
        try (Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).shutdownHook(false).build()) {
            assertThat(roan.delivery().shutdownHook()).isNull();
            assertThat(Roan.builder().shutdownHook(false).toString()).contains("shutdownHook=false");
        }
    }

    /** Paths answered 200: each request is recorded with the answer it got, in arrival order. */
    private Set<String> delivered() {
        List<String> paths = cache.paths();
        synchronized (answered) {
            List<String> ok = new ArrayList<>();
            for (int i = 0; i < paths.size(); i++) {
                if (answered.get(i)) {
                    ok.add(paths.get(i));
                }
            }
            return Set.copyOf(ok);
        }
    }

    /**
     * Runs the child until it exits: it commits, then either returns from main or waits for SIGTERM, which this
     * sends (modes {@code return}, {@code wait}, {@code down}). The cache turns healthy (when {@code heal}) only after
     * the child's exit began, and without the hook only once the child is gone.
     */
    private String run(String mode, boolean hook, Duration closeTimeout, boolean heal) throws Exception {
        Path out = folder.resolve("child.out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Djava.util.logging.manager=" + KeepLogging.class.getName(), Child.class.getName(),
                cache.purgeUrl(), mode, String.valueOf(hook), String.valueOf(closeTimeout.toMillis()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!read(out).contains(COMMITTED)) {
            assertThat(System.nanoTime()).as("child committed in time; it printed: %s", read(out)).isLessThan(deadline);
            Thread.sleep(10);
        }
        if (mode.equals("down")) {
            // Healthy before the exit: only a probe can deliver now, and the node's next one is far off.
            healthy.set(heal);
        }
        if (!mode.equals("return")) {
            child.destroy();
        }
        if (hook) {
            // The child is waiting in its hook, for a cache that is still failing.
            Thread.sleep(300);
            healthy.set(heal);
        }
        long exiting = System.nanoTime();
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("child exited; it printed: %s", read(out)).isTrue();
        if (!hook) {
            // A hook would wait the whole close timeout for the failing cache: without one, the exit is prompt.
            assertThat(Duration.ofNanos(System.nanoTime() - exiting)).as("exit without a hook")
                    .isLessThan(closeTimeout.dividedBy(2));
        }
        // Without the hook the cache heals only once the child is gone: nothing it does after exiting can count.
        healthy.set(heal);
        return read(out);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * java.util.logging's own shutdown hook resets it, removing every handler, while the other hooks run: Roan's
     * line would reach no handler. Backends such as Logback keep logging until the JVM halts; so does the child's
     * java.util.logging with this manager.
     */
    public static final class KeepLogging extends java.util.logging.LogManager {

        @Override
        public void reset() {
            // Kept as it is: the child only exits once.
        }
    }

    /**
     * The child JVM: commits three posts through Roan, prints {@value #COMMITTED} (in mode {@code down} once the node
     * is down), then returns from main ({@code return}) or waits for SIGTERM; never closes Roan.
     */
    static final class Child {

        public static void main(String[] args) throws Exception {
            boolean down = args[1].equals("down");
            Roan.Builder builder = Roan.builder().purgeUrl(args[0]).shutdownHook(Boolean.parseBoolean(args[2]))
                    .closeTimeout(Duration.ofMillis(Long.parseLong(args[3])));
            if (down) {
                // One attempt: the node is down at the first failure.
                builder.retryConfig(Roan.retryConfig(1, Duration.ofMillis(10)));
            }
            Roan roan = builder.build();
            roan.purge("/posts/{slug}").onWrite(POST);
            TestDb db = new TestDb();
            DSLContext dsl = DSL.using(roan.attach(db.configuration()));
            dsl.transaction(tx -> {
                for (String slug : List.of("a", "b", "c")) {
                    tx.dsl().insertInto(POST).set(POST.SLUG, slug).set(POST.TITLE, slug).execute();
                }
            });
            while (down && !roan.cacheNodes().get(0).isDown()) {
                Thread.sleep(10);
            }
            System.out.println(COMMITTED);
            System.out.flush();
            if (!args[1].equals("return")) {
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }
}
