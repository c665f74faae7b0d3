package dev.roan.jooq;

import java.sql.SQLException;

import javax.sql.DataSource;

import dev.roan.testkit.MariaDb;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.AfterAll;
import org.mariadb.jdbc.MariaDbDataSource;

/** Durable mode on a real MariaDB, started once for the class (skipped without MariaDB, failing under CI). */
class OutboxMariaDbTest extends OutboxContract {

    private static final String DATABASE = "roan_outbox_test";
    private static MariaDb mariaDb;
    private static String url;

    private static synchronized void startOnce() {
        if (mariaDb == null) {
            MariaDb started = MariaDb.start();
            url = started.createDatabase(DATABASE);
            mariaDb = started;
        }
    }

    @AfterAll
    static void stop() {
        if (mariaDb != null) {
            mariaDb.close();
            mariaDb = null;
        }
    }

    @Override
    DataSource dataSource() throws SQLException {
        startOnce();
        MariaDbDataSource dataSource = new MariaDbDataSource(url);
        dataSource.setUser(mariaDb.user());
        dataSource.setPassword(mariaDb.password());
        return dataSource;
    }

    @Override
    SQLDialect dialect() {
        return SQLDialect.MARIADB;
    }
}
