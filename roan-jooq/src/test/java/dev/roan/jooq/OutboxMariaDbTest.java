package dev.roan.jooq;

import javax.sql.DataSource;

import org.jooq.SQLDialect;
import org.junit.jupiter.api.AfterAll;

/** Durable mode on a real MariaDB, started once for the class (skipped without MariaDB, failing under CI). */
class OutboxMariaDbTest extends OutboxContract {

    private static final ServerDb SERVER = ServerDb.mariaDb("roan_outbox_test");

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    @Override
    DataSource dataSource() {
        return SERVER.db().dataSource();
    }

    @Override
    SQLDialect dialect() {
        return SQLDialect.MARIADB;
    }
}
