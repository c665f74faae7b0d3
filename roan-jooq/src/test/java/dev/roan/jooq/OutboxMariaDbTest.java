package dev.roan.jooq;

import javax.sql.DataSource;

import org.jooq.SQLDialect;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Durable mode on a real MariaDB, started once for the class (skipped without MariaDB, failing under CI). */
class OutboxMariaDbTest extends OutboxContract {

    @RegisterExtension
    static final ServerDb SERVER = ServerDb.mariaDb("roan_outbox_test");

    @Override
    DataSource dataSource() {
        return SERVER.db().dataSource();
    }

    @Override
    SQLDialect dialect() {
        return SQLDialect.MARIADB;
    }
}
