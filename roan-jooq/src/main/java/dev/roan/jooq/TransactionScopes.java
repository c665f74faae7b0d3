package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jooq.ConnectionProvider;
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
 *
 * <p>In durable mode the outermost frame whose commit is a real one writes its paths to the {@link Outbox} just
 * before that commit, on the transaction's own connection; inside a boundary's transaction the boundary's commit is
 * the real one, so the paths go to the boundary, which has Roan write them just before its own commit.
 *
 * <p>Paths asked for by hand ({@link Roan#purgeAfterCommit}) take the same way as a statement's. Whatever is released
 * goes through {@link OwnPurges}, which remembers it for the releasing thread's {@link Roan#awaitPurges}.
 */
final class TransactionScopes {

    private static final System.Logger LOG = Log.LOGGER;

    private final ThreadLocal<@Nullable Frame> current = new ThreadLocal<>();
    private final Dispatcher dispatcher;
    private final @Nullable TransactionBoundary boundary;
    private final @Nullable Outbox outbox;
    /** Delivery of committed work, remembered per thread for {@link Roan#awaitPurges}. */
    private final OwnPurges own;
    private final AtomicBoolean warnedNotTransactional = new AtomicBoolean();
    /** purgeAfterCommit sent at once without a boundary: logged once. */
    private final AtomicBoolean warnedByHandAtOnce = new AtomicBoolean();
    /** One object per Roan, so that a boundary shared by several Roans can tell their purges apart. */
    private final Consumer<Set<String>> release;
    /** The rules whose new tracked pins a transaction's commit looks for ({@link #writing}); null: none. */
    private volatile @Nullable Rules pins;
    /**
     * Among the paths a boundary holds, the number of tracked pins at a write of its transaction: the boundary keeps no
     * state of Roan's but the paths, and hands them all back before and after its commit ({@link #settle}). Never a
     * path (those start with "/" or a scheme) nor a key (those start with "#"); never delivered.
     */
    static final String PINNED_SINCE = "!pinned-since=";

    TransactionScopes(Dispatcher dispatcher, @Nullable TransactionBoundary boundary) {
        this(dispatcher, boundary, null);
    }

    TransactionScopes(Dispatcher dispatcher, @Nullable TransactionBoundary boundary, @Nullable Outbox outbox) {
        this.dispatcher = dispatcher;
        this.boundary = boundary;
        this.outbox = outbox;
        this.own = new OwnPurges(dispatcher, outbox);
        // Spring's afterCommit runs on the committing thread: the writer's, whose awaitPurges waits for them.
        this.release = paths -> own.send(settle(paths));
    }

    /** Makes commits of jOOQ transactions owe the keys of the tracked pins made since their first write. */
    void pinsOf(Rules rules) {
        this.pins = rules;
    }

    /**
     * A statement that may write ran in the jOOQ transaction open on this thread, if any: its first one notes the
     * number of tracked pins, so that its commit can tell what a render pinned meanwhile. A field read otherwise.
     */
    long writing() {
        Rules rules = pins;
        if (rules == null) {
            return -1;
        }
        long now = rules.pins();
        Frame frame = current.get();
        if (frame != null && frame.pins < 0) {
            frame.pins = now;
        }
        return now;
    }

    /**
     * A statement that may write matched no rule: if it runs in a boundary's transaction (and none of jOOQ's, whose
     * frame noted {@code since} already), the boundary holds the number of pins, so that its commit owes the keys of
     * what a render pins meanwhile. A boundary that takes it for a write in auto-commit mode costs an extra purge at
     * most.
     */
    void wroteUnmatched(long since, ConnectionProvider connections) {
        if (boundary != null && since >= 0 && current.get() == null) {
            holdInBoundary(Set.of(), connections, since);
        }
    }

    /**
     * The paths a boundary hands back: without its {@link #PINNED_SINCE} marks, with the keys of what was first pinned
     * since the earliest of them, its transaction's first write (see Rules#pinnedSince).
     */
    private Set<String> settle(Set<String> paths) {
        Rules rules = pins;
        long since = Long.MAX_VALUE;
        Set<String> settled = null;
        for (String path : paths) {
            if (path.startsWith(PINNED_SINCE)) {
                if (settled == null) {
                    settled = new LinkedHashSet<>(paths);
                }
                settled.remove(path);
                since = Math.min(since, Long.parseLong(path, PINNED_SINCE.length(), path.length(), 10));
            }
        }
        if (settled == null) {
            return paths;
        }
        if (rules != null) {
            rules.pinnedSince(since, settled);
        }
        return settled;
    }

    /** Adds to the frame's paths the keys of what was first pinned since its first write (see Rules#pinnedSince). */
    private void latePins(Frame frame) {
        Rules rules = pins;
        if (rules != null && frame.pins >= 0) {
            rules.pinnedSince(frame.pins, frame.paths);
        }
    }

    /** Delivers the purges of work that committed on this thread (or is sent at once), for its awaitPurges. */
    void send(Set<String> paths) {
        own.send(paths);
    }

    /**
     * Delivers the purges of work already committed (auto-commit) on this thread; in durable mode their rows are
     * written first, in a transaction of their own.
     */
    void sendCommitted(Set<String> paths) {
        if (outbox == null) {
            own.send(paths);
        } else {
            own.sendDurably(paths);
        }
    }

    /**
     * {@link Roan#purgeAfterCommit}: held by the jOOQ transaction open on this thread, else by the boundary's, else
     * sent at once (in durable mode through the outbox table first, so that a crash cannot lose them).
     */
    void byHand(Set<String> paths) {
        if (hold(paths)) {
            return;
        }
        // No connection to write outbox rows on: in durable mode the boundary writes them with the rows of the
        // transaction's jOOQ writes, if it has any (see Roan#purgeAfterCommit).
        if (boundary != null && holdInBoundary(paths, null, -1)) {
            return;
        }
        if (boundary == null && warnedByHandAtOnce.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "Roan: purgeAfterCommit() outside dsl.transaction(...) sends its purges at once, and"
                    + " no transaction boundary is set: inside a transaction Roan cannot see (Spring's @Transactional"
                    + " without Roan.Builder.transactionBoundary, or a connection with auto-commit off) they would go"
                    + " before the commit, and a page re-filled meanwhile stays stale. Logged once");
        }
        sendCommitted(paths);
    }

    /** {@link Roan#awaitPurges}: waits for this thread's purges and forgets them. */
    boolean awaitOwn(java.time.Duration timeout) {
        return own.await(timeout);
    }

    /**
     * Purges owed by work Roan saw commit, or saw run on a connection whose commit it cannot see: an enclosing
     * transaction of the boundary, if one is active on this thread, delivers them after its own commit.
     *
     * @param committed whether Roan knows the work committed (a jOOQ commit or auto-commit); only then may it
     *                  deliver when no boundary takes the paths
     * @return false if the paths were neither taken by a boundary nor known to be committed
     */
    boolean release(Set<String> paths, boolean committed) {
        return release(paths, committed, null);
    }

    /**
     * As {@link #release(Set, boolean)}; in durable mode a boundary that takes the paths is also asked to have Roan
     * write them, on a connection of {@code connections}, just before its commit.
     *
     * @param connections the connection provider of the configuration the writes ran on, or null if unknown
     */
    boolean release(Set<String> paths, boolean committed, @Nullable ConnectionProvider connections) {
        return release(paths, committed, connections, -1);
    }

    /**
     * As {@link #release(Set, boolean, ConnectionProvider)}, for work whose first write ran when there were
     * {@code since} tracked pins (-1: unknown): a boundary that takes the paths owes, at its commit, the keys of what
     * was first pinned since.
     */
    boolean release(Set<String> paths, boolean committed, @Nullable ConnectionProvider connections, long since) {
        if (boundary != null && holdInBoundary(paths, connections, since)) {
            return true;
        }
        if (committed) {
            own.send(paths);
        }
        return committed;
    }

    /**
     * Durable mode, for a write on a connection with auto-commit off outside any transaction Roan knows: the rows are
     * written right after the statement on the configuration's connection, so they commit (or roll back) with it. Roan
     * cannot see that commit, so it does not track the rows: their lease runs out and a sweep delivers them, after the
     * commit, besides the purge the caller sends at once.
     */
    void writeUntracked(Set<String> paths, ConnectionProvider connections) {
        if (outbox != null) {
            withConnection(connections, c -> outbox.write(c, paths));
        }
    }

    private <T> T withConnection(ConnectionProvider connections, Function<Connection, T> work) {
        Connection c = Outbox.acquire(connections);
        try {
            warnIfAutoCommit(c);
            return work.apply(c);
        } finally {
            connections.release(c);
        }
    }

    private void warnIfAutoCommit(Connection c) {
        boolean autoCommit;
        try {
            autoCommit = c.getAutoCommit();
        } catch (SQLException e) {
            return;
        }
        if (autoCommit && warnedNotTransactional.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "Roan's outbox: the ConnectionProvider of the configuration the writes ran on gave a"
                    + " connection in auto-commit mode, not the transaction's, so Roan's outbox rows commit on their own"
                    + " (a rolled-back transaction then costs an extra purge). Give jOOQ a DataSource that hands out the"
                    + " transaction's connection, such as Spring's TransactionAwareDataSourceProxy");
        }
    }

    private boolean holdInBoundary(Set<String> paths, @Nullable ConnectionProvider connections, long since) {
        if (since >= 0 && pins != null) {
            Set<String> marked = new LinkedHashSet<>(paths);
            marked.add(PINNED_SINCE + since);
            paths = marked;
        }
        try {
            if (outbox != null && connections != null) {
                return boundary.hold(paths, release, beforeCommit(connections));
            }
            return boundary.hold(paths, release);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Roan's transaction boundary " + boundary + " failed; Roan delivers the purges itself", e);
            return false;
        }
    }

    /**
     * What a boundary runs just before its commit in durable mode: write the rows on the transaction's connection, and
     * after the commit deliver them and delete the rows once delivered.
     */
    private Function<Set<String>, Runnable> beforeCommit(ConnectionProvider connections) {
        Outbox box = outbox;
        return paths -> {
            Set<String> owed = Set.copyOf(settle(paths));
            if (owed.isEmpty()) {
                return () -> { };
            }
            long[] ids = withConnection(connections, c -> box.write(c, owed));
            return () -> own.committed(owed, ids);
        };
    }

    /**
     * Durable mode, just before the real commit of the outermost jOOQ transaction open on this thread: its paths are
     * written to the outbox on its connection, or handed to the boundary if one of its transactions encloses this one.
     *
     * @throws org.jooq.exception.DataAccessException if the rows could not be written: the commit must not happen
     */
    void beforeCommit(TransactionContext ctx) {
        Frame frame = current.get();
        if (outbox == null || frame == null || frame.ctx != ctx || frame.parent != null) {
            return;
        }
        latePins(frame);
        if (frame.paths.isEmpty() && (frame.pins < 0 || boundary == null)) {
            return;
        }
        ConnectionProvider connections = ctx.configuration().connectionProvider();
        if (boundary != null && holdInBoundary(frame.paths, connections, frame.pins)) {
            // The boundary's commit is the real one and writes the rows; this "commit" may release a savepoint only.
            frame.paths = new LinkedHashSet<>();
            return;
        }
        if (!frame.paths.isEmpty()) {
            frame.written = withConnection(connections, c -> outbox.write(c, frame.paths));
        }
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

    /**
     * The transaction open on this thread was committed behind jOOQ's back (MySQL commits before any DDL,
     * TRUNCATE included): what its frames hold is committed, so it is released now.
     */
    void implicitCommit() {
        for (Frame frame = current.get(); frame != null; frame = frame.parent) {
            if (!frame.paths.isEmpty()) {
                own.send(frame.paths);
                frame.paths.clear();
            }
        }
    }

    void begin(TransactionContext ctx, boolean savepoints, @Nullable TransactionProvider provider) {
        current.set(new Frame(ctx, current.get(), savepoints, provider));
    }

    /** The provider that began the innermost open transaction on this thread, if known. */
    @Nullable
    private TransactionProvider currentProvider() {
        Frame frame = current.get();
        return frame == null ? null : frame.provider;
    }

    /** The provider that began {@code ctx}'s transaction, if it is the innermost open one. */
    @Nullable
    private TransactionProvider providerOf(TransactionContext ctx) {
        Frame frame = current.get();
        return frame != null && frame.ctx == ctx ? frame.provider : null;
    }

    void end(TransactionContext ctx, boolean committed) {
        Frame frame = current.get();
        if (frame == null || frame.ctx != ctx) {
            // Already ended (a failed commit is followed by a rollback), or never begun (begin failed).
            return;
        }
        if (frame.parent == null) {
            current.remove();
        } else {
            current.set(frame.parent);
        }
        if (committed || !frame.savepoint()) {
            if (frame.parent != null) {
                frame.parent.paths.addAll(frame.paths);
                if (frame.pins >= 0 && (frame.parent.pins < 0 || frame.pins < frame.parent.pins)) {
                    frame.parent.pins = frame.pins;
                }
            } else if (committed) {
                if (frame.written == null && outbox == null) {
                    latePins(frame);
                }
                if (frame.written != null) {
                    own.committed(frame.paths, frame.written);
                } else if (!frame.paths.isEmpty() || frame.pins >= 0) {
                    // jOOQ's commit may release a savepoint of an enclosing (e.g. Spring) transaction, whose commit
                    // then owes the keys of what is pinned until then.
                    release(frame.paths, true, null, frame.pins);
                }
            } else if (!frame.paths.isEmpty()) {
                LOG.log(Level.DEBUG, () -> "Transaction rolled back, dropped purges of " + frame.paths);
            }
        } else if (!frame.paths.isEmpty()) {
            LOG.log(Level.DEBUG, () -> "Savepoint rolled back, dropped purges of " + frame.paths);
        }
    }

    private static final class Frame {
        final TransactionContext ctx;
        final @Nullable Frame parent;
        final boolean savepoints;
        final @Nullable TransactionProvider provider;
        Set<String> paths = new LinkedHashSet<>();
        /** {@link Rules#pins()} when the frame's first write ran; -1 before it. */
        long pins = -1;
        /** Durable mode: the ids of the outbox rows written for {@link #paths} before the commit. */
        long @Nullable [] written;

        Frame(TransactionContext ctx, @Nullable Frame parent, boolean savepoints, @Nullable TransactionProvider provider) {
            this.ctx = ctx;
            this.parent = parent;
            this.savepoints = savepoints;
            this.provider = provider;
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
     *
     * <p>A configuration without an explicit transaction provider gets a new
     * {@code DefaultTransactionProvider} on its current connection provider from jOOQ for each
     * transaction; so does this wrapper ({@code explicit == null}), so that a configuration derived
     * later with another connection provider still begins its transactions on that one.
     */
    static final class Provider implements TransactionProvider {
        final @Nullable TransactionProvider explicit;
        final TransactionScopes scopes;

        Provider(@Nullable TransactionProvider explicit, TransactionScopes scopes) {
            this.explicit = explicit;
            this.scopes = scopes;
        }

        @Override
        public void begin(TransactionContext ctx) {
            TransactionProvider delegate = explicit;
            if (delegate == null) {
                // Nested transactions must reuse the provider that opened the outer one.
                delegate = scopes.currentProvider();
            }
            if (delegate == null) {
                delegate = new DefaultTransactionProvider(ctx.configuration().connectionProvider());
            }
            delegate.begin(ctx);
            scopes.begin(ctx, usesSavepoints(delegate), delegate);
        }

        @Override
        public void commit(TransactionContext ctx) {
            TransactionProvider delegate = delegate(ctx);
            // Outside the try: when the rows cannot be written, jOOQ rolls back through this frame's provider.
            scopes.beforeCommit(ctx);
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
            TransactionProvider delegate = delegate(ctx);
            try {
                delegate.rollback(ctx);
            } finally {
                scopes.end(ctx, false);
            }
        }

        private TransactionProvider delegate(TransactionContext ctx) {
            TransactionProvider delegate = scopes.providerOf(ctx);
            if (delegate == null) {
                // Begin failed or the frame is gone: do what jOOQ would have done without us.
                delegate = explicit != null ? explicit : new DefaultTransactionProvider(ctx.configuration().connectionProvider());
            }
            return delegate;
        }

        private static boolean usesSavepoints(TransactionProvider provider) {
            return provider instanceof DefaultTransactionProvider && ((DefaultTransactionProvider) provider).nested();
        }

        @Override
        public String toString() {
            return "Roan(" + (explicit == null ? "jOOQ's default transaction provider" : explicit) + ")";
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
                scopes.begin(ctx, true, null);
            }
        }

        @Override
        public void commitStart(TransactionContext ctx) {
            scopes.beforeCommit(ctx);
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
