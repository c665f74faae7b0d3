package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.SelectForUpdateStep;
import org.jooq.Table;
import org.jooq.conf.ParamType;
import org.jooq.conf.Settings;
import org.jooq.conf.StatementType;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.QOM;
import org.jspecify.annotations.Nullable;

/**
 * Reads the placeholder columns of the rows an UPDATE or DELETE is about to change, when its own text cannot fill a
 * rule's path: {@code update pet set name = ? where id = ?} does not tell the pet's {@code owner_id}, and
 * {@code update owner set last_name = ? where id = ?} does not tell the old last name.
 *
 * <p>The read runs in {@code executeStart}, on the statement's connection (so in its transaction), with the
 * statement's own table and WHERE condition (the same condition objects, so the same bind values), and locks the rows
 * as the statement will ({@code FOR UPDATE}, before an UPDATE on PostgreSQL {@code FOR NO KEY UPDATE}) where the
 * dialect has it, so that no other transaction changes the
 * values between the read and the write. Where auto-commit is off it runs inside a savepoint until a read of its shape
 * has succeeded once ({@link ReadGuard}), and without one after, so that it costs PostgreSQL no subtransaction per
 * statement. It goes through the statement's configuration with the same listeners:
 * Roan's own listener sees a plain SELECT and ignores it, the user's listeners see the statement that ran.
 *
 * <p>A batch of one statement with bind sets ({@code batchStore()}, {@code batchUpdate()}, {@code batchDelete()} of
 * records, {@code batch(query).bind(...)}) is read once for all its sets: the rows each set's WHERE names by value
 * (the primary key, for records), in one SELECT; a set whose WHERE names no value leaves the whole batch unread.
 *
 * <p>Only single-table DSL statements of tables that know their columns (generated ones) are read. Plain SQL, MERGE,
 * multi-table statements ({@code UPDATE ... FROM}, {@code DELETE ... USING}, joins), statements with a WITH clause,
 * ORDER BY or LIMIT, batches of several statements and statements collected by {@code dsl.batched(...)} keep the
 * statement's own values and the rule's fallback.
 */
final class RowsBefore {

    private static final System.Logger LOG = Log.LOGGER;
    /** The key under which {@code executeStart} leaves what it read for {@code end}. */
    static final String KEY = "dev.roan.jooq.RowsBefore";

    /**
     * Families whose {@code SELECT ... LIMIT n FOR UPDATE} takes row locks as an UPDATE does. Elsewhere (SQLite, whose
     * writers lock the whole database, and dialects where jOOQ would emulate or refuse the clause) the read does not
     * lock.
     */
    private static final Set<SQLDialect> LOCKING = EnumSet.of(SQLDialect.H2, SQLDialect.POSTGRES, SQLDialect.YUGABYTEDB,
            SQLDialect.MYSQL, SQLDialect.MARIADB);
    /**
     * Families where an UPDATE that changes no key column locks its rows {@code FOR NO KEY UPDATE}, which does not
     * wait for the key share locks of the foreign keys that reference them: the read before an UPDATE takes that
     * lock, not a stronger one, so that it waits for nothing (and can time out on nothing) the UPDATE would not. An
     * UPDATE of a key column takes {@code FOR UPDATE} itself, as a DELETE does, strengthening the lock as it runs.
     */
    private static final Set<SQLDialect> NO_KEY = EnumSet.of(SQLDialect.POSTGRES, SQLDialect.YUGABYTEDB);

    private final Rules rules;
    private final AtomicBoolean warnedFailure = new AtomicBoolean();
    private final ReadGuard.Shapes shapes = new ReadGuard.Shapes();

    RowsBefore(Rules rules) {
        this.rules = rules;
    }

    /** Whether some rule may need a read: the one test every statement pays for. */
    boolean any() {
        return rules.anyReading();
    }

    /** Reads, if a rule needs it, the rows the statement is about to change, and leaves them in {@code ctx}. */
    void readFor(ExecuteContext ctx) {
        Query query = ctx.query();
        boolean batch = false;
        if (query == null && ctx.batchMode() == ExecuteContext.BatchMode.SINGLE) {
            Query[] members = ctx.batchQueries();
            if (members.length == 1) {
                query = members[0];
                batch = true;
            }
        }
        if (query == null || SqlText.isPlainSql(query)) {
            return;
        }
        // A batch sent in chunks (Settings.batchSize) starts each chunk's execution: read only the sets added since,
        // as the rows of earlier chunks are written already, and keep what was read before them.
        Read earlier = batch && ctx.data(KEY) instanceof Read ? (Read) ctx.data(KEY) : null;
        int readSets = earlier != null && earlier.sets != null ? earlier.sets.size() : 0;
        Read read = read(query, ctx, batch, readSets);
        if (earlier != null) {
            List<RowValues.Binds> all = BatchBinds.of(ctx).binds(query);
            List<Map<String, Object>> before = new ArrayList<>(earlier.before);
            if (read != null) {
                before.addAll(read.before);
            }
            read = all == null ? earlier : new Read(earlier.table, before, all);
        }
        if (read != null) {
            ctx.data(KEY, read);
        }
    }

    @Nullable
    private Read read(Query query, ExecuteContext ctx, boolean batch, int readSets) {
        // jOOQ 3.19 does not show a DSL statement's RETURNING fields (UpdateQueryImpl has no getter), so RETURNING
        // the values does not save the read; their rows still join the read ones in Read.rows.
        Query statement = query;
        if (query instanceof QOM.UpdateReturning) {
            statement = ((QOM.UpdateReturning<?>) query).$update();
        } else if (query instanceof QOM.DeleteReturning) {
            statement = ((QOM.DeleteReturning<?>) query).$delete();
        }
        Table<?> table;
        Condition where;
        int kinds;
        if (statement instanceof QOM.Update) {
            QOM.Update<?> update = (QOM.Update<?>) statement;
            if (update.$with() != null || !update.$from().isEmpty() || !update.$orderBy().isEmpty()
                    || update.$limit() != null) {
                return null;
            }
            table = update.$table();
            where = update.$where();
            kinds = WriteKinds.UPDATE;
        } else if (statement instanceof QOM.Delete) {
            QOM.Delete<?> delete = (QOM.Delete<?>) statement;
            if (delete.$with() != null || !delete.$using().isEmpty() || !delete.$orderBy().isEmpty()
                    || delete.$limit() != null) {
                return null;
            }
            table = delete.$from();
            where = delete.$where();
            kinds = WriteKinds.DELETE;
        } else {
            return null;
        }
        if (table instanceof QOM.JoinTable) {
            return null;
        }
        List<Rules.Binding> reading = rules.reading(table, kinds);
        if (reading.isEmpty()) {
            return null;
        }
        List<RowValues.Binds> sets = null;
        if (batch) {
            // A batch's member holds placeholders or the first set's values: its rows are its bind sets'.
            sets = statement == query && where != null ? BatchBinds.of(ctx).binds(statement) : null;
            if (sets == null || sets.size() <= readSets || sets.size() - readSets > RowValues.MAX_ROWS) {
                return null;
            }
            sets = sets.subList(readSets, sets.size());
        }
        Set<String> unknown = unknownPlaceholders(reading, table, statement, sets);
        if (unknown.isEmpty()) {
            return null;
        }
        Set<String> columns = placeholders(rules.templated(table, kinds, false));
        if (sets != null) {
            where = byValue(where, table, sets, columns);
            if (where == null) {
                return null;
            }
        }
        if (BatchedConnections.beneath(ctx) != null) {
            // dsl.batched(...): a read through its connection sends the user's pending batch, and one beneath it
            // does not see the rows that batch has not written yet.
            return null;
        }
        Connection connection = ctx.connection();
        if (connection == null) {
            return null;
        }
        // Every templated rule's columns, not only those of the rules that read: the rows read replace the
        // statement's own for all the rules of the table, including one that opted out.
        return select(ctx, connection, table, where, kinds == WriteKinds.UPDATE, columns, sets);
    }

    /**
     * The rows of a batch's bind sets as one condition: each set's WHERE with its values, OR-ed (one IN list when each
     * set names its row by the same single column, as a batch of records by key does); null if a set's WHERE
     * names no value for some row (or SQL NULL), which would read too much. Adds the columns the WHERE names to
     * {@code columns}, so that each row read can be told to a set.
     */
    @Nullable
    private static Condition byValue(@Nullable Condition where, Table<?> table, List<RowValues.Binds> sets,
            Set<String> columns) {
        if (where == null) {
            return null;
        }
        List<Condition> rows = new ArrayList<>(sets.size());
        // Rows named by one column alone (a batch of records by their primary key): one IN list, which databases
        // look up by index as one condition, where 100 OR-ed equalities are planned one by one.
        Field<?> only = null;
        List<Object> values = new ArrayList<>(sets.size());
        for (RowValues.Binds set : sets) {
            List<Map<String, Object>> named = RowValues.whereRows(where, table, set);
            if (named == null) {
                return null;
            }
            for (Map<String, Object> row : named) {
                List<Condition> columnsOfRow = new ArrayList<>(row.size());
                Field<?> field = null;
                for (Map.Entry<String, Object> e : row.entrySet()) {
                    field = field(table, e.getKey());
                    if (field == null || e.getValue() == null || e.getValue() == RowValues.NULL) {
                        return null;
                    }
                    Condition eq = eq(field, e.getValue());
                    if (eq == null) {
                        return null;
                    }
                    columnsOfRow.add(eq);
                    if (!contains(columns, field.getName())) {
                        columns.add(field.getName());
                    }
                }
                if (columnsOfRow.isEmpty()) {
                    return null;
                }
                if (values != null && row.size() == 1 && (only == null || only.equals(field))) {
                    only = field;
                    values.add(row.values().iterator().next());
                } else {
                    values = null;
                }
                rows.add(DSL.and(columnsOfRow));
            }
        }
        if (rows.isEmpty() || rows.size() > RowValues.MAX_ROWS) {
            return null;
        }
        Condition in = only != null && values != null && values.size() > 1 ? in(only, values) : null;
        return in != null ? in : DSL.or(rows);
    }

    @Nullable
    private static <T> Condition in(Field<T> field, List<Object> values) {
        try {
            List<T> typed = new ArrayList<>(values.size());
            for (Object value : values) {
                typed.add(field.getDataType().convert(value));
            }
            return field.in(typed);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Nullable
    private static <T> Condition eq(Field<T> field, Object value) {
        try {
            return field.eq(field.getDataType().convert(value));
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Nullable
    private static Field<?> field(Table<?> table, String name) {
        Field<?> column = table.field(name);
        if (column == null) {
            for (Field<?> f : table.fields()) {
                if (f.getName().equalsIgnoreCase(name)) {
                    column = f;
                }
            }
        }
        return column;
    }

    /**
     * The placeholders of {@code reading} that the statement's own rows (its SET and WHERE) leave
     * unknown for some row: a missing key ({@code owner_id} of a pet updated by id), or the old value of a column
     * SET changes (the last name of an owner renamed by id).
     */
    private Set<String> unknownPlaceholders(List<Rules.Binding> reading, Table<?> table, Query statement,
            @Nullable List<RowValues.Binds> sets) {
        List<Map<String, Object>> rows;
        if (sets == null) {
            rows = RowValues.of(statement, table, null);
        } else {
            rows = new ArrayList<>();
            for (RowValues.Binds set : sets) {
                rows.addAll(RowValues.of(statement, table, null, set));
            }
        }
        Set<String> unknown = new LinkedHashSet<>(2);
        for (Rules.Binding binding : reading) {
            for (Map<String, Object> row : rows) {
                unknown.addAll(binding.unknownIn(row));
            }
        }
        return unknown;
    }

    private static boolean contains(Set<String> names, String name) {
        for (String n : names) {
            if (n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** The columns the rules need of each row: their placeholders, or for a rule with via its first from column. */
    private static Set<String> placeholders(List<Rules.Binding> reading) {
        Set<String> all = new LinkedHashSet<>();
        for (Rules.Binding binding : reading) {
            for (String placeholder : binding.columns()) {
                if (!contains(all, placeholder)) {
                    all.add(placeholder);
                }
            }
        }
        return all;
    }

    @Nullable
    private Read select(ExecuteContext ctx, Connection connection, Table<?> table, @Nullable Condition where,
            boolean update, Set<String> placeholders, @Nullable List<RowValues.Binds> sets) {
        List<Field<?>> columns = new ArrayList<>(placeholders.size());
        for (String placeholder : placeholders) {
            Field<?> column = field(table, placeholder);
            if (column == null) {
                // A table without known columns (DSL.table("post")), whose placeholders were not checked at
                // registration: a column that does not exist would fail the read, and on PostgreSQL with it the
                // user's transaction. Such a table keeps the statement's values and the fallback.
                return null;
            }
            columns.add(column);
        }
        DSLContext dsl = ReadGuard.on(ctx, connection);
        SelectForUpdateStep<Record> unlocked = where == null
                ? dsl.select(columns).from(table).limit(RowValues.MAX_ROWS + 1)
                : dsl.select(columns).from(table).where(where).limit(RowValues.MAX_ROWS + 1);
        boolean locking = LOCKING.contains(ctx.family());
        boolean noKey = locking && update && NO_KEY.contains(ctx.family());
        ResultQuery<Record> select = locking ? locked(unlocked, noKey) : unlocked;
        Result<Record> result;
        try {
            // In a savepoint until this shape has worked: on PostgreSQL a failed read would abort the user's
            // transaction. An Unguarded failure past that goes to the listener, to fail the statement.
            result = ReadGuard.run(connection, shapes,
                    () -> (sets == null ? "" : "batch ") + shape(ctx, select, placeholders, locking, noKey),
                    select::fetch);
        } catch (DataAccessException e) {
            if (warnedFailure.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, () -> "Roan could not read the rows a write of "
                        + PurgePaths.printable(table.getName()) + " changes, to fill " + placeholders
                        + ", so it uses the statement's own values and the rules' fallback paths (logged once): "
                        + ReadGuard.describe(e));
            }
            return null;
        }
        if (result.isEmpty() || result.size() > RowValues.MAX_ROWS) {
            // None read (the statement will change none, or values Roan cannot tell), or too many to name by
            // value: the statement's own values and the fallback tell the rest.
            return null;
        }
        return new Read(table, RowValues.returnedRows(result), sets);
    }

    /**
     * The read's shape: its SQL, the statement's WHERE included (its values as ?, whatever the settings), so that a
     * WHERE that cannot be read this way fails the first time, in the savepoint, and is never read without one. Where
     * the statement's own SQL has its values as ? it stands for the WHERE (the same SQL, the same WHERE), which saves
     * rendering the read a second time.
     */
    private static String shape(ExecuteContext ctx, ResultQuery<Record> select, Set<String> placeholders,
            boolean locking, boolean noKey) {
        String sql = ctx.sql();
        Settings settings = ctx.settings();
        if (sql == null || settings.getStatementType() == StatementType.STATIC_STATEMENT
                || settings.getParamType() == ParamType.INLINED) {
            return select.getSQL(ParamType.INDEXED);
        }
        return "select " + placeholders + (!locking ? "" : noKey ? " for no key update" : " for update")
                + " where as in: " + sql;
    }

    private static ResultQuery<Record> locked(SelectForUpdateStep<Record> select, boolean noKey) {
        return noKey ? select.forNoKeyUpdate() : select.forUpdate();
    }

    /** What was read before a statement ran: the placeholder columns of each row it was about to change. */
    static final class Read {
        final Table<?> table;
        final List<Map<String, Object>> before;
        /** A batch's bind sets, whose values the statement executed with; null for any other statement. */
        final @Nullable List<RowValues.Binds> sets;

        Read(Table<?> table, List<Map<String, Object>> before, @Nullable List<RowValues.Binds> sets) {
            this.table = table;
            this.before = before;
            this.sets = sets;
        }

        /**
         * The rows of the write: each row as read, for an UPDATE each row again with the SET values (a value SET
         * cannot tell, an expression, stays unknown), and the RETURNING result, if any.
         */
        List<Map<String, Object>> rows(@Nullable Query statement, @Nullable List<? extends Record> returned,
                RowValues.Binds binds) {
            List<Map<String, Object>> rows = new ArrayList<>(before);
            QOM.Update<?> update = statement instanceof QOM.Update ? (QOM.Update<?>) statement : null;
            if (sets != null && statement != null) {
                batchRows(statement, update, rows);
                return rows;
            }
            if (update != null) {
                for (Map<String, Object> row : before) {
                    rows.add(RowValues.afterUpdate(row, update, binds));
                }
            }
            if (returned != null && !returned.isEmpty()) {
                // RETURNING names the rows too, with what the read and SET may not tell (a value SET computes).
                rows.addAll(RowValues.completedBy(RowValues.returnedRows(returned), rows));
            }
            return rows;
        }

        /**
         * Adds, per bind set, the rows read that its WHERE names, as its SET leaves them; a set whose rows were not
         * read (it changed none, or its WHERE cannot be told) adds its own values, which name what they can.
         */
        private void batchRows(Query statement, QOM.@Nullable Update<?> update, List<Map<String, Object>> rows) {
            Condition where = update != null ? update.$where()
                    : statement instanceof QOM.Delete ? ((QOM.Delete<?>) statement).$where() : null;
            for (RowValues.Binds set : sets) {
                List<Map<String, Object>> named = where == null ? null : RowValues.whereRows(where, table, set);
                List<Map<String, Object>> completed = named == null ? null : RowValues.completedBy(named, before);
                if (completed == null || completed.equals(named)) {
                    rows.addAll(RowValues.of(statement, table, null, set));
                } else if (update != null) {
                    for (Map<String, Object> row : completed) {
                        rows.add(RowValues.afterUpdate(row, update, set));
                    }
                }
            }
        }
    }
}
