package dev.roan.jooq;

import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Transactions jOOQ does not manage, such as Spring's: a boundary tells Roan whether the calling thread is inside
 * one, and hands Roan's purges back after it commits.
 *
 * <p>Roan asks its boundary, on the writer's thread, about purges it cannot tie to a commit it saw itself: those of
 * a write on a connection with auto-commit off outside any {@code dsl.transaction(...)}, and those of an outermost
 * jOOQ transaction, whose "commit" may only release a savepoint of an enclosing transaction (as with Spring's
 * {@code SpringTransactionProvider} inside {@code @Transactional}). A write on a connection in auto-commit mode is
 * committed already and never reaches the boundary.
 *
 * <pre>{@code
 * Roan roan = Roan.builder().purgeUrl("http://localhost/purge").transactionBoundary(boundary).build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe; {@link #hold} runs on the writer's thread and must not block.
 *
 * <p>Besides paths, Roan may hold entries of its own (starting with {@code "!"}) that note when the transaction first
 * wrote; hand them back to {@code release} (or {@code beforeCommit}) with the paths, as they are: Roan turns them into
 * the purges owed to pages a tracked render ({@code Roan.track}) read while the transaction ran, and never delivers them.
 *
 * <p>In durable mode ({@code Roan.Builder.outbox(...)}) Roan calls
 * {@link #hold(Set, Consumer, Function) hold(paths, release, beforeCommit)} instead: a boundary that implements it
 * lets Roan write its outbox rows inside the transaction, just before it commits. One that does not (implementing
 * only {@link #hold(Set, Consumer)}) keeps working, but the purges of its transactions are then delivered from
 * memory only, as without an outbox.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface TransactionBoundary {

    /**
     * Takes purges owed by a write on the calling thread, if a transaction of this boundary is active there.
     *
     * @param paths   the paths to purge once that transaction commits; a set the boundary must not modify but may keep
     * @param release hands paths to Roan's delivery: call it after the outermost commit (from any thread), not
     *                after a rollback; calling it once per transaction with all paths held is best
     * @return true if the boundary took the paths, false if no transaction of it is active on this thread, in
     *         which case Roan delivers them itself
     */
    boolean hold(Set<String> paths, Consumer<Set<String>> release);

    /**
     * Durable mode: takes purges as {@link #hold(Set, Consumer)} does, and lets Roan write them to its outbox table
     * inside the transaction. Once per transaction, on the committing thread just before the commit, the boundary calls
     * {@code beforeCommit} with every path it holds for this {@code release} (Roan writes the outbox rows there, on
     * the transaction's connection), and after the commit it runs the {@code Runnable} that call returned, in place of
     * {@code release}. If {@code beforeCommit} throws, the commit must fail (Spring rolls the transaction back and
     * rethrows). Paths held after {@code beforeCommit} ran go to {@code release} as usual.
     *
     * <p>The default ignores {@code beforeCommit} and calls {@link #hold(Set, Consumer)}: Roan then delivers those
     * purges from memory only.
     *
     * @param paths        the paths to purge once that transaction commits; a set the boundary must not modify
     * @param release      hands paths to Roan's delivery, as for {@link #hold(Set, Consumer)}
     * @param beforeCommit writes the outbox rows of the paths given; returns what to run after the commit
     * @return true if the boundary took the paths, false if no transaction of it is active on this thread
     * @since 0.1.0
     */
    default boolean hold(Set<String> paths, Consumer<Set<String>> release,
            Function<Set<String>, Runnable> beforeCommit) {
        return hold(paths, release);
    }
}
