package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.roan.testkit.JavaProcess;
import dev.roan.testkit.Programs;
import dev.roan.testkit.PurgeServer;

/**
 * The crash scenario the durable-mode tests run on each database: a child JVM ({@link DurableWriter}) commits
 * writes while its cache is down and dies without a chance to deliver; then the next process, with the cache up,
 * must deliver every purge the dead one owed, and none for its rolled-back transaction.
 */
final class DurableCrash {

    /** How the writer dies. */
    enum Death {
        /** {@code kill -9}, from outside: {@link Process#destroyForcibly()}. */
        KILL,
        /** {@code Runtime.getRuntime().halt()}, from inside, right after its last write. */
        HALT
    }

    static final List<String> OWED = List.of("/posts/tx-a", "/posts/tx-b", "/posts/auto");
    static final String ROLLED_BACK = "/posts/rolled-back";

    /** Small and quick to start: the child does a few writes and dies. */
    private static final List<String> CHILD_JVM = List.of("-Xmx128m", "-Xss512k", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC");

    private DurableCrash() {}

    /** The options of a child JVM; {@code -Droan.test.memoryMode=true} on the test JVM is passed on. */
    static List<String> childJvm() {
        List<String> options = new ArrayList<>(CHILD_JVM);
        if (Boolean.getBoolean("roan.test.memoryMode")) {
            options.add("-Droan.test.memoryMode=true");
        }
        return options;
    }

    /** Runs the scenario on {@code db}, whose test tables exist and are empty. */
    static void writerDiesThenNextProcessDeliversWhatItOwed(OutboxDb db, Death death) throws Exception {
        // Nothing listens there: every purge the writer tries is refused.
        String downCache = "http://127.0.0.1:" + Programs.freePort() + "/purge";
        List<String> args = new ArrayList<>(List.of("crash", death.name().toLowerCase(Locale.ROOT)));
        args.addAll(db.args());
        args.add(downCache);
        try (JavaProcess writer = JavaProcess.start(DurableWriter.class, childJvm(), args.toArray(String[]::new))) {
            writer.awaitLine("COMMITTED"::equals, Duration.ofSeconds(60));
            if (death == Death.KILL) {
                writer.kill();
                assertThat(writer.exitDescription()).as("how the writer ended").contains("SIGKILL");
            } else {
                assertThat(writer.awaitExit(Duration.ofSeconds(10))).as("the writer's exit code, from halt(3)")
                        .isEqualTo(3);
            }
        }
        assertThat(db.count("select count(*) from post where slug in ('tx-a', 'tx-b', 'auto')"))
                .as("posts the writer committed").isEqualTo(3);
        assertThat(db.count("select count(*) from post where slug = 'rolled-back'")).as("posts rolled back").isZero();
        assertThat(db.outboxRows()).as("outbox rows the dead writer left, its purges undelivered").isPositive();
        assertThat(db.outboxPaths()).as("paths of the rows the dead writer left: none of the rollback")
                .containsExactlyInAnyOrderElementsOf(OWED);

        try (PurgeServer cache = new PurgeServer(); Roan next = DurableWriter.durableRoan(db, cache.purgeUrl())) {
            awaitTrue(() -> cache.paths().containsAll(OWED) && db.outboxRows() == 0, Duration.ofSeconds(30),
                    () -> "purges received: " + cache.paths() + ", outbox rows left: " + db.outboxRows() + ", " + next);
            assertThat(cache.paths()).as("purges the next process delivered")
                    .containsAll(OWED)
                    .doesNotContain(ROLLED_BACK);
        }
    }

    static void awaitTrue(BooleanSupplier condition, Duration timeout, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s; " + state.get());
            }
            Thread.sleep(50);
        }
    }
}
