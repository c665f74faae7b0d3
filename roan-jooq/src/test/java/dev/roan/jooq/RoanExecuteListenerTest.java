package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.roan.jooq.RoanExecuteListener.Pending;
import dev.roan.jooq.RoanExecuteListener.PendingStack;
import org.junit.jupiter.api.Test;

/**
 * The listener's entries for statements in progress, reused so that a matched write allocates none: a thread keeps a
 * few, small ones only, and an entry it hands out again holds nothing of its last statement.
 */
class RoanExecuteListenerTest {

    private final PendingStack stack = new PendingStack();

    private static Pending withWrites(Pending p, int writes) {
        p.written.addAll(Collections.nCopies(writes, (WriteDetector.Written) null));
        return p;
    }

    @Test
    void anEntryIsReusedEmptyOnceItsStatementEnded() {
        Pending first = withWrites(stack.obtain(), PendingStack.KEPT_WRITES);
        first.cascaded = List.of("#t:post");
        first.purges.add("/posts");

        stack.recycle(first);
        Pending next = stack.obtain();

        assertThat(next).as("the same entry").isSameAs(first);
        assertThat(next.written).as("its writes").isEmpty();
        assertThat(next.cascaded).as("its cascaded keys").isNull();
        assertThat(next.purges.isEmpty()).as("its purges empty").isTrue();
        assertThat(stack.obtain()).as("with none left, a new one").isNotSameAs(first);
    }

    @Test
    void anEntryThatHeldABigBatchIsNotKept() {
        Pending big = withWrites(stack.obtain(), PendingStack.KEPT_WRITES + 1);

        stack.recycle(big);

        assertThat(stack.obtain()).isNotSameAs(big);
    }

    @Test
    void aThreadKeepsAFewEntriesAndNoMoreHoweverOftenItsStatementsNest() {
        for (int round = 0; round < 2; round++) {
            List<Pending> nested = new ArrayList<>();
            for (int i = 0; i <= PendingStack.KEPT; i++) {
                nested.add(stack.obtain());
            }
            nested.forEach(stack::recycle);

            List<Pending> again = new ArrayList<>();
            for (int i = 0; i <= PendingStack.KEPT; i++) {
                again.add(stack.obtain());
            }
            assertThat(again.subList(0, PendingStack.KEPT)).as("round %s: those kept", round)
                    .allSatisfy(p -> assertThat(nested).contains(p));
            assertThat(nested).as("round %s: one more than kept is new", round)
                    .doesNotContain(again.get(PendingStack.KEPT));
            again.forEach(stack::recycle);
        }
    }
}
