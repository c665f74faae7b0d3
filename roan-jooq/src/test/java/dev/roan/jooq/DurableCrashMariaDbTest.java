package dev.roan.jooq;

import dev.roan.jooq.DurableCrash.Death;
import dev.roan.testkit.MariaDb;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Durable mode survives a writer's {@code kill -9} and {@code Runtime.halt()} on a real MariaDB: the writer is a
 * child JVM, this JVM is the next process.
 */
class DurableCrashMariaDbTest {

    private static final String DATABASE = "roan_crash_test";
    private static MariaDb mariaDb;
    private static OutboxDb db;

    /** In the first test's set-up, so that a missing MariaDB marks each test skipped with the reason. */
    private static synchronized void startMariaDbOnce() {
        if (mariaDb == null) {
            MariaDb started = MariaDb.start();
            try {
                db = new OutboxDb(SQLDialect.MARIADB, started.createDatabase(DATABASE), started.user(),
                        started.password());
            } catch (RuntimeException e) {
                started.close();
                throw e;
            }
            mariaDb = started;
        }
    }

    @AfterAll
    static void stopMariaDb() {
        if (mariaDb != null) {
            mariaDb.close();
            mariaDb = null;
        }
    }

    @BeforeEach
    void setUp() {
        startMariaDbOnce();
        db.execute("DROP DATABASE " + DATABASE + "; CREATE DATABASE " + DATABASE
                + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; USE " + DATABASE + ";"
                + DurableCrash.schema("/schema-mariadb.sql"));
    }

    @Test
    void killedWritersOwedPurgesAreDeliveredByTheNextProcess() throws Exception {
        DurableCrash.writerDiesThenNextProcessDeliversWhatItOwed(db, Death.KILL);
    }

    @Test
    void haltedWritersOwedPurgesAreDeliveredByTheNextProcess() throws Exception {
        DurableCrash.writerDiesThenNextProcessDeliversWhatItOwed(db, Death.HALT);
    }
}
