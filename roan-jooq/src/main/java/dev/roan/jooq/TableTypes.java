package dev.roan.jooq;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jooq.Table;
import org.jooq.TableOptions;
import org.jspecify.annotations.Nullable;

/**
 * Whether a name a tracked read reads is a base table, which writes name too, or a view (or a name the database does
 * not list), which no write names: a write of {@code post} says nothing of a view over it. Generated tables say so
 * themselves; other names are looked up once in the database's JDBC metadata, on the reading statement's connection
 * before it executes, and remembered (bounded).
 */
final class TableTypes {

    /** Names remembered at most; beyond, the memory starts over (as the per-SQL caches of {@link ReadAnalysis} do). */
    static final int MAX_CACHED = 10_000;

    enum Type {
        /** A table writes name. */
        BASE,
        /** A view, a materialized view, a synonym: writes name other tables. */
        VIEW,
        /** No table or view of that name in the connection's database. */
        UNKNOWN
    }

    private final Map<String, Type> known = new ConcurrentHashMap<>();

    /**
     * The type of a table a read names; {@link Type#BASE} for a name when there is no connection to ask, null when
     * the metadata cannot be read (not remembered).
     */
    @Nullable
    Type of(Table<?> table, @Nullable Connection connection) {
        Table<?> t = Tables.unaliased(table);
        if (Tables.isGenerated(t)) {
            TableOptions.TableType type = t.getOptions().type();
            if (type == TableOptions.TableType.VIEW || type == TableOptions.TableType.MATERIALIZED_VIEW) {
                return Type.VIEW;
            }
            if (type == TableOptions.TableType.TABLE || type == TableOptions.TableType.TEMPORARY) {
                return Type.BASE;
            }
        }
        return of(t.getName(), connection);
    }

    /** The type of a table named so, as the connection's metadata tells it; see {@link #of(Table, Connection)}. */
    @Nullable
    Type of(String name, @Nullable Connection connection) {
        if (connection == null) {
            return Type.BASE;
        }
        Type cached = known.get(name);
        if (cached != null) {
            return cached;
        }
        Type type = lookUp(name, connection);
        if (type != null) {
            if (known.size() >= MAX_CACHED) {
                known.clear();
            }
            known.put(name, type);
        }
        return type;
    }

    @Nullable
    private static Type lookUp(String name, Connection connection) {
        Set<String> spellings = DatabaseColumns.spellings(name);
        try {
            DatabaseMetaData meta = connection.getMetaData();
            String escape = meta.getSearchStringEscape();
            // The connection's database only: MySQL would otherwise search every database on the server.
            String catalog = connection.getCatalog();
            for (String spelling : spellings) {
                Type found = null;
                try (ResultSet rs = meta.getTables(catalog, null, DatabaseColumns.pattern(spelling, escape), null)) {
                    while (rs.next()) {
                        if (!spelling.equals(rs.getString("TABLE_NAME"))) {
                            continue;
                        }
                        String type = String.valueOf(rs.getString("TABLE_TYPE")).toUpperCase(Locale.ROOT);
                        // Any schema's view of that name could be the one read: when in doubt, a view.
                        found = type.contains("VIEW") || type.equals("SYNONYM") || type.equals("ALIAS") ? Type.VIEW
                                : found == null ? Type.BASE : found;
                    }
                }
                if (found != null) {
                    return found;
                }
            }
            return Type.UNKNOWN;
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }
}
