package dev.roan.jooq;

import java.util.Set;
import java.util.function.Consumer;

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
}
