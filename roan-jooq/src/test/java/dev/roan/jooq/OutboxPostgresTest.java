package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Durable mode on a real PostgreSQL, started once for the class (skipped without PostgreSQL, failing under CI). */
class OutboxPostgresTest extends OutboxContract {

    @RegisterExtension
    static final ServerDb SERVER = ServerDb.postgres("roan_outbox_test");

    @Override
    DataSource dataSource() {
        return SERVER.db().dataSource();
    }

    @Override
    SQLDialect dialect() {
        return SQLDialect.POSTGRES;
    }

    @Test
    void theSweepsClaimFindsExpiredLeasesThroughTheClaimedAtIndex() throws Exception {
        OutboxSql sql = OutboxSql.of(SQLDialect.POSTGRES, "roan_outbox");
        List<String> plan = new ArrayList<>();
        try (Connection c = raw.getConnection()) {
            try (Statement s = c.createStatement()) {
                // The DDL is two statements: the table and its index.
                for (String ddl : sql.ddl().split(";")) {
                    if (!ddl.isBlank()) {
                        s.execute(ddl);
                    }
                }
                // An empty table is cheapest to scan whole: make the planner show whether it could use the index.
                s.execute("SET enable_seqscan = off");
            }
            try (PreparedStatement explain = c.prepareStatement("EXPLAIN " + sql.claimable(1000))) {
                explain.setLong(1, 30);
                try (ResultSet rs = explain.executeQuery()) {
                    while (rs.next()) {
                        plan.add(rs.getString(1));
                    }
                }
            }
        }
        // A volatile comparison (clock_timestamp()) is only a filter, evaluated for every row.
        assertThat(plan).as("the claim's plan").anySatisfy(line -> assertThat(line).contains("Index Cond")
                .contains("claimed_at <"));
    }

    /**
     * A commit that fails after Roan wrote its rows (a deferred foreign key is checked at the commit) takes the rows
     * with it: they were written in the transaction, not beside it.
     */
    @Test
    void commitFailingAfterTheRowsWereWrittenLeavesNoRow() throws Exception {
        execute("DROP TABLE IF EXISTS child");
        execute("CREATE TABLE child (id BIGINT PRIMARY KEY, item_id BIGINT REFERENCES item (id)"
                + " DEFERRABLE INITIALLY DEFERRED)");
        Roan roan = roan(builder(cache));
        roan.purge("/children").onWrite(DSL.table(DSL.name("child")));
        DSLContext dsl = dsl(roan);

        assertThatThrownBy(() -> dsl.transaction(tx -> tx.dsl().insertInto(DSL.table(DSL.name("child")))
                .columns(DSL.field(DSL.name("id")), DSL.field(DSL.name("item_id"))).values(1L, 42L).execute()))
                .isInstanceOf(DataAccessException.class);

        assertThat(recording.prepared("INSERT INTO roan_outbox")).as("the rows were written").hasSize(1);
        assertThat(rows()).as("and rolled back with the failed commit").isEmpty();
        assertThat(roan.flush(WAIT)).isTrue();
        assertThat(cache.paths()).isEmpty();
        try (Connection c = raw.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM child")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
