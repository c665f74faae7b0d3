package dev.roan.spring;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.roan.jooq.TransactionBoundary;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Holds Roan's purges until the Spring-managed transaction of the writing thread commits: {@code @Transactional}
 * methods, {@code TransactionTemplate}, and jOOQ transactions run through Spring's transaction manager.
 *
 * <pre>{@code
 * Roan roan = Roan.builder()
 *         .purgeUrl("http://localhost/purge")
 *         .transactionBoundary(new SpringTransactionBoundary())
 *         .build();
 * roan.purge("/posts").onWrite(POST);
 * // jOOQ on Spring's transactional connections, as Spring Boot configures it:
 * DSLContext dsl = DSL.using(roan.attach(new DefaultConfiguration()
 *         .set(new DataSourceConnectionProvider(new TransactionAwareDataSourceProxy(dataSource)))
 *         .set(new SpringTransactionProvider(transactionManager))
 *         .set(SQLDialect.POSTGRES)));
 *
 * // in a @Transactional method of a Spring bean, or in transactionTemplate.execute(...):
 * dsl.insertInto(POST).set(POST.TITLE, "Hello").execute();   // purged after the commit, dropped on rollback
 * }</pre>
 *
 * <p>While Spring's transaction synchronization is active on the writing thread, the paths of a write are held in
 * a holder bound to that transaction (a transaction resource keyed by this boundary, registered once per
 * transaction as a {@link TransactionSynchronization}) and handed to Roan once, with every path the transaction
 * wrote, in {@code afterCommit}:
 * <ul>
 *   <li>a rollback drops them; a completion of unknown outcome (a commit that failed part way, a transaction
 *       Spring only takes part in) releases them, since an extra purge is cheaper than a stale page;</li>
 *   <li>{@code REQUIRES_NEW}: the inner transaction has a holder of its own, purged at the inner commit, whatever
 *       the outer transaction does later;</li>
 *   <li>{@code NESTED} (savepoints, needs Spring Framework 6.2+): rolling back to a savepoint drops the paths held
 *       since that savepoint, and only those;</li>
 *   <li>{@code readOnly} transactions are transactions like any other: a write in one is purged after its commit.</li>
 * </ul>
 * Without an active synchronization {@link #hold} returns false and Roan goes on as without a boundary.
 *
 * <p>In Roan's durable mode ({@code Roan.Builder.outbox(dataSource)}) the holder also runs Roan's write of the
 * transaction's outbox rows in {@code beforeCommit}, on the thread that commits, so that the rows commit with the
 * transaction; if that write fails, the exception reaches Spring, which rolls the transaction back and rethrows it.
 *
 * <p>Give each {@code Roan} its own instance: the holder of a transaction hands all its paths to the Roan that
 * asked last. Writes that Spring's own transaction callbacks make after the commit ({@code afterCommit}) are purged
 * right away, as they can no longer wait for a commit.
 *
 * @since 0.1.0
 */
public final class SpringTransactionBoundary implements TransactionBoundary {

    private static final System.Logger LOG = System.getLogger(SpringTransactionBoundary.class.getName());

    /**
     * The key of this boundary's holder among the thread's transaction resources: an instance per boundary, so
     * that two boundaries (two Roans) never share a holder. Spring unbinds nothing of ours by itself: the holder
     * unbinds it on suspend and completion and binds it again on resume.
     */
    private final Object key = new Object() {
        @Override
        public String toString() {
            return "Roan purges held for " + SpringTransactionBoundary.this;
        }
    };

    /** Creates a boundary; pass it to {@code Roan.builder().transactionBoundary(...)}. */
    public SpringTransactionBoundary() {
    }

    @Override
    public boolean hold(Set<String> paths, Consumer<Set<String>> release) {
        return hold(paths, release, null);
    }

    /**
     * Takes purges as {@link #hold(Set, Consumer)} does and, in durable mode, has Roan write them to its outbox table
     * in {@code beforeCommit}.
     *
     * @since 0.1.0
     */
    @Override
    public boolean hold(Set<String> paths, Consumer<Set<String>> release,
            @Nullable Function<Set<String>, Runnable> beforeCommit) {
        try {
            if (!TransactionSynchronizationManager.isSynchronizationActive()) {
                return false;
            }
            Object bound = TransactionSynchronizationManager.getResource(key);
            Holder holder;
            if (bound instanceof Holder) {
                holder = (Holder) bound;
            } else {
                holder = new Holder(key);
                TransactionSynchronizationManager.registerSynchronization(holder);
                TransactionSynchronizationManager.bindResource(key, holder);
            }
            holder.add(paths, release, beforeCommit);
            return true;
        } catch (RuntimeException | LinkageError e) {
            // Roan then delivers the purges itself, at once: early rather than never.
            LOG.log(Level.WARNING, "Roan could not hold purges of " + paths + " until the Spring transaction"
                    + " commits; they are sent now", e);
            return false;
        }
    }

    @Override
    public String toString() {
        return "SpringTransactionBoundary@" + Integer.toHexString(System.identityHashCode(this));
    }

    /**
     * The purges one Spring transaction owes. Spring calls a synchronization on the transaction's thread only, so
     * the holder needs no locking; {@code release} may hand the paths on to any thread.
     */
    private static final class Holder implements TransactionSynchronization {

        private final Object key;
        /**
         * Paths by savepoint: the first frame holds the paths written outside any savepoint this holder knows of,
         * each further frame those written since its savepoint was created.
         */
        private final List<Frame> frames = new ArrayList<>();
        private @Nullable Consumer<Set<String>> release;
        private @Nullable Function<Set<String>, Runnable> beforeCommit;
        /** What Roan's durable write in {@code beforeCommit} returned, to run after the commit, and the paths it wrote. */
        private @Nullable Runnable afterWrite;
        private Set<String> written = Set.of();
        private boolean released;

        Holder(Object key) {
            this.key = key;
            frames.add(new Frame(null));
        }

        void add(Set<String> paths, Consumer<Set<String>> release,
                @Nullable Function<Set<String>, Runnable> beforeCommit) {
            this.release = release;
            if (beforeCommit != null) {
                this.beforeCommit = beforeCommit;
            }
            if (released) {
                // A write made by another synchronization's afterCommit, after ours: there is no commit left to
                // wait for.
                deliver(new LinkedHashSet<>(paths));
                return;
            }
            frames.get(frames.size() - 1).paths.addAll(paths);
        }

        @Override
        public void savepoint(Object savepoint) {
            frames.add(new Frame(savepoint));
        }

        @Override
        public void savepointRollback(Object savepoint) {
            int i = frames.size() - 1;
            while (i > 0 && frames.get(i).savepoint != savepoint) {
                i--;
            }
            // Not found (i == 0): the savepoint was created before this holder, that is before the transaction's
            // first held write, so every path held so far was written after it.
            int from = i;
            if (LOG.isLoggable(Level.DEBUG)) {
                Set<String> dropped = new LinkedHashSet<>();
                for (Frame frame : frames.subList(from, frames.size())) {
                    dropped.addAll(frame.paths);
                }
                if (!dropped.isEmpty()) {
                    LOG.log(Level.DEBUG, "Savepoint rolled back, dropped purges of " + dropped);
                }
            }
            // The savepoint itself stays active after a rollback to it (a nested transaction releases it then):
            // keep its frame, emptied, and drop those above it.
            frames.subList(from + 1, frames.size()).clear();
            frames.get(from).paths.clear();
        }

        @Override
        public void suspend() {
            // REQUIRES_NEW (or NOT_SUPPORTED) begins: the inner transaction must get its own holder.
            TransactionSynchronizationManager.unbindResourceIfPossible(key);
        }

        @Override
        public void resume() {
            TransactionSynchronizationManager.bindResource(key, this);
        }

        /**
         * Durable mode: Roan writes the outbox rows of every path held, inside the transaction. An exception goes to
         * Spring, which then rolls the transaction back: committing without the rows would break durable mode's promise.
         */
        @Override
        public void beforeCommit(boolean readOnly) {
            Function<Set<String>, Runnable> write = beforeCommit;
            if (write == null || released) {
                return;
            }
            Set<String> all = held();
            if (all.isEmpty()) {
                return;
            }
            afterWrite = write.apply(all);
            written = all;
        }

        @Override
        public void afterCommit() {
            releaseOnce();
        }

        @Override
        public void afterCompletion(int status) {
            try {
                TransactionSynchronizationManager.unbindResourceIfPossible(key);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "Could not unbind Roan's holder", e);
            }
            if (status == STATUS_ROLLED_BACK) {
                if (!released && LOG.isLoggable(Level.DEBUG)) {
                    LOG.log(Level.DEBUG, "Spring transaction rolled back, dropped purges of " + held());
                }
                return;
            }
            // STATUS_COMMITTED: afterCommit released already, unless an earlier synchronization's afterCommit threw
            // or this holder was registered during afterCommit. STATUS_UNKNOWN (a commit that failed part way, or a
            // transaction Spring only took part in): the writes may well be committed, and a stale page, cached
            // forever, is worse than an extra purge: release.
            releaseOnce();
        }

        private void releaseOnce() {
            if (released) {
                return;
            }
            released = true;
            // One frame, the usual case (no savepoint): its set is handed over as is, the holder keeps a new one.
            Set<String> all = frames.size() == 1 ? frames.get(0).paths : held();
            frames.clear();
            frames.add(new Frame(null));
            Runnable after = afterWrite;
            if (after != null) {
                afterWrite = null;
                run(after);
                all.removeAll(written);
            }
            if (!all.isEmpty()) {
                deliver(all);
            }
        }

        private Set<String> held() {
            Set<String> all = new LinkedHashSet<>();
            for (Frame frame : frames) {
                all.addAll(frame.paths);
            }
            return all;
        }

        private void run(Runnable after) {
            try {
                after.run();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.WARNING, "Roan failed to take the purges of " + written + " after the Spring transaction"
                        + " committed; its outbox rows stay, and a sweep delivers them", e);
            }
        }

        /** Never throws: an exception in afterCommit would reach the code that committed. */
        private void deliver(Set<String> paths) {
            Consumer<Set<String>> to = release;
            if (to == null) {
                return;
            }
            try {
                to.accept(paths);
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.WARNING, "Roan failed to take the purges of " + paths + " after the Spring transaction"
                        + " committed; they are lost", e);
            }
        }

        @Override
        public String toString() {
            return "Roan purges held until commit: " + held();
        }
    }

    private static final class Frame {
        final @Nullable Object savepoint;
        final Set<String> paths = new LinkedHashSet<>();

        Frame(@Nullable Object savepoint) {
            this.savepoint = savepoint;
        }
    }
}
