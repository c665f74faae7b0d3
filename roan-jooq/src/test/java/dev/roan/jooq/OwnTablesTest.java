package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * Roan creating its own tables: a statement that fails while the tables are there all the same (another instance
 * created them at that moment) is no error; one that leaves them missing is. The connection is left as it was given.
 */
class OwnTablesTest {

    private static final Consumer<Connection> NEEDS_T = c -> {
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM t WHERE 1 = 0").close();
        } catch (SQLException e) {
            throw new IllegalStateException("t is missing", e);
        }
    };

    @Test
    void tablesAreCreatedAndTheConnectionKeepsItsAutoCommitMode() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:own-" + UUID.randomUUID())) {
            c.setAutoCommit(false);

            OwnTables.create(c, "CREATE TABLE t (id INT);\nCREATE INDEX t_id ON t (id);", NEEDS_T);

            assertThat(c.getAutoCommit()).isFalse();
            NEEDS_T.accept(c);
        }
    }

    @Test
    void aFailedStatementIsNoErrorWhileTheTablesAreThere() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:own-" + UUID.randomUUID())) {
            OwnTables.create(c, "CREATE TABLE t (id INT)", NEEDS_T);

            OwnTables.create(c, "CREATE TABLE t (id INT)", NEEDS_T);

            assertThatThrownBy(() -> OwnTables.create(c, "CREATE TABLE u (id INT BROKEN)", c2 -> {
                throw new IllegalStateException("u is missing");
            })).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void eachStatementIsCommittedAsItRunsWhateverTheConnectionsMode() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:own-" + UUID.randomUUID())) {
            c.setAutoCommit(false);

            OwnTables.create(c, "CREATE TABLE t (id INT);\nINSERT INTO t VALUES (1);", NEEDS_T);
            c.rollback();

            try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM t")) {
                rows.next();
                assertThat(rows.getInt(1)).as("rows after the caller's rollback").isOne();
            }
        }
    }
}
