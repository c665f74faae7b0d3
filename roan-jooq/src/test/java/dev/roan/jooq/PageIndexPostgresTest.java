package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import dev.roan.testkit.Postgres;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The shared page index on a real PostgreSQL, started once for the class (skipped without it, failing under CI). */
class PageIndexPostgresTest extends PageIndexContract {

    private static final String DATABASE = "roan_page_index_test";
    private static Postgres postgres;
    private static String url;

    private static synchronized void startOnce() {
        if (postgres == null) {
            Postgres started = Postgres.start();
            url = started.createDatabase(DATABASE);
            postgres = started;
        }
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    @Override
    DataSource dataSource() {
        startOnce();
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setUser(postgres.user());
        dataSource.setPassword(postgres.password());
        return dataSource;
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

    private static final int PAGES = 250;

    private long size() throws Exception {
        execute("VACUUM ANALYZE " + TABLE);
        try (Connection c = raw.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT pg_total_relation_size('" + TABLE + "')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Bytes per page: 250 pages of 20 keys each (less the empty table's size), table and indexes, as PostgreSQL stores them. */
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
        System.out.println("PageIndexPostgresTest: " + bytes / PAGES + " bytes per page of 20 keys ("
                + bytes / (PAGES * 20) + " per key), table and indexes, URLs like /owners/123");
        assertThat(rows()).isEqualTo(PAGES * 20);
        assertThat(bytes / (PAGES * 20)).as("bytes per key").isLessThan(200);
    }
}
