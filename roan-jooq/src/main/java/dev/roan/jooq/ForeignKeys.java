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

import org.jspecify.annotations.Nullable;

/**
 * Writes the database makes itself: the child rows an {@code ON DELETE CASCADE}, {@code SET NULL} or
 * {@code SET DEFAULT} (or the same {@code ON UPDATE} rules of a referenced key) changes when a statement deletes or
 * updates their parent. No listener sees them, so a write of the parent also produces the keys of every tracked child
 * table ({@link Dependency#anyRow} and its table key), grandchildren and further included.
 *
 * <p>The rules come from the JDBC metadata ({@link DatabaseMetaData#getExportedKeys}), read once per parent table on
 * the writer's connection and kept (at most {@value #MAX_TABLES} tables; beyond, the cache starts over). jOOQ 3.19's
 * generated {@code ForeignKey} does not tell its delete or update rule, so generated code is no shortcut.
 */
final class ForeignKeys {

    private static final System.Logger LOG = Log.LOGGER;

    static final int MAX_TABLES = 1_000;

    /** A parent whose metadata could not be read: its writes may change any tracked table. */
    private static final List<Edge> UNKNOWN = java.util.Collections.unmodifiableList(new ArrayList<>());

    /** Parent table (lower case) to the foreign keys referencing it with a rule that changes the child. */
    private final Map<String, List<Edge>> children = new ConcurrentHashMap<>();
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * Whether a write of {@code table} may change other tables through referential actions: false, after the first
     * write, for a table nothing references with such an action (most), at the cost of a map lookup.
     */
    boolean mayChange(Connection connection, String table) {
        List<Edge> edges = edges(connection, table);
        return edges == UNKNOWN || !edges.isEmpty();
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
            follow(connection, table, true, null, tracked, all, into, seen);
        }
        if (update) {
            follow(connection, table, false, columns, tracked, all, into, seen);
        }
    }

    private void follow(Connection connection, String table, boolean delete, @Nullable Set<String> columns,
            Predicate<String> tracked, Collection<String> all, Collection<String> into, Set<String> seen) {
        // A cycle (a table referencing itself, or two referencing each other) is followed once per kind of change.
        if (!seen.add((delete ? "d:" : "u:") + table + (columns == null ? "" : columns.toString()))) {
            return;
        }
        List<Edge> edges = edges(connection, table);
        // Identity: the marker of a failed read, never the empty list of a table nothing references.
        if (edges == UNKNOWN) {
            for (String t : all) {
                into.add(Dependency.anyRow(t).target());
                into.add(Dependency.table(t).target());
            }
            return;
        }
        for (Edge e : edges) {
            int rule = delete ? e.deleteRule : e.updateRule;
            if (!changes(rule) || !delete && columns != null && !columns.contains(e.parentColumn)) {
                continue;
            }
            if (tracked.test(e.child)) {
                into.add(Dependency.anyRow(e.child).target());
                into.add(Dependency.table(e.child).target());
            }
            // A cascaded delete deletes the child's rows; any other action updates its referencing column.
            boolean childDeleted = delete && rule == DatabaseMetaData.importedKeyCascade;
            follow(connection, e.child, childDeleted, childDeleted ? null : Set.of(e.childColumn), tracked, all, into,
                    seen);
        }
    }

    private static boolean changes(int rule) {
        return rule == DatabaseMetaData.importedKeyCascade || rule == DatabaseMetaData.importedKeySetNull
                || rule == DatabaseMetaData.importedKeySetDefault;
    }

    private List<Edge> edges(Connection connection, String table) {
        String key = lower(table);
        List<Edge> known = children.get(key);
        if (known != null) {
            return known;
        }
        List<Edge> read;
        try {
            read = read(connection.getMetaData(), table);
        } catch (SQLException | RuntimeException e) {
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
    private static List<Edge> read(DatabaseMetaData metaData, String table) throws SQLException {
        List<Edge> edges = new ArrayList<>();
        Set<String> names = new java.util.LinkedHashSet<>(
                List.of(table, table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT)));
        for (String name : names) {
            try (ResultSet rs = metaData.getExportedKeys(null, null, name)) {
                while (rs.next()) {
                    int deleteRule = rs.getInt("DELETE_RULE");
                    int updateRule = rs.getInt("UPDATE_RULE");
                    if (changes(deleteRule) || changes(updateRule)) {
                        edges.add(new Edge(lower(rs.getString("FKTABLE_NAME")), lower(rs.getString("PKCOLUMN_NAME")),
                                lower(rs.getString("FKCOLUMN_NAME")), deleteRule, updateRule));
                    }
                }
            }
            if (!edges.isEmpty()) {
                break;
            }
        }
        return edges.isEmpty() ? List.of() : List.copyOf(edges);
    }

    private static String lower(@Nullable String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    /** One column pair of a foreign key of {@code child} referencing the parent. */
    private record Edge(String child, String parentColumn, String childColumn, int deleteRule, int updateRule) {
    }
}
