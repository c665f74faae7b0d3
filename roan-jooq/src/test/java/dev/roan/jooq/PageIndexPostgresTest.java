package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared page index on a real PostgreSQL, started once for the class (skipped without it, failing under CI). */
class PageIndexPostgresTest extends PageIndexContract {

    @RegisterExtension
    static final ServerDb SERVER = ServerDb.postgres("roan_page_index_test");

    @Override
    DataSource dataSource() {
        return SERVER.db().dataSource();
    }

    @Override
    SQLDialect dialect() {
        return SQLDialect.POSTGRES;
    }

    @Test
    void aWritesKeysFindTheirPagesThroughThePrimaryKeyAndAPagesKeysThroughItsIndex() throws Exception {
        instance().sharedIndex().replace(PAGE, Set.of(OWNER_4));
        PageIndexSql sql = PageIndexSql.of(SQLDialect.POSTGRES, TABLE);
        List<String> plans = new ArrayList<>();
        try (Connection c = raw.getConnection()) {
            c.createStatement().execute("SET enable_seqscan = off");
            for (String query : List.of(sql.pages(3), sql.keysOf())) {
                try (PreparedStatement explain = c.prepareStatement("EXPLAIN " + query)) {
                    int binds = (int) query.chars().filter(ch -> ch == '?').count();
                    for (int i = 1; i <= binds; i++) {
                        explain.setLong(i, i);
                    }
                    StringBuilder plan = new StringBuilder();
                    try (ResultSet rs = explain.executeQuery()) {
                        while (rs.next()) {
                            plan.append(rs.getString(1)).append('\n');
                        }
                    }
                    plans.add(plan.toString());
                }
            }
        }
        assertThat(plans.get(0)).as("a write's keys").contains("Index Cond", "dependency = ANY");
        assertThat(plans.get(1)).as("a page's keys").contains("roan_page_index_page", "page =");
    }

    /** Bytes per key, table and indexes, as PostgreSQL stores them. */
    @Test
    void bytesPerPage() throws Exception {
        long perKey = bytesPerKey("VACUUM ANALYZE " + TABLE, "SELECT pg_total_relation_size('" + TABLE + "')",
                "table and indexes");
        assertThat(perKey).as("bytes per key").isLessThan(200);
    }
}
