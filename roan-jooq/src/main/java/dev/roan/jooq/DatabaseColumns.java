package dev.roan.jooq;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The columns of a table as the database's JDBC metadata tells them, for checking the placeholders of a rule
 * on a table jOOQ knows no columns of ({@code DSL.table("post")}). Read once per such rule, at the table's
 * first write, on that statement's connection (in its transaction, if any: a read of the catalog, which the
 * tests run inside a PostgreSQL transaction too).
 */
final class DatabaseColumns {

    private DatabaseColumns() {}

    /**
     * Adds the columns of {@code table} (its last name part, as written, upper or lower case: databases fold
     * unquoted names either way) to {@code columns}, each with whether it is binary. Adds nothing when the
     * metadata cannot be read or names no such table.
     */
    static void read(@Nullable Connection connection, String table, Map<String, Boolean> columns) {
        if (connection == null) {
            return;
        }
        Set<String> spellings = spellings(unquoted(table));
        try {
            DatabaseMetaData meta = connection.getMetaData();
            String escape = meta.getSearchStringEscape();
            // The connection's database only: MySQL would otherwise search every database on the server.
            String catalog = connection.getCatalog();
            for (String spelling : spellings) {
                try (ResultSet rs = meta.getColumns(catalog, null, pattern(spelling, escape), "%")) {
                    while (rs.next()) {
                        columns.merge(rs.getString("COLUMN_NAME"), isBinary(rs.getInt("DATA_TYPE")), (a, b) -> a && b);
                    }
                }
                if (!columns.isEmpty()) {
                    return;
                }
            }
        } catch (SQLException | RuntimeException e) {
            // No metadata: the placeholders stay unchecked, and statements still fill what they name.
        }
    }

    /**
     * The spellings under which the JDBC metadata may store a table's name: as written, then upper and lower case
     * (databases fold unquoted names either way: H2 up, PostgreSQL down).
     */
    static Set<String> spellings(String name) {
        Set<String> spellings = new LinkedHashSet<>();
        spellings.add(name);
        spellings.add(name.toUpperCase(Locale.ROOT));
        spellings.add(name.toLowerCase(Locale.ROOT));
        return spellings;
    }

    /**
     * A name as a metadata search pattern that matches only itself: {@code _} and {@code %} are wildcards there, so
     * {@code post_tags} would also match {@code postXtags}.
     */
    static String pattern(String name, @Nullable String escape) {
        return escape == null || escape.isEmpty() ? name
                : name.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
    }

    /** {@code "public"."post"} or {@code public.post} to {@code post}. */
    private static String unquoted(String table) {
        String last = table;
        int dot = table.lastIndexOf('.');
        if (dot >= 0 && dot + 1 < table.length()) {
            last = table.substring(dot + 1);
        }
        if (last.length() >= 2 && "\"`[".indexOf(last.charAt(0)) >= 0) {
            last = last.substring(1, last.length() - 1);
        }
        return last;
    }

    private static boolean isBinary(int type) {
        return type == Types.BINARY || type == Types.VARBINARY || type == Types.LONGVARBINARY || type == Types.BLOB;
    }
}
