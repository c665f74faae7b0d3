package dev.roan.jooq;

import java.util.ArrayList;
import java.util.List;

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

    Rule(PathTemplate template, int maxPathLength) {
        this.template = template;
        this.maxPathLength = maxPathLength;
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
