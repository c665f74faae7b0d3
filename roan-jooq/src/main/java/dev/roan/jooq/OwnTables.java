package dev.roan.jooq;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;

/** Creating Roan's own tables (the outbox, the shared page index) from their DDL. */
final class OwnTables {

    private OwnTables() {
    }

    /**
     * Runs {@code ddl}'s statements (separated by {@code ";\n"}) in auto-commit. {@code check} throws an
     * {@link IllegalStateException} when the tables are missing; it decides whether a failed statement matters.
     */
    static void create(Connection c, String ddl, Consumer<Connection> check) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        try (Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            for (String statement : ddl.split(";\n")) {
                s.execute(statement.endsWith(";") ? statement.substring(0, statement.length() - 1) : statement);
            }
        } catch (SQLException e) {
            // Instances starting together: PostgreSQL's CREATE ... IF NOT EXISTS fails on its catalog's unique index
            // when another session creates the same table at that moment. The table is there: that is all we need.
            try {
                check.accept(c);
            } catch (IllegalStateException missing) {
                throw e;
            }
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
