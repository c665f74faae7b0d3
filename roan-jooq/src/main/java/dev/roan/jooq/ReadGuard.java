package dev.roan.jooq;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.function.Supplier;

import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConnectionProvider;
import org.jspecify.annotations.Nullable;

/**
 * Runs a read of Roan's own on the writer's connection (the rows before an UPDATE, {@link RowsBefore}; the related
 * rows after a write, {@link RelatedRows}) so that its failure cannot break the writer's transaction.
 *
 * <p>PostgreSQL aborts the whole transaction on any failed statement ("current transaction is aborted, commands
 * ignored until end of transaction block"): a failed read of Roan's would make the user's own statement and commit
 * fail. So where auto-commit is off the read runs inside a savepoint, rolled back to on failure and released after.
 * A driver without savepoints reads without one.
 */
final class ReadGuard {

    private ReadGuard() {}

    /**
     * The statement's own configuration (mapping, quoting, listeners) on the statement's own connection, which
     * {@code DefaultConnectionProvider} never closes.
     */
    static DSLContext on(ExecuteContext ctx, Connection connection) {
        return DSL.using(ctx.configuration().derive(new DefaultConnectionProvider(connection)));
    }

    /**
     * Runs {@code read}, inside a savepoint where auto-commit is off.
     *
     * @throws DataAccessException as {@code read} does, once the connection is back where it was before
     */
    static <T> T run(Connection connection, Supplier<T> read) {
        Savepoint savepoint = savepoint(connection);
        T result;
        try {
            result = read.get();
        } catch (RuntimeException e) {
            if (savepoint != null) {
                try {
                    connection.rollback(savepoint);
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
            }
            throw e;
        }
        if (savepoint != null) {
            try {
                connection.releaseSavepoint(savepoint);
            } catch (SQLException e) {
                // Some drivers cannot release one; it ends with the transaction anyway.
            }
        }
        return result;
    }

    @Nullable
    private static Savepoint savepoint(Connection connection) {
        try {
            return connection.getAutoCommit() ? null : connection.setSavepoint();
        } catch (SQLException | RuntimeException e) {
            // No savepoints here (or none now): read without one, as on a database that keeps a transaction usable.
            return null;
        }
    }

    /**
     * What may be said about a failed read: its SQL state and kind, never its message, which can quote a bound value.
     */
    static String describe(RuntimeException e) {
        String state = e instanceof DataAccessException ? ((DataAccessException) e).sqlState() : null;
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return (state == null || state.isEmpty() ? "" : "SQL state " + state + ", ") + cause.getClass().getSimpleName();
    }
}
