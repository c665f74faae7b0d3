package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import org.jooq.exception.DataAccessException;
import org.jspecify.annotations.Nullable;

/**
 * Writes the database makes itself: the child rows an {@code ON DELETE CASCADE}, {@code SET NULL} or
 * {@code SET DEFAULT} (or the same {@code ON UPDATE} rules of a referenced key) changes when a statement deletes or
 * updates their parent, and the tables a {@code TRUNCATE ... CASCADE} empties with it (PostgreSQL: every table that
 * references it, whatever its foreign key's actions). No listener sees them, so a write of the parent also produces
 * the keys of every tracked child table ({@link Dependency#anyRow} and its table key), grandchildren and further
 * included.
 *
 * <p>The rules come from the JDBC metadata ({@link DatabaseMetaData#getExportedKeys}), read once per parent table on
 * the writer's connection and kept (at most {@value #MAX_TABLES} tables; beyond, the cache starts over). Inside a
 * transaction the read runs in a savepoint ({@link ReadGuard#once}): on PostgreSQL a failed catalog query would
 * otherwise abort the writer's transaction. jOOQ 3.19's generated {@code ForeignKey} does not tell its delete or
 * update rule, so generated code is no shortcut.
 */
final class ForeignKeys {

    private static final System.Logger LOG = Log.LOGGER;

    static final int MAX_TABLES = 1_000;

    /** How a parent's write changes the tables that reference it. */
    private enum Change {
        /** Its rows are deleted: each foreign key's ON DELETE action. */
        DELETE,
        /** Its referenced columns are updated: each foreign key's ON UPDATE action. */
        UPDATE,
        /** It is emptied by {@code TRUNCATE ... CASCADE}: every referencing table is emptied too. */
        EMPTY
    }

    /** The foreign keys referencing a parent, and whether one of them has an action that changes its child. */
    private record References(List<Edge> edges, boolean act) {
    }

    /** A parent whose metadata could not be read: its writes may change any tracked table. */
    private static final References UNKNOWN = new References(List.of(), true);

    /** Parent table (lower case) to the foreign keys referencing it. */
    private final Map<String, References> children = new ConcurrentHashMap<>();
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * Whether a write of {@code table} may change other tables through referential actions: false, after the first
     * write, for a table nothing references with such an action (most), at the cost of a map lookup.
     */
    boolean mayChange(Connection connection, String table) {
        return references(connection, table).act;
    }

    /**
     * Adds the keys of the tracked tables a write of {@code table} may change through the database's referential
     * actions.
     *
     * @param delete  whether the write deletes rows (DELETE, TRUNCATE, a MERGE's delete)
     * @param update  whether it updates rows
     * @param columns the columns the update sets, lower case; null if unknown (then any referenced key may change)
     * @param tracked whether some tracked read touched a table (lower case)
     * @param all     the tracked tables, lower case: what a write of a parent whose metadata failed produces
     */
    void keys(Connection connection, String table, boolean delete, boolean update, @Nullable Set<String> columns,
            Predicate<String> tracked, Collection<String> all, Collection<String> into) {
        Set<String> seen = new HashSet<>();
        if (delete) {
            follow(connection, table, Change.DELETE, null, tracked, all, into, seen);
        }
        if (update) {
            follow(connection, table, Change.UPDATE, columns, tracked, all, into, seen);
        }
    }

    /**
     * Adds the keys of the tracked tables a {@code TRUNCATE ... CASCADE} of {@code table} empties with it: every table
     * that references it, and every table that references those, whatever their foreign keys' actions.
     */
    void emptiedKeys(Connection connection, String table, Predicate<String> tracked, Collection<String> all,
            Collection<String> into) {
        follow(connection, table, Change.EMPTY, null, tracked, all, into, new HashSet<>());
    }

    private void follow(Connection connection, String table, Change change, @Nullable Set<String> columns,
            Predicate<String> tracked, Collection<String> all, Collection<String> into, Set<String> seen) {
        // A cycle (a table referencing itself, or two referencing each other) is followed once per kind of change.
        if (!seen.add(change + ":" + table + (columns == null ? "" : columns.toString()))) {
            return;
        }
        References references = references(connection, table);
        // Identity: the marker of a failed read, never the value of a table nothing references.
        if (references == UNKNOWN) {
            for (String t : all) {
                into.add(Dependency.anyRow(t).target());
                into.add(Dependency.table(t).target());
            }
            return;
        }
        for (Edge e : references.edges) {
            Change childChange = childChange(change, columns, e);
            if (childChange == null) {
                continue;
            }
            if (tracked.test(e.child)) {
                into.add(Dependency.anyRow(e.child).target());
                into.add(Dependency.table(e.child).target());
            }
            follow(connection, e.child, childChange, childChange == Change.UPDATE ? Set.of(e.childColumn) : null,
                    tracked, all, into, seen);
        }
    }

    /**
     * What the parent's change does to the child of {@code e}: emptied with an emptied parent, whatever the action;
     * when the parent's rows are deleted or their {@code columns} updated, a cascaded delete deletes the child's rows
     * and any other action updates its referencing column; null if it leaves the child as it is.
     */
    private static @Nullable Change childChange(Change change, @Nullable Set<String> columns, Edge e) {
        if (change == Change.EMPTY) {
            return Change.EMPTY;
        }
        int rule = change == Change.DELETE ? e.deleteRule : e.updateRule;
        if (!changes(rule) || change == Change.UPDATE && columns != null && !columns.contains(e.parentColumn)) {
            return null;
        }
        return change == Change.DELETE && rule == DatabaseMetaData.importedKeyCascade ? Change.DELETE : Change.UPDATE;
    }

    private static boolean changes(int rule) {
        return rule == DatabaseMetaData.importedKeyCascade || rule == DatabaseMetaData.importedKeySetNull
                || rule == DatabaseMetaData.importedKeySetDefault;
    }

    private References references(Connection connection, String table) {
        String key = lower(table);
        References known = children.get(key);
        if (known != null) {
            return known;
        }
        References read;
        try {
            // In a savepoint where auto-commit is off: on PostgreSQL a failed read would abort the writer's transaction.
            read = ReadGuard.once(connection, () -> {
                try {
                    return read(connection.getMetaData(), table);
                } catch (SQLException e) {
                    throw new DataAccessException("reading the foreign keys from the JDBC metadata failed", e);
                }
            });
        } catch (RuntimeException e) {
            if (warned.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Roan could not read the foreign keys referencing "
                        + PurgePaths.printable(table) + " from the JDBC metadata, so it cannot tell which tracked"
                        + " tables the database's ON DELETE/ON UPDATE actions change: writes of such a table purge"
                        + " every tracked table's pages instead (logged once).", e);
            }
            read = UNKNOWN;
        }
        if (children.size() >= MAX_TABLES) {
            children.clear();
        }
        children.put(key, read);
        return read;
    }

    /**
     * The metadata stores names as the database folds them (H2 in upper case, PostgreSQL in lower case), while the
     * table Roan knows is named as the statement spelt it: tried as is, then folded both ways.
     */
    private static References read(DatabaseMetaData metaData, String table) throws SQLException {
        List<Edge> edges = new ArrayList<>();
        boolean act = false;
        Set<String> names = new java.util.LinkedHashSet<>(
                List.of(table, table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT)));
        for (String name : names) {
            try (ResultSet rs = metaData.getExportedKeys(null, null, name)) {
                while (rs.next()) {
                    int deleteRule = rs.getInt("DELETE_RULE");
                    int updateRule = rs.getInt("UPDATE_RULE");
                    act |= changes(deleteRule) || changes(updateRule);
                    edges.add(new Edge(lower(rs.getString("FKTABLE_NAME")), lower(rs.getString("PKCOLUMN_NAME")),
                            lower(rs.getString("FKCOLUMN_NAME")), deleteRule, updateRule));
                }
            }
            if (!edges.isEmpty()) {
                break;
            }
        }
        return new References(List.copyOf(edges), act);
    }

    private static String lower(@Nullable String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    /** One column pair of a foreign key of {@code child} referencing the parent. */
    private record Edge(String child, String parentColumn, String childColumn, int deleteRule, int updateRule) {
    }
}
