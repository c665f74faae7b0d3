package dev.roan.jooq;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The purges one statement owes, gathered while matching its writes against the rules: the paths, and
 * for the rules with placeholders, the rows that could not fill them and why.
 */
final class Purges {

    /** The key of the unknown row that stands for rows whose related read failed (already logged where it failed). */
    static final String RELATED_READ_FAILED = "\u0000related read failed";

    /** The first path; most statements owe exactly one, which then costs no set. */
    private @Nullable String first;
    /** All paths, in order, once there are two or more. */
    private @Nullable Set<String> paths;
    /** Rules some of whose rows could not fill their path, in order. */
    private @Nullable Map<Rule, Miss> misses;
    /** Whether the write being matched is an INSERT. */
    private boolean insert;

    /** {@link #first} alone, when the rule that owed it had it built already. */
    private @Nullable Set<String> firstAlone;

    /** Adds a static rule's target, whose set of one path {@link #paths()} returns if nothing else is owed. */
    void add(Rule rule) {
        if (first == null) {
            first = rule.target();
            firstAlone = rule.targetAlone();
            return;
        }
        add(rule.target());
    }

    void add(String path) {
        if (first == null) {
            first = path;
            return;
        }
        if (paths == null) {
            if (first.equals(path)) {
                return;
            }
            paths = new LinkedHashSet<>();
            paths.add(first);
        }
        paths.add(path);
    }

    /**
     * Empties this for the next statement on the thread. The set {@link #paths()} returned is not touched: the
     * statement's transaction may hold it.
     */
    void reset() {
        first = null;
        firstAlone = null;
        paths = null;
        misses = null;
        insert = false;
    }

    /** Tells whether the writes matched next come from an INSERT, for the hint of a warning. */
    void insert(boolean insert) {
        this.insert = insert;
    }

    /**
     * Fills a rule's template from the written rows. A row whose key is SQL NULL has no page; a row whose
     * values are unknown, bytes, or too long for a purge request triggers the fallback.
     */
    void addRows(Filling binding, Supplier<List<Map<String, Object>>> rows) {
        Rule rule = binding.rule();
        if (rule.trackedColumn() != null) {
            addKeys(rule.trackedTable(), rule.trackedColumn(), rows.get());
            return;
        }
        PathTemplate template = rule.template();
        int maxLength = rule.maxPathLength();
        Miss miss = null;
        int filled = 0;
        for (Map<String, Object> row : rows.get()) {
            String path = template.render(row);
            if (path != null && path.length() <= maxLength) {
                add(path);
                filled++;
                continue;
            }
            if (miss == null) {
                miss = miss(rule);
            }
            if (path != null) {
                miss.tooLong = Math.max(miss.tooLong, path.length());
                continue;
            }
            switch (template.missing(row)) {
                case UNKNOWN:
                    miss.unknown++;
                    if (row.containsKey(RELATED_READ_FAILED)) {
                        // Logged where the read failed; the statement's text is not to blame.
                        miss.readFailed++;
                        break;
                    }
                    miss.insert |= insert;
                    miss.placeholders.addAll(binding.unknownIn(row));
                    break;
                case BINARY:
                    miss.binary++;
                    break;
                default:
                    miss.nullKeys++;
                    break;
            }
        }
        if (miss == null) {
            return;
        }
        miss.filled += filled;
        if (miss.fallsBack()) {
            for (String fallback : rule.fallbacks()) {
                add(fallback);
            }
        }
    }

    /**
     * The row keys of a tracked column for the written rows (old and new values alike): a value Roan cannot tell, or
     * of a type no read pins, gives the table's {@link Dependency#anyRow}, which every page with a row key of the table
     * depends on. A row whose value is SQL NULL matches no {@code =}, so it gives none.
     */
    private void addKeys(String table, String column, List<Map<String, Object>> rows) {
        for (Map<String, Object> row : rows) {
            Object value = row.get(column);
            if (value == RowValues.NULL) {
                continue;
            }
            String s = value == null ? null : KeyValues.valueString(value);
            add(s == null ? Dependency.anyRow(table).target() : Dependency.row(table, column, s).target());
        }
    }

    private Miss miss(Rule rule) {
        if (misses == null) {
            misses = new LinkedHashMap<>();
        }
        return misses.computeIfAbsent(rule, Miss::new);
    }

    boolean isEmpty() {
        return first == null;
    }

    Set<String> paths() {
        if (paths != null) {
            return paths;
        }
        if (firstAlone != null) {
            return firstAlone;
        }
        return first == null ? Set.of() : Set.of(first);
    }

    /** The patterns of templated rules some of whose rows could not fill them, so that they fell back. */
    Set<String> unknownRows() {
        if (misses == null) {
            return Set.of();
        }
        Set<String> patterns = new LinkedHashSet<>();
        for (Miss miss : misses.values()) {
            if (miss.fallsBack()) {
                patterns.add(miss.rule.path());
            }
        }
        return patterns;
    }

    /** The rules some of whose rows could not fill them, with why. */
    Collection<Miss> misses() {
        return misses == null ? Set.of() : misses.values();
    }

    /** Why some rows of a write could not fill a rule's path. */
    static final class Miss {
        final Rule rule;
        /** The placeholders no row told the value of. */
        final Set<String> placeholders = new LinkedHashSet<>(2);
        /** Rows whose values were unknown. */
        int unknown;
        /** Of those, rows whose related rows could not be read (a {@code via} rule's read failed). */
        int readFailed;
        /** Whether an INSERT left them unknown (a generated key or default, no RETURNING). */
        boolean insert;
        /** Rows with SQL NULL for a placeholder: no page exists for them. */
        int nullKeys;
        /** Rows with bytes for a placeholder. */
        int binary;
        /** The length of the longest path that was too long for a purge request, or 0. */
        int tooLong;
        /** The rows whose path was filled and purged. */
        int filled;

        Miss(Rule rule) {
            this.rule = rule;
        }

        /** Whether a page may have changed that no filled path names, so the fallback applies. */
        boolean fallsBack() {
            return unknown > 0 || binary > 0 || tooLong > 0;
        }
    }

    /** How a matched rule is filled from a row: the registry's binding of a rule to a table. */
    interface Filling {
        Rule rule();

        /** The placeholders (or the via's column) whose value {@code row} does not tell. */
        List<String> unknownIn(Map<String, ?> row);
    }
}
