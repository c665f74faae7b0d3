package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;

import org.jooq.DSLContext;
import org.jooq.InsertValuesStep2;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.roan.jooq.test.db.tables.records.PostRecord;

/**
 * A long outage with a distinct path per written row, as many writes as 5 minutes at 1,000 writes/s (300,000 rows,
 * three times the default cap, committed as fast as H2 takes them, in transactions of 1,000 rows), against a cache
 * whose port is closed: Roan owes at most {@code maxOwedPaths} paths, counts the rest as dropped, and its heap stays
 * within what the cap allows. (10 minutes' worth, 600,000 rows, passes too, in about 40 s on a quiet 2-core machine
 * and 80 s on a busy one: too long for this suite.)
 */
class LongOutageMemoryTest {

    private static final int ROWS = 300_000;
    private static final int ROWS_PER_TRANSACTION = 1_000;
    private static final int CAP = Roan.DEFAULT_MAX_OWED_PATHS;
    /**
     * Generous bytes per owed path (measured about 200, see the README's "Bounded memory"): the bound a capped Roan
     * stays under, and that the 300,000 paths an uncapped one would owe exceed.
     */
    private static final long BYTES_PER_PATH_BOUND = 400;

    private final OutageTest.FlakyCache cache = new OutageTest.FlakyCache();
    private TestDb db;
    private Roan roan;

    @BeforeEach
    void setUp() {
        db = new TestDb();
        cache.fail(OutageTest.Failure.CLOSED);
        roan = Roan.builder().purgeUrl(cache.purgeUrl()).build();
        roan.purge("/posts/{slug}").onWrite(POST);
    }

    @AfterEach
    void tearDown() throws Exception {
        roan.close();
        cache.close();
        db.close();
    }

    @Test
    void aLongOutageOwesAtMostTheCapAndItsHeapStaysWithinIt() {
        DSLContext dsl = DSL.using(roan.attach(db.configuration()));
        long before = usedHeapAfterGc();

        for (int start = 0; start < ROWS; start += ROWS_PER_TRANSACTION) {
            int first = start;
            dsl.transaction(tx -> {
                InsertValuesStep2<PostRecord, String, String> insert = tx.dsl().insertInto(POST, POST.SLUG, POST.TITLE);
                for (int i = first; i < first + ROWS_PER_TRANSACTION; i++) {
                    insert = insert.values("p" + i, "t");
                }
                insert.execute();
            });
        }
        // The rows themselves are the database's memory, not Roan's.
        db.onSeparateConnection(d -> d.deleteFrom(POST).execute());
        long after = usedHeapAfterGc();

        CacheNodeStatus node = roan.cacheNodes().get(0);
        assertThat(node.owedPurges()).as("owed paths, at most the cap").isLessThanOrEqualTo(CAP)
                .isGreaterThan(CAP - NodeBacklog.MAX_IN_FLIGHT_PER_NODE);
        assertThat(node.isDown()).isTrue();
        assertThat(roan.droppedPurges()).as("dropped beyond the cap, counted").isEqualTo(ROWS - node.owedPurges());
        assertThat(after - before).as("heap grown by %s owed paths, in bytes", node.owedPurges())
                .isLessThan(CAP * BYTES_PER_PATH_BOUND);
        assertThat(roan.flush(Duration.ZERO)).as("flush is false while purges are owed or dropped").isFalse();
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
