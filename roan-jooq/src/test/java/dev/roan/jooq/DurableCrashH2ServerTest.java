package dev.roan.jooq;

import java.util.UUID;

import dev.roan.jooq.DurableCrash.Death;
import dev.roan.testkit.Programs;
import org.h2.tools.Server;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Durable mode survives a writer's {@code kill -9} and {@code Runtime.halt()} on H2 in server mode: the writer is a
 * child JVM connected over TCP to an H2 server in this JVM, and this JVM is the next process.
 */
class DurableCrashH2ServerTest {

    private static Server server;
    private OutboxDb db;

    @BeforeAll
    static void startServer() throws Exception {
        server = Server.createTcpServer("-tcpPort", Integer.toString(Programs.freePort()), "-ifNotExists").start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    /** A fresh in-memory database on the server for each test, kept while no one is connected. */
    @BeforeEach
    void setUp() {
        String url = "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/mem:crash-" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1";
        db = new OutboxDb(SQLDialect.H2, url, "sa", "");
        db.execute(TestDb.script("/schema.sql"));
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
