package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;

import java.time.Duration;
import java.util.Arrays;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The program the durable-mode crash tests run in a child JVM, so that they can kill a real process: an application
 * in durable mode that writes posts (rule {@code /posts/{slug}}) and prints a line after each commit.
 *
 * <ul>
 *   <li>{@code crash <kill|halt> <db...> <purgeUrl>}: a jOOQ transaction writing {@code tx-a} and {@code tx-b}, an
 *       auto-commit INSERT of {@code auto}, a transaction writing {@code rolled-back} that rolls back; then prints
 *       {@code COMMITTED} and waits to be killed, or halts ({@code Runtime.halt}: no shutdown hook, no finally).</li>
 *   <li>{@code instance <name> <count> <db...> <purgeUrl>}: {@code count} transactions, each writing the post
 *       {@code <name>-<i>} and printing {@code COMMITTED <name>-<i>} once committed; then {@code DONE}, and it
 *       keeps running (delivering, sweeping the outbox) until it is stopped.</li>
 * </ul>
 *
 * <p>{@code <db...>} is {@link OutboxDb#args()}. The system property {@code roan.test.memoryMode=true} builds Roan
 * without the outbox: what the tests look like without durable mode.
 */
final class DurableWriter {

    /** Short enough for a test to see a dead process's rows swept within seconds. */
    static final Duration LEASE = Duration.ofSeconds(1);
    static final Duration SWEEP_INTERVAL = Duration.ofMillis(250);

    private DurableWriter() {}

    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        switch (scenario) {
            case "crash" -> crash(args[1], OutboxDb.fromArgs(args, 2), args[6]);
            case "instance" -> instance(args[1], Integer.parseInt(args[2]), OutboxDb.fromArgs(args, 3), args[7]);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario + " in " + Arrays.toString(args));
        }
    }

    /** Roan in durable mode on {@code db}, as the next process and the other instances build it too. */
    static Roan durableRoan(OutboxDb db, String purgeUrl) {
        Roan.Builder builder = Roan.builder().purgeUrl(purgeUrl);
        if (!Boolean.getBoolean("roan.test.memoryMode")) {
            builder.outbox(db.dataSource()).outboxLease(LEASE).outboxSweepInterval(SWEEP_INTERVAL);
        }
        Roan roan = builder.build();
        roan.purge("/posts/{slug}").onWrite(POST);
        return roan;
    }

    private static void crash(String how, OutboxDb db, String purgeUrl) throws InterruptedException {
        Roan roan = durableRoan(db, purgeUrl);
        DSLContext dsl = DSL.using(roan.attach(db.configuration()));
        dsl.transaction(c -> {
            insertPost(DSL.using(c), "tx-a");
            insertPost(DSL.using(c), "tx-b");
        });
        insertPost(dsl, "auto");
        try {
            dsl.transaction(c -> {
                insertPost(DSL.using(c), "rolled-back");
                throw new IllegalStateException("roll back");
            });
        } catch (IllegalStateException expected) {
            // The point: a rolled-back transaction owes nothing.
        }
        System.out.println("COMMITTED");
        System.out.flush();
        if (how.equals("halt")) {
            Runtime.getRuntime().halt(3);
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void instance(String name, int count, OutboxDb db, String purgeUrl) throws InterruptedException {
        Roan roan = durableRoan(db, purgeUrl);
        DSLContext dsl = DSL.using(roan.attach(db.configuration()));
        for (int i = 0; i < count; i++) {
            String slug = name + "-" + i;
            dsl.transaction(c -> insertPost(DSL.using(c), slug));
            System.out.println("COMMITTED " + slug);
            System.out.flush();
            Thread.sleep(20);
        }
        System.out.println("DONE");
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(roan::close));
        Thread.sleep(Long.MAX_VALUE);
    }

    static void insertPost(DSLContext dsl, String slug) {
        dsl.insertInto(POST).set(POST.SLUG, slug).set(POST.TITLE, slug).execute();
    }
}
