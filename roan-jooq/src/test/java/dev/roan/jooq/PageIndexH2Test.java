package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;

/** The shared page index on H2 2.x, a fresh in-memory database per test; and its builder options. */
class PageIndexH2Test extends PageIndexContract {

    @Override
    DataSource dataSource() {
        JdbcDataSource dataSource = new JdbcDataSource();
        // A render waiting for another's lock on a page's rows waits as long as on PostgreSQL, not H2's one second.
        dataSource.setURL("jdbc:h2:mem:page-index-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        return dataSource;
    }

    @Override
    SQLDialect dialect() {
        return SQLDialect.H2;
    }

    @Test
    void theTableIsCreatedWhenMissingUnlessTurnedOff() throws Exception {
        assertThatThrownBy(() -> instance(b -> b.createPageIndexTable(false)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("page index table roan_page_index is missing")
                .hasMessageContaining("Roan.pageIndexDdl(SQLDialect, \"roan_page_index\")");

        for (String ddl : Roan.pageIndexDdl(SQLDialect.H2).split(";\n")) {
            execute(ddl);
        }
        instance(b -> b.createPageIndexTable(false)).sharedIndex().replace(PAGE, java.util.Set.of(OWNER_4));
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void aTableOfAnotherNameInASchema() throws Exception {
        execute("CREATE SCHEMA app");
        Roan roan = instance(b -> b.pageIndexTable("app.pages"));
        roan.sharedIndex().replace(PAGE, java.util.Set.of(OWNER_4));

        assertThat(count("SELECT COUNT(*) FROM app.pages")).isEqualTo(1);
        assertThat(Roan.builder().pageIndex(db.dataSource).pageIndexTable("app.pages").toString())
                .contains("pageIndex=app.pages (created when missing)");
    }

    @Test
    void builderRefusesANullDataSourceAndABadTableName() {
        assertThatThrownBy(() -> Roan.builder().pageIndex(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pageIndex DataSource is null");
        assertThatThrownBy(() -> Roan.builder().pageIndexTable("pages; drop table x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pageIndexTable must be a plain SQL");
        assertThatThrownBy(() -> Roan.pageIndexDdl(SQLDialect.SQLITE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SQLite");
    }

    @Test
    void theDdlOfEachDatabase() {
        assertThat(Roan.pageIndexDdl(SQLDialect.POSTGRES)).contains("CREATE TABLE IF NOT EXISTS roan_page_index",
                "PRIMARY KEY (dependency, page)", "CREATE INDEX IF NOT EXISTS roan_page_index_page");
        assertThat(Roan.pageIndexDdl(SQLDialect.MARIADB, "app.pages")).contains("url        TEXT",
                "INDEX pages_page (page)");
    }
}
