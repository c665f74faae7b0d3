package dev.roan.jooq;

import java.util.Set;

/**
 * What a query would purge, from {@link Roan#explain(org.jooq.Query)}.
 *
 * @since 0.1.0
 */
public final class Explanation {

    private final Set<String> paths;
    private final Set<String> rowsUnknown;

    Explanation(Set<String> paths, Set<String> rowsUnknown) {
        this.paths = Set.copyOf(paths);
        this.rowsUnknown = Set.copyOf(rowsUnknown);
    }

    /**
     * Returns the paths the query would purge once committed, fallback paths included.
     *
     * @return the paths, percent-encoded as they would be sent
     */
    public Set<String> paths() {
        return paths;
    }

    /**
     * Returns the templated rules (such as {@code /posts/{id}}) the query matches but whose rows it does
     * not name, so that their placeholders cannot be filled; their fallbacks are in {@link #paths()}.
     *
     * @return the rules' paths, with placeholders
     */
    public Set<String> rowsUnknown() {
        return rowsUnknown;
    }

    @Override
    public String toString() {
        return "Explanation[paths=" + paths + (rowsUnknown.isEmpty() ? "" : ", rowsUnknown=" + rowsUnknown) + "]";
    }
}
