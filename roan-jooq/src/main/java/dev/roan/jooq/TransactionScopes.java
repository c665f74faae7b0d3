package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import org.jooq.TransactionContext;
import org.jooq.TransactionListener;
import org.jooq.TransactionProvider;
import org.jooq.impl.DefaultTransactionProvider;
import org.jspecify.annotations.Nullable;

/**
 * Hold until commit: the purges owed by the writes of the jOOQ transactions open on each thread.
 *
 * <p>jOOQ runs {@code begin}, the transactional code and {@code commit} or {@code rollback} of one
 * {@code dsl.transaction(...)} on one thread, so an open transaction is a frame on a per-thread stack;
 * nested transactions (savepoints) are frames above it. A committed nested frame hands its paths to its
 * parent, a rolled-back one drops them, and the outermost frame's paths are released when its commit
 * has succeeded.
 */
final class TransactionScopes {

    private static final System.Logger LOG = System.getLogger(Roan.class.getName());

    private final ThreadLocal<@Nullable Frame> current = new ThreadLocal<>();
    private final Dispatcher dispatcher;

    TransactionScopes(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /**
     * Holds the paths until the jOOQ transaction open on the calling thread commits.
     *
     * @return false if no transaction known to this Roan is open on the calling thread
     */
    boolean hold(Collection<String> paths) {
        Frame frame = current.get();
        if (frame == null) {
            return false;
        }
        frame.paths.addAll(paths);
        return true;
    }

    void begin(TransactionContext ctx, boolean savepoints) {
        current.set(new Frame(ctx, current.get(), savepoints));
    }

    void end(TransactionContext ctx, boolean committed) {
        Frame frame = current.get();
        if (frame == null || frame.ctx != ctx) {
            // Already ended (a failed commit is followed by a rollback), or never begun (begin failed).
            return;
        }
        current.set(frame.parent);
        if (committed || !frame.savepoint()) {
            if (frame.parent != null) {
                frame.parent.paths.addAll(frame.paths);
            } else if (committed) {
                dispatcher.submit(frame.paths);
            } else if (!frame.paths.isEmpty()) {
                LOG.log(Level.DEBUG, () -> "Roan: transaction rolled back, dropped purges of " + frame.paths);
            }
        } else if (!frame.paths.isEmpty()) {
            LOG.log(Level.DEBUG, () -> "Roan: savepoint rolled back, dropped purges of " + frame.paths);
        }
    }

    private static final class Frame {
        final TransactionContext ctx;
        final @Nullable Frame parent;
        final boolean savepoints;
        final Set<String> paths = new LinkedHashSet<>();

        Frame(TransactionContext ctx, @Nullable Frame parent, boolean savepoints) {
            this.ctx = ctx;
            this.parent = parent;
            this.savepoints = savepoints;
        }

        /**
         * Whether rolling this frame back undoes its writes alone. True for nested transactions of
         * providers known to use savepoints; otherwise an inner "rollback" may leave the writes to be
         * committed by the outer transaction, so they are kept (an extra purge, never a stale page).
         */
        boolean savepoint() {
            return parent != null && savepoints;
        }
    }

    /**
     * Wraps the configuration's transaction provider to learn about begin, commit and rollback, and
     * whether a commit really succeeded (a {@link TransactionListener} cannot tell: jOOQ calls
     * {@code commitEnd} in a finally block).
     */
    static final class Provider implements TransactionProvider {
        final TransactionProvider delegate;
        final TransactionScopes scopes;
        private final boolean savepoints;

        Provider(TransactionProvider delegate, TransactionScopes scopes) {
            this.delegate = delegate;
            this.scopes = scopes;
            this.savepoints = delegate instanceof DefaultTransactionProvider
                    && ((DefaultTransactionProvider) delegate).nested();
        }

        @Override
        public void begin(TransactionContext ctx) {
            delegate.begin(ctx);
            scopes.begin(ctx, savepoints);
        }

        @Override
        public void commit(TransactionContext ctx) {
            boolean committed = false;
            try {
                delegate.commit(ctx);
                committed = true;
            } finally {
                scopes.end(ctx, committed);
            }
        }

        @Override
        public void rollback(TransactionContext ctx) {
            try {
                delegate.rollback(ctx);
            } finally {
                scopes.end(ctx, false);
            }
        }

        @Override
        public String toString() {
            return "Roan(" + delegate + ")";
        }
    }

    /**
     * For {@code ThreadLocalTransactionProvider}, which jOOQ recognises by type and so cannot be wrapped:
     * the same bookkeeping from transaction events. A commit that fails after {@code commitEnd} still
     * releases its purges here (an extra purge, never a stale page).
     */
    static final class Listener implements TransactionListener {
        final TransactionScopes scopes;

        Listener(TransactionScopes scopes) {
            this.scopes = scopes;
        }

        @Override
        public void beginEnd(TransactionContext ctx) {
            if (ctx.cause() == null) {
                scopes.begin(ctx, true);
            }
        }

        @Override
        public void commitEnd(TransactionContext ctx) {
            scopes.end(ctx, true);
        }

        @Override
        public void rollbackEnd(TransactionContext ctx) {
            scopes.end(ctx, false);
        }
    }
}
