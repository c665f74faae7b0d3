package dev.roan.jooq;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import org.jooq.ExecuteContext;
import org.jooq.tools.jdbc.BatchedConnection;
import org.jooq.tools.jdbc.BatchedPreparedStatement;
import org.jooq.tools.jdbc.DefaultConnection;
import org.jspecify.annotations.Nullable;

/**
 * jOOQ's batching connection ({@code dsl.batched(c -> ...)}, {@code BatchedConnection}): every statement run
 * through it reaches the listener as usual, but a DML statement is only added to a JDBC batch, reports 0
 * rows, and is sent later: when the next statement has other SQL, when the batch is full, or when
 * {@code batched(...)} returns. That sending is JDBC only and no listener sees it (jOOQ #14964).
 */
final class BatchedConnections {

    private BatchedConnections() {}

    /**
     * Whether the statement was collected into a batch instead of executed, so that its row count (0) says
     * nothing. Asked only of statements that report 0 rows.
     */
    static boolean deferred(ExecuteContext ctx) {
        PreparedStatement statement = ctx.statement();
        if (statement == null) {
            return false;
        }
        try {
            // jOOQ asks the same way (AbstractQuery.executeImmediate); RETURNING statements run at once.
            return statement.isWrapperFor(BatchedPreparedStatement.class)
                    && !statement.unwrap(BatchedPreparedStatement.class).getExecuteImmediate();
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /**
     * For a statement run through {@code dsl.batched(...)}, the connection beneath the batching one, whose
     * auto-commit tells whether a write is committed by itself; null for any other statement.
     * {@code BatchedConnection} answers {@code getAutoCommit()} only after sending its pending batch, which would
     * undo the user's batching and, if the batch failed, put its error where Roan cannot hand it back.
     */
    @Nullable
    static Connection beneath(ExecuteContext ctx) {
        // The statement's connection, not ctx.connection(), which wraps jOOQ's connection anew at each call: the
        // JIT keeps those wrappers off the heap only while nothing but getAutoCommit() looks at them. jOOQ's own
        // wrappers are DefaultConnections, as BatchedConnection is; the driver's or pool's connection ends the walk.
        PreparedStatement statement = ctx.statement();
        Connection c;
        try {
            c = statement == null ? null : statement.getConnection();
        } catch (SQLException | RuntimeException e) {
            return null;
        }
        for (; c instanceof DefaultConnection; c = ((DefaultConnection) c).getDelegate()) {
            if (c instanceof BatchedConnection) {
                return ((BatchedConnection) c).getDelegate();
            }
        }
        return null;
    }
}
