package dev.roan.jooq;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.FieldOrRow;
import org.jooq.Param;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.Row;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.impl.QOM;
import org.jspecify.annotations.Nullable;

/**
 * Which rows a write touched, as far as the statement tells: a list of partial rows (column to value,
 * case-insensitive) such that every affected row agrees with at least one of them.
 *
 * <p>An empty partial row means "some row, values unknown": a path template whose placeholder is missing
 * from a partial row cannot be filled, and the rule falls back. An UPDATE contributes its rows before
 * (from the WHERE clause's key predicates) and after (the same, overridden by its SET clause), so a
 * changed key purges both pages. Values come from literals and bind values the statement holds; a
 * RETURNING result or the records of {@code UpdatableRecord} operations, when there are any, are more
 * precise and are preferred.
 */
final class RowValues {

    /** Beyond this many partial rows (IN lists multiplied by AND), give up on precision. */
    static final int MAX_ROWS = 1_000;

    /**
     * Values bound to a statement's parameters in place of their own, while {@link #ofBound} reads it: one bind
     * set of a batch (see {@link BatchBinds}). Kept per thread rather than passed through every reader below, as
     * only that rare caller has any.
     */
    private static final ThreadLocal<@Nullable BoundValues> BOUND = new ThreadLocal<>();

    /** Values bound to a statement's parameters in place of the values the parameters hold. */
    interface BoundValues {
        /** Whether a value is bound to {@code param}. */
        boolean binds(Param<?> param);

        /** The value bound to {@code param}, null if unknown. */
        @Nullable
        Object value(Param<?> param);
    }

    private RowValues() {}

    static Map<String, Object> newRow() {
        return new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    }

    static List<Map<String, Object>> unknown() {
        List<Map<String, Object>> rows = new ArrayList<>(1);
        rows.add(newRow());
        return rows;
    }

    /**
     * The partial rows of a write.
     *
     * @param statement the INSERT, UPDATE or DELETE (or null: unknown)
     * @param table     the written table
     * @param returned  the statement's RETURNING result (or generated keys), if any
     */
    static List<Map<String, Object>> of(@Nullable Query statement, Table<?> table, @Nullable List<? extends Record> returned) {
        if (statement instanceof QOM.Insert) {
            return ofInsert((QOM.Insert<?>) statement, table, returned);
        }
        if (statement instanceof QOM.Update) {
            QOM.Update<?> update = (QOM.Update<?>) statement;
            List<Map<String, Object>> before;
            if (returned != null && !returned.isEmpty()) {
                // RETURNING names every affected row, with its values after the update.
                List<Map<String, Object>> after = rows(returned);
                before = new ArrayList<>();
                for (Map<String, Object> row : after) {
                    Map<String, Object> old = copy(row);
                    removeAssigned(old, update.$set().keySet());
                    before.add(old);
                }
                before.addAll(after);
                return before;
            }
            before = where(update.$where(), table);
            List<Map<String, Object>> all = new ArrayList<>(before);
            for (Map<String, Object> row : before) {
                all.add(assign(copy(row), update.$set(), table));
            }
            return all;
        }
        if (statement instanceof QOM.Delete) {
            if (returned != null && !returned.isEmpty()) {
                return rows(returned);
            }
            return where(((QOM.Delete<?>) statement).$where(), table);
        }
        return unknown();
    }

    /**
     * The partial rows of a write executed with {@code bound} as the values of its parameters (by identity):
     * one bind set of a batch, whose statement holds other values or none.
     */
    static List<Map<String, Object>> ofBound(Query statement, Table<?> table, BoundValues bound) {
        BoundValues previous = BOUND.get();
        BOUND.set(bound);
        try {
            return of(statement, table, null);
        } finally {
            BOUND.set(previous);
        }
    }

    private static List<Map<String, Object>> ofInsert(QOM.Insert<?> insert, Table<?> table,
            @Nullable List<? extends Record> returned) {
        List<Map<String, Object>> inserted = new ArrayList<>();
        if (insert.$select() == null) {
            List<? extends Field<?>> columns = insert.$columns();
            for (Row values : insert.$values()) {
                Map<String, Object> row = newRow();
                for (int i = 0; i < columns.size() && i < values.size(); i++) {
                    Object value = valueOf(values.field(i));
                    if (value != null) {
                        row.put(columns.get(i).getName(), value);
                    }
                }
                inserted.add(row);
            }
        }
        if (returned != null && !returned.isEmpty()) {
            List<Map<String, Object>> got = rows(returned);
            if (got.size() == inserted.size()) {
                // Generated keys and RETURNING columns complete the inserted values, row by row.
                for (int i = 0; i < got.size(); i++) {
                    inserted.get(i).putAll(got.get(i));
                }
            } else {
                inserted = got;
            }
        }
        if (inserted.isEmpty()) {
            inserted = unknown();
        }
        boolean upsert = insert.$onDuplicateKeyUpdate() || !insert.$updateSet().isEmpty();
        if (!upsert) {
            return inserted;
        }
        // The row that was there may be the one updated: it agrees with the inserted row on the conflict
        // columns only (ON DUPLICATE KEY UPDATE names none), and takes the SET values.
        List<Map<String, Object>> all = new ArrayList<>(inserted);
        for (Map<String, Object> row : inserted) {
            Map<String, Object> existing = newRow();
            for (Field<?> conflict : insert.$onConflict()) {
                Object value = row.get(conflict.getName());
                if (value != null) {
                    existing.put(conflict.getName(), value);
                }
            }
            all.add(existing);
            all.add(assign(copy(existing), insert.$updateSet(), table));
        }
        return all;
    }

    /** Partial rows of records: a RETURNING result, generated keys, or UpdatableRecords. */
    static List<Map<String, Object>> rows(List<? extends Record> records) {
        List<Map<String, Object>> rows = new ArrayList<>(records.size());
        for (Record record : records) {
            Map<String, Object> row = newRow();
            for (Field<?> field : record.fields()) {
                Object value = record.get(field);
                if (value != null) {
                    row.put(field.getName(), value);
                }
            }
            rows.add(row);
        }
        return rows;
    }

    /** The rows of a WHERE clause: key predicates ({@code =}, {@code IN}) combined by AND and OR. */
    static List<Map<String, Object>> where(@Nullable Condition condition, Table<?> table) {
        List<Map<String, Object>> rows = condition == null ? null : conditionRows(condition, table);
        return rows == null ? unknown() : rows;
    }

    /** Returns null when the condition names no key value (every row may match as far as we know). */
    @Nullable
    private static List<Map<String, Object>> conditionRows(Condition condition, Table<?> table) {
        if (condition instanceof QOM.Eq) {
            QOM.Eq<?> eq = (QOM.Eq<?>) condition;
            return equality(eq.$arg1(), eq.$arg2(), table);
        }
        if (condition instanceof QOM.InList) {
            QOM.InList<?> in = (QOM.InList<?>) condition;
            String column = columnOf(in.$arg1(), table);
            if (column == null) {
                return null;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Field<?> element : in.$list()) {
                Object value = valueOf(element);
                if (value == null) {
                    return null;
                }
                Map<String, Object> row = newRow();
                row.put(column, value);
                rows.add(row);
            }
            return rows.isEmpty() ? null : rows;
        }
        if (condition instanceof QOM.And) {
            QOM.And and = (QOM.And) condition;
            List<Map<String, Object>> left = conditionRows(and.$arg1(), table);
            List<Map<String, Object>> right = conditionRows(and.$arg2(), table);
            if (left == null) {
                return right;
            }
            if (right == null) {
                return left;
            }
            if ((long) left.size() * right.size() > MAX_ROWS) {
                return null;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Map<String, Object> l : left) {
                for (Map<String, Object> r : right) {
                    Map<String, Object> merged = copy(l);
                    boolean contradiction = false;
                    for (Map.Entry<String, Object> e : r.entrySet()) {
                        Object previous = merged.putIfAbsent(e.getKey(), e.getValue());
                        if (previous != null && !previous.equals(e.getValue())) {
                            contradiction = true;
                        }
                    }
                    if (!contradiction) {
                        rows.add(merged);
                    }
                }
            }
            return rows;
        }
        if (condition instanceof QOM.Or) {
            QOM.Or or = (QOM.Or) condition;
            List<Map<String, Object>> left = conditionRows(or.$arg1(), table);
            List<Map<String, Object>> right = conditionRows(or.$arg2(), table);
            if (left == null || right == null || left.size() + right.size() > MAX_ROWS) {
                return null;
            }
            List<Map<String, Object>> rows = new ArrayList<>(left);
            rows.addAll(right);
            return rows;
        }
        return null;
    }

    @Nullable
    private static List<Map<String, Object>> equality(Field<?> a, Field<?> b, Table<?> table) {
        String column = columnOf(a, table);
        Object value = valueOf(b);
        if (column == null) {
            column = columnOf(b, table);
            value = valueOf(a);
        }
        if (column == null || value == null) {
            return null;
        }
        Map<String, Object> row = newRow();
        row.put(column, value);
        List<Map<String, Object>> rows = new ArrayList<>(1);
        rows.add(row);
        return rows;
    }

    /**
     * The column name if {@code field} is a column of the written table (or of its alias). Parsed plain SQL
     * names columns without a table when they are unqualified: those are taken as the written table's.
     */
    @Nullable
    private static String columnOf(Field<?> field, Table<?> table) {
        if (!(field instanceof TableField)) {
            return null;
        }
        Table<?> owner = ((TableField<?, ?>) field).getTable();
        if (owner == null || sameTable(owner, table) || owner.getName().equalsIgnoreCase(table.getName())) {
            return field.getName();
        }
        return null;
    }

    /** Whether two tables are the same table, aliases and generated classes considered. */
    static boolean sameTable(Table<?> a, Table<?> b) {
        return a == b || (a.getClass() == b.getClass() && a.getClass() != org.jooq.impl.TableImpl.class
                && a instanceof org.jooq.impl.TableImpl) || sameName(a, b);
    }

    private static boolean sameName(Table<?> a, Table<?> b) {
        return unaliased(a).getName().equalsIgnoreCase(unaliased(b).getName());
    }

    private static Table<?> unaliased(Table<?> t) {
        Table<?> u = t;
        while (u instanceof QOM.TableAlias) {
            u = ((QOM.TableAlias<?>) u).$table();
        }
        return u;
    }

    @Nullable
    private static Object valueOf(Field<?> field) {
        if (field instanceof Param) {
            BoundValues bound = BOUND.get();
            if (bound != null && bound.binds((Param<?>) field)) {
                return bound.value((Param<?>) field);
            }
            return ((Param<?>) field).getValue();
        }
        return null;
    }

    private static Map<String, Object> copy(Map<String, Object> row) {
        Map<String, Object> copy = newRow();
        copy.putAll(row);
        return copy;
    }

    /** Applies SET assignments: known values replace, unknown ones (expressions) make the column unknown. */
    private static Map<String, Object> assign(Map<String, Object> row, Map<? extends FieldOrRow, ?> set, Table<?> table) {
        for (Map.Entry<? extends FieldOrRow, ?> e : set.entrySet()) {
            if (!(e.getKey() instanceof Field)) {
                // A row assignment, (a, b) = (select ...): which columns change is not worth guessing.
                row.clear();
                return row;
            }
            String column = ((Field<?>) e.getKey()).getName();
            Object value = e.getValue() instanceof Field ? valueOf((Field<?>) e.getValue()) : null;
            if (value == null) {
                row.remove(column);
            } else {
                row.put(column, value);
            }
        }
        return row;
    }

    private static void removeAssigned(Map<String, Object> row, java.util.Set<? extends FieldOrRow> assigned) {
        for (FieldOrRow f : assigned) {
            if (f instanceof Field) {
                row.remove(((Field<?>) f).getName());
            }
        }
    }
}
