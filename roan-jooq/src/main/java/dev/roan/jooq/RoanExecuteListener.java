package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;

/**
 * The statement path: after a statement has executed, find the paths it owes and hold them until
 * commit or hand them to delivery. Shared by all threads; keeps no per-statement state.
 *
 * <p>Only {@code executeEnd} means a statement ran: the dry run of {@code batchStore()} and friends
 * renders queries without executing them and never reaches it. Nothing thrown here reaches the
 * caller's statement.
 */
final class RoanExecuteListener implements ExecuteListener {

    private static final System.Logger LOG = System.getLogger(Roan.class.getName());

    private final WriteDetector detector;
    private final TransactionScopes scopes;
    private final Dispatcher dispatcher;
    private final AtomicBoolean warnedUnknownTransaction = new AtomicBoolean();
    private final AtomicBoolean warnedFailure = new AtomicBoolean();

    RoanExecuteListener(WriteDetector detector, TransactionScopes scopes, Dispatcher dispatcher) {
        this.detector = detector;
        this.scopes = scopes;
        this.dispatcher = dispatcher;
    }

    @Override
    public void executeEnd(ExecuteContext ctx) {
        try {
            Set<String> paths = detector.pathsOf(ctx);
            if (paths == null) {
                return;
            }
            // Read auto-commit now: the connection may already be released in end().
            if (autoCommit(ctx.connection())) {
                dispatcher.submit(paths);
            } else if (!scopes.hold(paths)) {
                warnUnknownTransaction(paths);
                dispatcher.submit(paths);
            }
        } catch (RuntimeException | LinkageError e) {
            if (warnedFailure.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Roan failed to read a statement and purged nothing for it; the statement"
                        + " itself is unaffected. Please report this with the stack trace (logged once).", e);
            }
        }
    }

    private static boolean autoCommit(Connection connection) {
        try {
            return connection == null || connection.getAutoCommit();
        } catch (SQLException e) {
            // Cannot tell: release now rather than hold for a commit that may never be seen.
            return true;
        }
    }

    private void warnUnknownTransaction(Set<String> paths) {
        if (warnedUnknownTransaction.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, () -> "Roan saw a write on a connection with auto-commit off outside any jOOQ"
                    + " transaction (e.g. Spring's @Transactional), so it purges " + paths + " right after the"
                    + " statement, before the commit it cannot see: a reader may cache the old page again."
                    + " Run such writes in dsl.transaction(...) on the attached configuration so Roan purges after"
                    + " the commit. (Logged once.)");
        }
    }

    @Override
    public String toString() {
        return "RoanExecuteListener";
    }
}
