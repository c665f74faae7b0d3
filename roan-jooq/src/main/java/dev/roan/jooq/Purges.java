package dev.roan.jooq;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The purges one statement owes, gathered while matching its writes against the rules: the paths, and
 * the rules whose rows could not be known from the statement.
 */
final class Purges {

    /** The first path; most statements owe exactly one, which then costs no set. */
    private @Nullable String first;
    /** All paths, in order, once there are two or more. */
    private @Nullable Set<String> paths;
    private @Nullable Set<String> unknownRows;

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

    /** Fills a rule's template from the written rows; a row that cannot fill it triggers the fallback. */
    void addRows(PurgeRule rule, Supplier<List<Map<String, Object>>> rows) {
        PathTemplate template = rule.template();
        boolean unknown = false;
        for (Map<String, Object> row : rows.get()) {
            String path = template.render(row);
            if (path == null) {
                unknown = true;
            } else {
                add(path);
            }
        }
        if (unknown) {
            if (unknownRows == null) {
                unknownRows = new LinkedHashSet<>();
            }
            unknownRows.add(template.pattern());
            for (String fallback : rule.fallbacks()) {
                add(fallback);
            }
        }
    }

    boolean isEmpty() {
        return first == null;
    }

    Set<String> paths() {
        if (paths != null) {
            return paths;
        }
        return first == null ? Set.of() : Set.of(first);
    }

    /** The patterns of templated rules some of whose rows were unknown. */
    Set<String> unknownRows() {
        return unknownRows == null ? Set.of() : unknownRows;
    }
}
