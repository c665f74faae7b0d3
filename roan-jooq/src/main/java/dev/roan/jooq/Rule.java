package dev.roan.jooq;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * A rule as the registry and matching see it: the path template, the fallback paths and how long a filled path may
 * be. {@link PurgeRule} is the public handle over it; the tables a rule is bound to live in {@link Rules}.
 */
final class Rule {

    private final PathTemplate template;
    /** The longest filled path a purge request can carry to every cache node. */
    private final int maxPathLength;
    private volatile List<String> fallbacks = List.of();
    /** Whether an UPDATE or DELETE whose text cannot fill this rule reads the rows first; see {@link RowsBefore}. */
    private volatile boolean readsRows = true;

    /** For a rule of tracked reads ({@link Rules#track}): the table whose keys its writes produce; else null. */
    private final @Nullable String trackedTable;
    /** For a rule of tracked reads on a pinned column: the column whose values become row keys; else null. */
    private final @Nullable String trackedColumn;
    private final String target;
    private final Set<String> targetAlone;

    Rule(PathTemplate template, int maxPathLength) {
        this(template, maxPathLength, null, null);
    }

    private Rule(PathTemplate template, int maxPathLength, @Nullable String trackedTable,
            @Nullable String trackedColumn) {
        this.template = template;
        this.maxPathLength = maxPathLength;
        this.trackedTable = trackedTable;
        this.trackedColumn = trackedColumn;
        this.target = trackedTable == null ? template.pattern() : Dependency.table(trackedTable).target();
        this.targetAlone = Set.of(target);
    }

    /**
     * The internal rule through which every write of a table some tracked page read gives the table's key (with
     * {@code column} null), or the row keys of the column's old and new values.
     */
    static Rule tracked(String table, @Nullable String column) {
        return new Rule(PathTemplate.parse(column == null ? "/" : "/{" + column + "}"), Integer.MAX_VALUE, table,
                column);
    }

    /** The table of a rule of tracked reads, or null for a user's rule. */
    @Nullable
    String trackedTable() {
        return trackedTable;
    }

    /** The pinned column of a rule of tracked reads, or null. */
    @Nullable
    String trackedColumn() {
        return trackedColumn;
    }

    /** What a matched static rule owes: its path, or for a rule of tracked reads its table's key. */
    String target() {
        return target;
    }

    /** {@link #target()} alone, for a statement that owes nothing else (most do): built once, not per statement. */
    Set<String> targetAlone() {
        return targetAlone;
    }

    /** The path as registered (normalised), placeholders included. */
    String path() {
        return template.pattern();
    }

    PathTemplate template() {
        return template;
    }

    int maxPathLength() {
        return maxPathLength;
    }

    List<String> fallbacks() {
        return fallbacks;
    }

    /** Checks and replaces the fallback paths; see {@link PurgeRule#whenRowsUnknown(String...)}. */
    void fallbacks(String... paths) {
        if (paths == null || paths.length == 0) {
            throw new IllegalArgumentException("whenRowsUnknown() of \"" + path() + "\" needs at least one path, such as"
                    + " whenRowsUnknown(\"/posts\")");
        }
        List<String> normalized = new ArrayList<>();
        for (String path : paths) {
            PathTemplate fallback = PathTemplate.parse(path);
            if (!fallback.isStatic()) {
                throw new IllegalArgumentException("whenRowsUnknown() of \"" + path() + "\" got \"" + fallback.pattern()
                        + "\", which has placeholders: a fallback applies when the values are unknown, so give a fixed"
                        + " path such as \"/posts\"");
            }
            // The purge URLs' longest path is the limit less the room this rule has.
            PurgePaths.checkLength(PurgePaths.MAX_REQUEST_TARGET - maxPathLength + fallback.pattern().length(), path);
            normalized.add(fallback.pattern());
        }
        this.fallbacks = List.copyOf(normalized);
    }

    boolean readsRows() {
        return readsRows;
    }

    /** See {@link PurgeRule#withoutReadingRows()}. */
    void withoutReadingRows() {
        this.readsRows = false;
    }

    @Override
    public String toString() {
        return path();
    }
}
