package dev.roan.jooq;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jooq.Query;
import org.jooq.Record;
import org.jooq.RecordContext;
import org.jooq.RecordListener;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.TableRecord;
import org.jooq.UniqueKey;
import org.jooq.UpdatableRecord;
import org.jooq.impl.QOM;
import org.jspecify.annotations.Nullable;

/**
 * The rows of {@code UpdatableRecord} writes ({@code store}, {@code insert}, {@code update}, {@code delete},
 * {@code merge}, and their batch forms), which know more than the statement jOOQ renders for them: an
 * update by primary key still knows the record's other columns, before and after.
 *
 * <p>Records are noted at the operation's start, on the writer's thread, and taken by the statement that
 * executes next on that thread. The dry run of {@code batchStore()} and friends renders each record's
 * statement without executing it (jOOQ reports no batch mode to record listeners there), so a record
 * whose statement was only rendered is kept for the batch statement that follows; a single operation
 * that executes nothing (an unchanged record) is forgotten at its end, and so is whatever a failed statement
 * noted (jOOQ fires the record events after a failure too, or none after a failed batch).
 */
final class RecordWrites implements RecordListener {

    private static final RecordWrites NONE = new RecordWrites(null);

    private final @Nullable Rules rules;
    /** One holder per thread, kept: reading an empty ThreadLocal would allocate its entry on every statement. */
    private final ThreadLocal<Holder> notes = ThreadLocal.withInitial(Holder::new);

    /** @param rules the rules that decide which tables' records are worth noting; null notes nothing */
    RecordWrites(@Nullable Rules rules) {
        this.rules = rules;
    }

    /** No records: for {@link Roan#explain}. */
    static RecordWrites none() {
        return NONE;
    }

    @Override
    public void storeStart(RecordContext ctx) {
        note(ctx.record(), !isNew(ctx.record()));
    }

    @Override
    public void insertStart(RecordContext ctx) {
        note(ctx.record(), false);
    }

    @Override
    public void updateStart(RecordContext ctx) {
        note(ctx.record(), true);
    }

    @Override
    public void deleteStart(RecordContext ctx) {
        note(ctx.record(), true);
    }

    @Override
    public void mergeStart(RecordContext ctx) {
        note(ctx.record(), true);
    }

    @Override
    public void storeEnd(RecordContext ctx) {
        ended(ctx);
    }

    @Override
    public void insertEnd(RecordContext ctx) {
        ended(ctx);
    }

    @Override
    public void updateEnd(RecordContext ctx) {
        ended(ctx);
    }

    @Override
    public void deleteEnd(RecordContext ctx) {
        ended(ctx);
    }

    @Override
    public void mergeEnd(RecordContext ctx) {
        ended(ctx);
    }

    private void ended(RecordContext ctx) {
        Notes n = notes.get().notes;
        if (n == null || --n.depth > 0) {
            // store() wraps insert() or update(): decide at the outermost end.
            return;
        }
        if (n.renderedOnly && !n.executed) {
            // A batch's dry run: the batch statement runs after every record's end; keep them for it.
            n.renderedOnly = false;
        } else {
            notes.get().notes = null;
        }
    }

    /** Whether records are noted on this thread, waiting for the statement that writes them. */
    boolean noted() {
        if (idle()) {
            return false;
        }
        Notes n = notes.get().notes;
        return n != null && !n.list.isEmpty();
    }

    /** A statement executed on this thread (called from {@code executeEnd}). */
    void executed() {
        if (idle()) {
            return;
        }
        Notes n = notes.get().notes;
        if (n != null) {
            n.executed = true;
        }
    }

    /** A statement ended that purged nothing; if it did not execute, it was a batch's dry run. */
    void statementEnded() {
        if (idle()) {
            return;
        }
        Notes n = notes.get().notes;
        if (n != null && !n.executed) {
            n.renderedOnly = true;
        }
    }

    private void note(@Nullable Record record, boolean existed) {
        if (!(record instanceof TableRecord) || rules == null || !rules.needsRows(((TableRecord<?>) record).getTable())) {
            // Only rules with placeholders use record values: other writes cost nothing here.
            return;
        }
        Notes n = notes.get().notes;
        if (n == null) {
            n = new Notes();
            notes.get().notes = n;
        }
        n.depth++;
        List<Noted> list = n.list;
        if (!list.isEmpty() && list.get(list.size() - 1).record == record) {
            return; // store() then insert() of the same record
        }
        TableRecord<?> r = (TableRecord<?>) record;
        Map<String, Object> before = existed ? values(r.original()) : null;
        list.add(new Noted(r, r.getTable(), before, values(r)));
    }

    /** Whether {@code store()} will insert: the record has no original primary key value. */
    private static boolean isNew(Record record) {
        if (!(record instanceof UpdatableRecord)) {
            return true;
        }
        UniqueKey<?> key = ((UpdatableRecord<?>) record).getTable().getPrimaryKey();
        if (key == null) {
            return true;
        }
        for (TableField<?, ?> field : key.getFields()) {
            if (record.original(field) != null) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> values(Record record) {
        return RowValues.rows(List.of(record)).get(0);
    }

    /**
     * The rows of the records noted for {@code table}, or null if none were: before and after each
     * operation, completed by generated keys for inserts.
     */
    @Nullable
    List<Map<String, Object>> rows(Table<?> table, @Nullable Query statement, @Nullable List<? extends Record> returned) {
        Notes current = idle() ? null : notes.get().notes;
        if (current == null || current.list.isEmpty()) {
            return null;
        }
        List<Noted> list = current.list;
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> after = new ArrayList<>();
        for (Noted n : list) {
            if (Tables.same(n.table, table)) {
                if (n.before != null && !n.before.isEmpty()) {
                    rows.add(n.before);
                }
                after.add(n.after);
            }
        }
        if (after.isEmpty()) {
            return null;
        }
        if (statement instanceof QOM.Insert && returned != null && returned.size() == after.size()) {
            List<Map<String, Object>> keys = RowValues.rows(returned);
            for (int i = 0; i < after.size(); i++) {
                after.get(i).putAll(keys.get(i));
            }
        }
        rows.addAll(after);
        return rows;
    }

    /**
     * Forgets the records noted on this thread: once the statement that wrote them has been read, or when a
     * statement failed (a failed batch of {@code batchStore()} fires no record event after its dry run).
     */
    void clear() {
        if (!idle()) {
            notes.get().notes = null;
        }
    }

    /**
     * Whether no record can have been noted: no rule with placeholders exists (rules are never removed), so the
     * thread's notes need not be looked up at each statement.
     */
    private boolean idle() {
        return rules == null || !rules.anyTemplated();
    }

    private static final class Holder {
        @Nullable Notes notes;
    }

    /** The records noted on one thread since the last statement that executed. */
    private static final class Notes {
        final List<Noted> list = new ArrayList<>(1);
        /** Record operations begun and not yet ended (store() wraps insert() or update()). */
        int depth;
        boolean executed;
        boolean renderedOnly;
    }

    private static final class Noted {
        final Record record;
        final Table<?> table;
        final @Nullable Map<String, Object> before;
        final Map<String, Object> after;

        Noted(Record record, Table<?> table, @Nullable Map<String, Object> before, Map<String, Object> after) {
            this.record = record;
            this.table = table;
            this.before = before;
            this.after = after;
        }
    }
}
