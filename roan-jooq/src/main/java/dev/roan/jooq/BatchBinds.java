package dev.roan.jooq;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.Param;
import org.jooq.Query;
import org.jooq.Table;
import org.jooq.tools.jdbc.DefaultPreparedStatement;
import org.jspecify.annotations.Nullable;

/**
 * The bind sets of a batch of one statement ({@code dsl.batch(query).bind(...).bind(...)}, the Loader API's
 * {@code batchAll()}, {@code batchStore()} of records that render the same SQL): jOOQ's batch member holds one
 * set of values (none, or the first row's), while the rows the batch wrote are in the sets bound to the JDBC
 * statement.
 *
 * <p>jOOQ keeps the sets inside its batch object, which no listener can reach, and binds them to
 * {@code ctx.statement()}. So for such a batch, when a rule with placeholders needs its rows, Roan wraps the
 * statement in {@code prepareEnd} (the public way: {@code ExecuteContext.statement(PreparedStatement)}) and
 * keeps every value set before each {@code addBatch()}. A set is mapped back to the member's parameters in
 * bind order; when that order cannot be told (a named parameter used twice, a value jOOQ inlined, a setter
 * Roan does not read), the rows are unknown and the rule falls back, as for any statement.
 */
final class BatchBinds {

    /** The key of the captured sets in {@code ExecuteContext.data()}; fully qualified, as the data map is shared. */
    private static final String KEY = BatchBinds.class.getName();
    /** A parameter that was bound through a setter Roan does not read (streams, LOBs): its value is unknown. */
    private static final Object UNREAD = new Object();

    private BatchBinds() {}

    /** Starts capturing the bind sets of a single-statement batch, whose statement has just been prepared. */
    static void capture(ExecuteContext ctx) {
        PreparedStatement statement = ctx.statement();
        if (statement == null) {
            return;
        }
        Capture capture = statement instanceof Capture ? (Capture) statement : new Capture(statement);
        capture.sets.clear();
        capture.current = null;
        ctx.statement(capture);
        ctx.data(KEY, capture);
    }

    /**
     * The sets captured for this execution of a single-statement batch; none if they were not captured (no rule
     * needed them when it was prepared), which makes its rows unknown rather than its member's.
     */
    static BoundSets of(ExecuteContext ctx) {
        Object capture = ctx.data(KEY);
        return new BoundSets(ctx.dsl(), capture instanceof Capture ? ((Capture) capture).sets : List.of());
    }

    /** The bind sets of one batch execution, turned into rows per written statement. */
    static final class BoundSets {
        private final DSLContext dsl;
        private final List<Object[]> sets;

        BoundSets(DSLContext dsl, List<Object[]> sets) {
            this.dsl = dsl;
            this.sets = sets;
        }

        /**
         * The partial rows {@code statement} wrote to {@code table} with each bind set, or null if the sets
         * cannot be mapped to its parameters.
         */
        @Nullable
        List<Map<String, Object>> rows(@Nullable Query statement, Table<?> table) {
            List<RowValues.Binds> binds = statement == null ? null : binds(statement);
            if (binds == null) {
                return null;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            for (RowValues.Binds set : binds) {
                rows.addAll(RowValues.of(statement, table, null, set));
            }
            return rows;
        }

        /**
         * The values of {@code statement}'s parameters in each bind set, or null if there are none or the sets cannot
         * be mapped to its parameters.
         */
        @Nullable
        List<RowValues.Binds> binds(Query statement) {
            if (sets.isEmpty()) {
                return null;
            }
            // extractParams visits the statement as binding does, in the order of the JDBC parameters. It names
            // unnamed parameters by their position and named ones by their name, so a name used twice collapses
            // and the count below no longer matches. A parameter bound twice is read at its first position.
            Map<Param<?>, Integer> positions = new IdentityHashMap<>();
            int count = 0;
            for (Param<?> p : dsl.extractParams(statement).values()) {
                if (!p.isInline()) {
                    positions.putIfAbsent(p, count++);
                }
            }
            Positions lookup = new Positions(dsl, positions);
            List<RowValues.Binds> binds = new ArrayList<>(sets.size());
            for (Object[] set : sets) {
                if (set.length != count) {
                    return null;
                }
                binds.add(RowValues.Binds.of(new RowValues.BoundValues() {
                    @Override
                    public boolean binds(Param<?> param) {
                        return lookup.of(param) >= 0;
                    }

                    @Override
                    public @Nullable Object value(Param<?> param) {
                        return typed(param, set[lookup.of(param)]);
                    }
                }));
            }
            return binds;
        }

        /** The value as the parameter's Java type, as a statement's own parameters hold it: JDBC has its own types. */
        @Nullable
        private static Object typed(Param<?> param, @Nullable Object jdbc) {
            if (jdbc == null) {
                return RowValues.NULL;
            }
            if (jdbc == UNREAD) {
                return null;
            }
            try {
                Object converted = param.getDataType().convert(jdbc);
                return converted != null ? converted : jdbc;
            } catch (RuntimeException e) {
                return jdbc;
            }
        }
    }

    /** The JDBC position of each parameter of a statement. */
    private static final class Positions {
        private final DSLContext dsl;
        private final Map<Param<?>, Integer> positions;
        /** Parameters that wrap a bound one, as jOOQ's parser wraps {@code ?} compared with a column to convert it. */
        private final Map<Param<?>, Integer> wrappers = new IdentityHashMap<>();

        Positions(DSLContext dsl, Map<Param<?>, Integer> positions) {
            this.dsl = dsl;
            this.positions = positions;
        }

        /** The position of the value bound to {@code param}, or -1 if none is. */
        int of(Param<?> param) {
            Integer position = positions.get(param);
            if (position == null) {
                // A wrapper binds the parameter it wraps: visiting it as binding does finds that one.
                position = wrappers.computeIfAbsent(param, p -> {
                    Collection<Param<?>> inside = dsl.extractParams(p).values();
                    Integer wrapped = inside.size() == 1 ? positions.get(inside.iterator().next()) : null;
                    return wrapped != null ? wrapped : -1;
                });
            }
            return position;
        }
    }

    /**
     * The prepared statement of the batch, which keeps what is bound to it. Everything else goes to jOOQ's
     * statement unchanged; only the values of the setters jOOQ's bindings use are read.
     */
    static final class Capture extends DefaultPreparedStatement {
        final List<Object[]> sets = new ArrayList<>();
        @Nullable Object[] current;

        Capture(PreparedStatement delegate) {
            super(delegate);
        }

        private void bound(int index, @Nullable Object value) {
            if (index < 1) {
                return;
            }
            Object[] values = current;
            if (values == null) {
                values = new Object[Math.max(index, sets.isEmpty() ? 0 : sets.get(0).length)];
                Arrays.fill(values, UNREAD);
            } else if (values.length < index) {
                int length = values.length;
                values = Arrays.copyOf(values, index);
                Arrays.fill(values, length, index, UNREAD);
            }
            values[index - 1] = value;
            current = values;
        }

        /** A set is complete when it is added to the batch (or executed alone, where a dialect cannot batch). */
        private void setDone() {
            if (current != null) {
                sets.add(current);
                current = null;
            }
        }

        @Override
        public void addBatch() throws SQLException {
            super.addBatch();
            setDone();
        }

        @Override
        public int executeUpdate() throws SQLException {
            setDone();
            return super.executeUpdate();
        }

        @Override
        public long executeLargeUpdate() throws SQLException {
            setDone();
            return super.executeLargeUpdate();
        }

        @Override
        public boolean execute() throws SQLException {
            setDone();
            return super.execute();
        }

        @Override
        public void clearParameters() throws SQLException {
            super.clearParameters();
            current = null;
        }

        @Override
        public void setNull(int parameterIndex, int sqlType) throws SQLException {
            super.setNull(parameterIndex, sqlType);
            bound(parameterIndex, null);
        }

        @Override
        public void setNull(int parameterIndex, int sqlType, String typeName) throws SQLException {
            super.setNull(parameterIndex, sqlType, typeName);
            bound(parameterIndex, null);
        }

        @Override
        public void setBoolean(int parameterIndex, boolean x) throws SQLException {
            super.setBoolean(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setByte(int parameterIndex, byte x) throws SQLException {
            super.setByte(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setShort(int parameterIndex, short x) throws SQLException {
            super.setShort(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setInt(int parameterIndex, int x) throws SQLException {
            super.setInt(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setLong(int parameterIndex, long x) throws SQLException {
            super.setLong(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setFloat(int parameterIndex, float x) throws SQLException {
            super.setFloat(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setDouble(int parameterIndex, double x) throws SQLException {
            super.setDouble(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setBigDecimal(int parameterIndex, BigDecimal x) throws SQLException {
            super.setBigDecimal(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setString(int parameterIndex, String x) throws SQLException {
            super.setString(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setNString(int parameterIndex, String value) throws SQLException {
            super.setNString(parameterIndex, value);
            bound(parameterIndex, value);
        }

        @Override
        public void setBytes(int parameterIndex, byte[] x) throws SQLException {
            super.setBytes(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setDate(int parameterIndex, Date x) throws SQLException {
            super.setDate(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setDate(int parameterIndex, Date x, Calendar cal) throws SQLException {
            super.setDate(parameterIndex, x, cal);
            bound(parameterIndex, UNREAD);
        }

        @Override
        public void setTime(int parameterIndex, Time x) throws SQLException {
            super.setTime(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setTime(int parameterIndex, Time x, Calendar cal) throws SQLException {
            super.setTime(parameterIndex, x, cal);
            bound(parameterIndex, UNREAD);
        }

        @Override
        public void setTimestamp(int parameterIndex, Timestamp x) throws SQLException {
            super.setTimestamp(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setTimestamp(int parameterIndex, Timestamp x, Calendar cal) throws SQLException {
            super.setTimestamp(parameterIndex, x, cal);
            bound(parameterIndex, UNREAD);
        }

        @Override
        public void setObject(int parameterIndex, Object x) throws SQLException {
            super.setObject(parameterIndex, x);
            bound(parameterIndex, x);
        }

        @Override
        public void setObject(int parameterIndex, Object x, int targetSqlType) throws SQLException {
            super.setObject(parameterIndex, x, targetSqlType);
            bound(parameterIndex, x);
        }

        @Override
        public void setObject(int parameterIndex, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
            super.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
            bound(parameterIndex, x);
        }

        @Override
        public void setObject(int parameterIndex, Object x, SQLType targetSqlType) throws SQLException {
            super.setObject(parameterIndex, x, targetSqlType);
            bound(parameterIndex, x);
        }

        @Override
        public void setObject(int parameterIndex, Object x, SQLType targetSqlType, int scaleOrLength)
                throws SQLException {
            super.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
            bound(parameterIndex, x);
        }
    }
}
