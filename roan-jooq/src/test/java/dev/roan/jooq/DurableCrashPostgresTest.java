package dev.roan.jooq;

import dev.roan.jooq.DurableCrash.Death;
import dev.roan.testkit.Postgres;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Durable mode survives a writer's {@code kill -9} and {@code Runtime.halt()} on a real PostgreSQL: the writer is a
 * child JVM, this JVM is the next process.
 */
class DurableCrashPostgresTest {

    private static final String DATABASE = "roan_crash_test";
    private static Postgres postgres;
    private static OutboxDb db;

    /** In the first test's set-up, so that a missing PostgreSQL marks each test skipped with the reason. */
    private static synchronized void startPostgresOnce() {
        if (postgres == null) {
            Postgres started = Postgres.start();
            try {
                db = new OutboxDb(SQLDialect.POSTGRES, started.createDatabase(DATABASE), started.user(),
                        started.password());
            } catch (RuntimeException e) {
                started.close();
                throw e;
            }
            postgres = started;
        }
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    @BeforeEach
    void setUp() {
        startPostgresOnce();
        db.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;" + DurableCrash.schema("/schema.sql"));
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
