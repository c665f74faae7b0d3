package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;

import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared page index on a real MariaDB, started once for the class (skipped without it, failing under CI). */
class PageIndexMariaDbTest extends PageIndexContract {

    @RegisterExtension
    static final ServerDb SERVER = ServerDb.mariaDb("roan_page_index_test");

    @Override
    DataSource dataSource() {
        return SERVER.db().dataSource();
    }

    @Override
    SQLDialect dialect() {
        return SQLDialect.MARIADB;
    }

    /** Bytes per key, data and indexes, as InnoDB reports them. */
    @Test
    void bytesPerPage() throws Exception {
        long perKey = bytesPerKey("ANALYZE TABLE " + TABLE,
                "SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = DATABASE()"
                        + " AND table_name = '" + TABLE + "'",
                "data and indexes");
        assertThat(perKey).as("bytes per key").isLessThan(300);
    }
}
