package dev.roan.jooq;

import dev.roan.jooq.DurableCrash.Death;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Durable mode survives a writer's {@code kill -9} and {@code Runtime.halt()} on a real PostgreSQL: the writer is a
 * child JVM, this JVM is the next process.
 */
class DurableCrashPostgresTest {

    private static final String DATABASE = "roan_crash_test";
    @RegisterExtension
    static final ServerDb SERVER = ServerDb.postgres(DATABASE);
    private OutboxDb db;

    @BeforeEach
    void setUp() {
        db = SERVER.db();
        db.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;" + TestDb.script("/schema.sql"));
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
