package dev.roan.jooq;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jooq.Condition;
import org.jooq.DataType;
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
 * changed key purges both pages. Values come from literals and bind values the statement holds, and for
 * parsed plain SQL from the bind values of the execution ({@link Bind}); a RETURNING result or the records
 * of {@code UpdatableRecord} operations, when there are any, are more precise and are preferred.
 *
 * <p>A value known to be SQL NULL is {@link #NULL}, apart from an absent (unknown) one: no page exists for
 * a NULL key, so a row with one purges nothing, and that is not a write whose rows are unknown.
 */
final class RowValues {

    /** Beyond this many partial rows (IN lists multiplied by AND), give up on precision. */
    static final int MAX_ROWS = 1_000;

    /** A column whose value is known to be SQL NULL. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "NULL";
        }
    };

    /** What the bind values of a statement are. */
    static final class Binds {
        /** The statement's own values are those it executed with (a DSL statement). */
        static final Binds NONE = new Binds(null, false, null);
        /**
         * The statement's values are placeholders, not those it executed with: a member of
         * {@code batch(query).bind(...)}, built with nulls for the bind sets to fill.
         */
        static final Binds PLACEHOLDERS = new Binds(null, true, null);

        final @Nullable List<?> values;
        final boolean placeholders;
        /** Values bound to the statement's parameters by identity: one bind set of a batch (see BatchBinds). */
        final @Nullable BoundValues bound;

        private Binds(@Nullable List<?> values, boolean placeholders, @Nullable BoundValues bound) {
            this.values = values;
            this.placeholders = placeholders;
            this.bound = bound;
        }

        /** The values an execution bound to a statement parsed with {@link Bind}s. */
        static Binds of(List<?> values) {
            return new Binds(values, false, null);
        }

        /** One bind set of a batch, whose statement holds placeholders (or the first set only). */
        static Binds of(BoundValues bound) {
            return new Binds(null, true, bound);
        }
    }

    /**
     * The value of a parsed plain SQL statement's {@code ?}: the statement is parsed once per SQL string with
     * these in place of its bind values, and each execution's bind values fill them
     * ({@code dsl.execute("update post set title = ? where slug = ?", "y", "p2")}).
     */
    static final class Bind {
        final int index;

        Bind(int index) {
            this.index = index;
        }

        @Override
        public String toString() {
            return "?" + (index + 1);
        }
    }

    /** Values bound to a statement's parameters in place of the values the parameters hold. */
    interface BoundValues {
        /** Whether a value is bound to {@code param}. */
        boolean binds(Param<?> param);

        /** The value bound to {@code param}: {@link #NULL} for SQL NULL, null if unknown. */
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
        return of(statement, table, returned, Binds.NONE);
    }

    /**
     * The partial rows of a write.
     *
     * @param statement the INSERT, UPDATE or DELETE (or null: unknown)
     * @param table     the written table
     * @param returned  the statement's RETURNING result (or generated keys), if any
     * @param binds     what the statement's bind values are: its own, the execution's for a statement parsed
     *                  with {@link Bind}s, or placeholders
     */
    static List<Map<String, Object>> of(@Nullable Query statement, Table<?> table, @Nullable List<? extends Record> returned,
            Binds binds) {
        if (statement instanceof QOM.Insert) {
            return ofInsert((QOM.Insert<?>) statement, table, returned, binds);
        }
        if (statement instanceof QOM.Update) {
            QOM.Update<?> update = (QOM.Update<?>) statement;
            List<Map<String, Object>> before;
            if (returned != null && !returned.isEmpty()) {
                // RETURNING names every affected row, with its values after the update; the SET clause tells
                // what it may not return, the WHERE clause the old values of what SET changed.
                List<Map<String, Object>> after = returnedRows(returned);
                for (Map<String, Object> row : after) {
                    assignAbsent(row, update.$set(), binds);
                }
                before = new ArrayList<>();
                for (Map<String, Object> row : after) {
                    Map<String, Object> old = copy(row);
                    removeAssigned(old, update.$set().keySet());
                    before.add(old);
                }
                before = completed(before, update.$where(), table, binds);
                before.addAll(after);
                return before;
            }
            before = where(update.$where(), table, binds);
            List<Map<String, Object>> all = new ArrayList<>(before);
            for (Map<String, Object> row : before) {
                all.add(assign(copy(row), update.$set(), binds));
            }
            return all;
        }
        if (statement instanceof QOM.Delete) {
            if (returned != null && !returned.isEmpty()) {
                return completed(returnedRows(returned), ((QOM.Delete<?>) statement).$where(), table, binds);
            }
            return where(((QOM.Delete<?>) statement).$where(), table, binds);
        }
        return unknown();
    }

    /**
     * The partial rows of a write executed with {@code bound} as the values of its parameters (by identity):
     * one bind set of a batch, whose statement holds other values or none.
     */
    static List<Map<String, Object>> ofBound(Query statement, Table<?> table, BoundValues bound) {
        return of(statement, table, null, Binds.of(bound));
    }

    private static List<Map<String, Object>> ofInsert(QOM.Insert<?> insert, Table<?> table,
            @Nullable List<? extends Record> returned, Binds binds) {
        List<Map<String, Object>> inserted = new ArrayList<>();
        if (insert.$select() == null) {
            List<? extends Field<?>> columns = insert.$columns();
            for (Row values : insert.$values()) {
                Map<String, Object> row = newRow();
                for (int i = 0; i < columns.size() && i < values.size(); i++) {
                    Object value = valueOf(values.field(i), binds);
                    if (value != null) {
                        row.put(nameOf(columns.get(i)), value);
                    }
                }
                inserted.add(row);
            }
        }
        if (returned != null && !returned.isEmpty()) {
            List<Map<String, Object>> got = returnedRows(returned);
            if (got.size() == inserted.size()) {
                // Generated keys and RETURNING columns complete the inserted values, row by row.
                for (int i = 0; i < got.size(); i++) {
                    Map<String, Object> row = inserted.get(i);
                    // A NULL the result holds for a column this INSERT gave a value is a column it did not fetch.
                    got.get(i).forEach((column, value) -> row.merge(column, value, (given, fetched) ->
                            fetched == NULL ? given : fetched));
                }
            } else {
                inserted = got;
            }
        }
        if (inserted.isEmpty()) {
            inserted = unknown();
        }
        boolean upsert = WriteKinds.isUpsert(insert);
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
            all.add(assign(copy(existing), insert.$updateSet(), binds));
        }
        return all;
    }

    /**
     * Partial rows of records: generated keys or UpdatableRecords, whose null values may be values not set
     * (a default the database fills), so they count as unknown, unless the record was set to null
     * ({@code record.setAuthorId(null)}): that is what it writes.
     */
    static List<Map<String, Object>> rows(List<? extends Record> records) {
        return rows(records, false);
    }

    /** Partial rows of a RETURNING result, which tells the rows as stored: a null is SQL NULL. */
    static List<Map<String, Object>> returnedRows(List<? extends Record> records) {
        return rows(records, true);
    }

    private static List<Map<String, Object>> rows(List<? extends Record> records, boolean nullsKnown) {
        List<Map<String, Object>> rows = new ArrayList<>(records.size());
        for (Record record : records) {
            Map<String, Object> row = newRow();
            for (Field<?> field : record.fields()) {
                Object value = record.get(field);
                if (value != null) {
                    row.put(field.getName(), value);
                } else if (nullsKnown || record.changed(field)) {
                    row.put(field.getName(), NULL);
                }
            }
            rows.add(row);
        }
        return rows;
    }

    /** The rows of a WHERE clause: key predicates ({@code =}, {@code IN}) combined by AND and OR. */
    static List<Map<String, Object>> where(@Nullable Condition condition, Table<?> table) {
        return where(condition, table, Binds.NONE);
    }

    private static List<Map<String, Object>> where(@Nullable Condition condition, Table<?> table,
            Binds binds) {
        List<Map<String, Object>> rows = condition == null ? null : conditionRows(condition, table, binds);
        return rows == null ? unknown() : rows;
    }

    /**
     * The rows a WHERE clause names by value with {@code binds} (one bind set of a batch), or null when it names no
     * value for some row (every row may match as far as we know).
     */
    @Nullable
    static List<Map<String, Object>> whereRows(Condition condition, Table<?> table, Binds binds) {
        return conditionRows(condition, table, binds);
    }

    /** Returns null when the condition names no key value (every row may match as far as we know). */
    @Nullable
    private static List<Map<String, Object>> conditionRows(Condition condition, Table<?> table,
            Binds binds) {
        if (condition instanceof QOM.Eq) {
            QOM.Eq<?> eq = (QOM.Eq<?>) condition;
            return equality(eq.$arg1(), eq.$arg2(), table, binds);
        }
        if (condition instanceof QOM.InList) {
            QOM.InList<?> in = (QOM.InList<?>) condition;
            String column = columnOf(in.$arg1(), table);
            if (column == null) {
                return null;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Field<?> element : in.$list()) {
                Object value = valueOf(element, binds);
                if (value == null || value == NULL) {
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
            List<Map<String, Object>> left = conditionRows(and.$arg1(), table, binds);
            List<Map<String, Object>> right = conditionRows(and.$arg2(), table, binds);
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
            List<Map<String, Object>> left = conditionRows(or.$arg1(), table, binds);
            List<Map<String, Object>> right = conditionRows(or.$arg2(), table, binds);
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
    private static List<Map<String, Object>> equality(Field<?> a, Field<?> b, Table<?> table, Binds binds) {
        String column = columnOf(a, table);
        Object value = valueOf(b, binds);
        if (column == null) {
            column = columnOf(b, table);
            value = valueOf(a, binds);
        }
        // "= NULL" matches no row; leave it to the database rather than guess.
        if (column == null || value == null || value == NULL) {
            return null;
        }
        Map<String, Object> row = newRow();
        row.put(column, value);
        List<Map<String, Object>> rows = new ArrayList<>(1);
        rows.add(row);
        return rows;
    }

    /**
     * The column name if {@code field} is a column of the written table (or of its alias). A column named
     * without a table ({@code DSL.field(name("slug"))}, {@code DSL.field("slug")}, unqualified columns of
     * parsed plain SQL) is taken as the written table's when that table has such a column, or when its
     * columns are not known ({@code DSL.table("post")}, parsed plain SQL).
     */
    @Nullable
    static String columnOf(Field<?> field, Table<?> table) {
        if (field instanceof TableField) {
            Table<?> owner = ((TableField<?, ?>) field).getTable();
            if (owner == null) {
                return unqualified(field.getName(), table);
            }
            if (Tables.same(owner, table) || owner.getName().equalsIgnoreCase(table.getName())) {
                return field.getName();
            }
            return null;
        }
        if (!isPlainSqlField(field)) {
            return null;
        }
        // DSL.field("slug") or DSL.field("post.slug"): the name is the SQL text.
        List<String> parts = identifierParts(field.getName());
        if (parts == null) {
            return null;
        }
        String column = parts.get(parts.size() - 1);
        if (parts.size() == 1) {
            return unqualified(column, table);
        }
        String qualifier = parts.get(parts.size() - 2);
        if (qualifier.equalsIgnoreCase(table.getName()) || qualifier.equalsIgnoreCase(Tables.unaliased(table).getName())) {
            return unqualified(column, table);
        }
        return null;
    }

    /** The column of {@code table} named {@code name}, case-insensitively; {@code name} if its columns are unknown. */
    @Nullable
    private static String unqualified(String name, Table<?> table) {
        Field<?>[] columns = table.fields();
        if (columns.length == 0) {
            return name;
        }
        for (Field<?> column : columns) {
            if (column.getName().equalsIgnoreCase(name)) {
                return column.getName();
            }
        }
        return null;
    }

    /** The column name of an assigned or inserted column: {@code DSL.field("post.slug")} names {@code slug}. */
    private static String nameOf(Field<?> field) {
        if (isPlainSqlField(field)) {
            List<String> parts = identifierParts(field.getName());
            if (parts != null) {
                return parts.get(parts.size() - 1);
            }
        }
        return field.getName();
    }

    static boolean isPlainSqlField(Field<?> field) {
        // SQLField is package-private in jOOQ; Class.getName() is cached, so no allocation.
        return field.getClass().getName().equals("org.jooq.impl.SQLField");
    }

    /** The parts of {@code a}, {@code "a"}, {@code b.a} or {@code `b`.[a]}; null if the text is anything else. */
    @Nullable
    static List<String> identifierParts(String sql) {
        List<String> parts = new ArrayList<>(2);
        int i = 0;
        int n = sql.length();
        while (true) {
            if (i >= n) {
                return null;
            }
            char c = sql.charAt(i);
            char close = c == '"' ? '"' : c == '`' ? '`' : c == '[' ? ']' : 0;
            int end;
            if (close != 0) {
                end = sql.indexOf(close, i + 1);
                if (end <= i + 1) {
                    return null;
                }
                parts.add(sql.substring(i + 1, end));
                end++;
            } else {
                end = i;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_'
                        || sql.charAt(end) == '$')) {
                    end++;
                }
                if (end == i || Character.isDigit(c)) {
                    return null;
                }
                parts.add(sql.substring(i, end));
            }
            if (end == n) {
                return parts;
            }
            if (sql.charAt(end) != '.' || parts.size() >= 4) {
                return null;
            }
            i = end + 1;
        }
    }

    /** The value of a bind value or literal, {@link #NULL} for SQL NULL; null if not a value or unknown. */
    @Nullable
    static Object valueOf(Field<?> field, Binds binds) {
        if (field instanceof QOM.Cast) {
            // cast(? as bigint): jOOQ renders some bind values so, and plain SQL spells them so. A cast that may
            // change the value (to varchar(1), to int from 4.5) makes it unknown.
            Object inner = valueOf(((QOM.Cast<?>) field).$field(), binds);
            return inner == null || inner == NULL || keepsValue(field.getDataType(), inner) ? inner : null;
        }
        Field<?> f = field;
        if (!(f instanceof Param)) {
            return null;
        }
        if (binds.bound != null && binds.bound.binds((Param<?>) f)) {
            return binds.bound.value((Param<?>) f);
        }
        Object value = ((Param<?>) f).getValue();
        if (value instanceof Bind) {
            int index = ((Bind) value).index;
            List<?> values = binds.values;
            if (values == null || index >= values.size()) {
                return null;
            }
            value = values.get(index);
        }
        if (value == null) {
            return binds.placeholders ? null : NULL;
        }
        return value;
    }

    /**
     * Whether casting {@code value} to {@code type} leaves its key as it is: a string no longer than the type's
     * length, a number the type holds exactly, a value whose key its conversion keeps.
     */
    static boolean keepsValue(DataType<?> type, Object value) {
        try {
            if (value instanceof String && type.hasLength() && type.length() > 0
                    && ((String) value).codePointCount(0, ((String) value).length()) > type.length()) {
                return false;
            }
            Object converted = type.convert(value);
            String before = KeyValues.valueString(value);
            if (before == null || !before.equals(KeyValues.valueString(converted))) {
                return false;
            }
            if (type.hasScale() && Number.class.isAssignableFrom(type.getType())) {
                // decimal(3, 1) rounds 4.56 to 4.6: the value's own digits after the point must fit.
                return new java.math.BigDecimal(before).scale() <= type.scale();
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * A row as an UPDATE leaves it: a copy of {@code before} with the SET clause's values, a column SET gives no
     * value for (an expression) unknown.
     */
    static Map<String, Object> afterUpdate(Map<String, Object> before, QOM.Update<?> update, Binds binds) {
        return assign(copy(before), update.$set(), binds);
    }

    private static Map<String, Object> copy(Map<String, Object> row) {
        Map<String, Object> copy = newRow();
        copy.putAll(row);
        return copy;
    }

    /**
     * The returned rows, each completed with the values of the WHERE clause's rows that agree with it:
     * {@code update post set slug = 'new' where slug = 'old' returning id} returns the new slug only, the
     * WHERE clause tells the old one. A returned row that several WHERE rows agree with becomes one row per
     * such WHERE row (each names a page that may have changed).
     */
    private static List<Map<String, Object>> completed(List<Map<String, Object>> rows, @Nullable Condition condition,
            Table<?> table, Binds binds) {
        List<Map<String, Object>> where = condition == null ? null : conditionRows(condition, table, binds);
        return where == null ? rows : completedBy(rows, where);
    }

    /**
     * Each of {@code rows} completed with the values of every row of {@code known} that agrees with it (one row per
     * such row); a row that none agrees with stays as it is.
     */
    static List<Map<String, Object>> completedBy(List<Map<String, Object>> rows, List<Map<String, Object>> known) {
        if ((long) rows.size() * known.size() > MAX_ROWS) {
            return rows;
        }
        List<Map<String, Object>> completed = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            boolean merged = false;
            for (Map<String, Object> k : known) {
                if (agree(row, k)) {
                    Map<String, Object> both = copy(row);
                    k.forEach(both::putIfAbsent);
                    completed.add(both);
                    merged = true;
                }
            }
            if (!merged) {
                completed.add(row);
            }
        }
        return completed;
    }

    /** Whether two partial rows may describe the same row: equal wherever both know a column. */
    private static boolean agree(Map<String, Object> a, Map<String, Object> b) {
        for (Map.Entry<String, Object> e : b.entrySet()) {
            Object value = a.get(e.getKey());
            if (value != null && !value.equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Adds the values SET assigns to columns the row does not tell. */
    private static void assignAbsent(Map<String, Object> row, Map<? extends FieldOrRow, ?> set, Binds binds) {
        for (Map.Entry<? extends FieldOrRow, ?> e : set.entrySet()) {
            if (e.getKey() instanceof Field && e.getValue() instanceof Field) {
                Object value = valueOf((Field<?>) e.getValue(), binds);
                if (value != null) {
                    row.putIfAbsent(nameOf((Field<?>) e.getKey()), value);
                }
            }
        }
    }

    /** Applies SET assignments: known values replace, unknown ones (expressions) make the column unknown. */
    private static Map<String, Object> assign(Map<String, Object> row, Map<? extends FieldOrRow, ?> set,
            Binds binds) {
        for (Map.Entry<? extends FieldOrRow, ?> e : set.entrySet()) {
            if (!(e.getKey() instanceof Field)) {
                // A row assignment, (a, b) = (select ...): which columns change is not worth guessing.
                row.clear();
                return row;
            }
            String column = nameOf((Field<?>) e.getKey());
            Object value = e.getValue() instanceof Field ? valueOf((Field<?>) e.getValue(), binds) : null;
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
                row.remove(nameOf((Field<?>) f));
            }
        }
    }
}
