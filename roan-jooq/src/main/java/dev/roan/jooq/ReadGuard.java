package dev.roan.jooq;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * fail. So where auto-commit is off a read runs inside a savepoint, rolled back to on failure and released after,
 * until a read of its shape ({@link Shapes}: its SQL, for a related read with one value in its IN list) has
 * succeeded once. Past that, it runs without one: on PostgreSQL a row lock taken inside a savepoint gives the
 * savepoint a transaction id of its own, and the writer's UPDATE of that row then a multixact, so a savepoint per
 * read would cost a subtransaction per statement (past 64 in one transaction, PostgreSQL's subtransaction cache
 * overflows, which slows every snapshot in the cluster). The failures a read can meet once its shape has worked
 * (a missing column, a permission, a type) are those of its shape, which show at its first use; what remains (a lock
 * timeout, a deadlock, a serialization failure, a cancelled statement, a schema changed under the running
 * application) the writer's transaction must hear of: {@link Unguarded} carries it to the writer's statement, which
 * fails with that error instead of "current transaction is aborted" later, or a commit that PostgreSQL silently turns
 * into a rollback. The shape is then forgotten, so that its next read is guarded again. A driver without savepoints
 * reads without one.
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
     * Runs {@code read}, inside a savepoint where auto-commit is off, unless a read of the same {@code shape} has
     * succeeded before (see the class comment).
     *
     * @param shapeOf the read's shape, asked for only where auto-commit is off
     *
     * @throws Unguarded if the read failed in the database without a savepoint while auto-commit was off: the
     *         writer's statement must fail with {@link Unguarded#failure}
     * @throws DataAccessException (or another runtime exception) as {@code read} does otherwise, once the connection
     *         is back where it was before
     */
    static <T> T run(Connection connection, Shapes shapes, Supplier<String> shapeOf, Supplier<T> read) {
        boolean inTransaction = inTransaction(connection);
        // Rendered only where a savepoint may be needed: with auto-commit on, a failed read aborts nothing.
        String shape = inTransaction ? shapeOf.get() : "";
        boolean known = inTransaction && shapes.known(shape);
        Savepoint savepoint = inTransaction && !known ? savepoint(connection) : null;
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
            } else if (known && fromDatabase(e)) {
                shapes.forget(shape);
                throw new Unguarded(e);
            }
            throw e;
        }
        if (savepoint != null) {
            try {
                connection.releaseSavepoint(savepoint);
            } catch (SQLException e) {
                // Some drivers cannot release one; it ends with the transaction anyway.
            }
            shapes.succeeded(shape);
        }
        return result;
    }

    /**
     * Runs {@code read}, inside a savepoint where auto-commit is off, whatever ran before: for a read Roan does once
     * and keeps the answer of (the foreign keys of a table, {@link ForeignKeys}), whose shape is never learnt.
     *
     * @throws DataAccessException (or another runtime exception) as {@code read} does, once the connection is back
     *         where it was before
     */
    static <T> T once(Connection connection, Supplier<T> read) {
        return run(connection, new Shapes(), () -> "", read);
    }

    private static boolean inTransaction(Connection connection) {
        try {
            return !connection.getAutoCommit();
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the database refused the read, which may have ended the transaction's usefulness (PostgreSQL). */
    private static boolean fromDatabase(RuntimeException e) {
        return e instanceof DataAccessException && ((DataAccessException) e).getCause(SQLException.class) != null;
    }

    @Nullable
    private static Savepoint savepoint(Connection connection) {
        try {
            return connection.setSavepoint();
        } catch (SQLException | RuntimeException e) {
            // No savepoints here (or none now): read without one, as on a database that keeps a transaction usable.
            // The shape is not learnt from such a read: a failure of it is logged and falls back, as before.
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

    /**
     * The shapes of reads that have succeeded inside a savepoint, per {@link Roan}: at most {@value #MAX}, none longer
     * than {@value #LONGEST} characters, past which a new shape stays guarded (correct, at the cost of a savepoint).
     */
    static final class Shapes {
        static final int MAX = 4_096;
        static final int LONGEST = 4_096;
        private final Set<String> succeeded = ConcurrentHashMap.newKeySet();

        boolean known(String shape) {
            return succeeded.contains(shape);
        }

        void succeeded(String shape) {
            if (shape.length() <= LONGEST && succeeded.size() < MAX) {
                succeeded.add(shape);
            }
        }

        void forget(String shape) {
            succeeded.remove(shape);
        }
    }

    /**
     * A read that the database refused without a savepoint, where auto-commit is off: on PostgreSQL the writer's
     * transaction is aborted. Roan's listener throws {@link #failure} from the writer's statement.
     */
    static final class Unguarded extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient RuntimeException failure;

        Unguarded(RuntimeException failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }
}
