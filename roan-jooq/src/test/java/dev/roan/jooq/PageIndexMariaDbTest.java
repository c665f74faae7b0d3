package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Set;

import javax.sql.DataSource;

import dev.roan.testkit.MariaDb;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

/** The shared page index on a real MariaDB, started once for the class (skipped without it, failing under CI). */
class PageIndexMariaDbTest extends PageIndexContract {

    private static final String DATABASE = "roan_page_index_test";
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

    private static final int PAGES = 250;

    private long size() throws Exception {
        execute("ANALYZE TABLE " + TABLE);
        try (Connection c = raw.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = DATABASE()"
                        + " AND table_name = '" + TABLE + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Bytes per page: 250 pages of 20 keys each (less the empty table's size), data and indexes, as InnoDB reports them. */
    @Test
    void bytesPerPage() throws Exception {
        Roan roan = instance();
        long empty = size();
        for (int page = 0; page < PAGES; page++) {
            Set<Dependency> keys = new LinkedHashSet<>();
            keys.add(Dependency.row("owners", "id", Integer.toString(page)));
            keys.add(Dependency.row("pets", "owner_id", Integer.toString(page)));
            keys.add(Dependency.table("types"));
            for (int k = 0; k < 17; k++) {
                keys.add(Dependency.row("visits", "pet_id", Integer.toString(page * 17 + k)));
            }
            roan.sharedIndex().replace("/owners/" + page, keys);
        }
        long bytes = size() - empty;
        System.out.println("PageIndexMariaDbTest: " + bytes / PAGES + " bytes per page of 20 keys ("
                + bytes / (PAGES * 20) + " per key), data and indexes, URLs like /owners/123");
        assertThat(rows()).isEqualTo(PAGES * 20);
        assertThat(bytes / (PAGES * 20)).as("bytes per key").isLessThan(300);
    }
}
