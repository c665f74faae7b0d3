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

    private @Nullable Set<String> paths;
    private @Nullable Set<String> unknownRows;

    void add(String path) {
        if (paths == null) {
            paths = new LinkedHashSet<>();
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
        return paths == null;
    }

    Set<String> paths() {
        return paths == null ? Set.of() : paths;
    }

    /** The patterns of templated rules some of whose rows were unknown. */
    Set<String> unknownRows() {
        return unknownRows == null ? Set.of() : unknownRows;
    }
}
