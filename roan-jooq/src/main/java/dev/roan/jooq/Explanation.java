package dev.roan.jooq;

import java.util.List;
import java.util.Set;

/**
 * What a query would purge, from {@link Roan#explain(org.jooq.Query)}.
 *
 * @since 0.1.0
 */
public final class Explanation {

    private final Set<String> paths;
    private final Set<String> rowsUnknown;
    private final List<String> relatedReads;

    Explanation(Set<String> paths, Set<String> rowsUnknown, List<String> relatedReads) {
        this.paths = Set.copyOf(paths);
        this.rowsUnknown = Set.copyOf(rowsUnknown);
        this.relatedReads = List.copyOf(relatedReads);
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

    /**
     * Returns the reads of related rows the query would cause, one per rule with
     * {@link PurgeRule#via(org.jooq.Field, org.jooq.Field) via} whose {@code from} values the query tells, each as the
     * rule's path, a colon and the SQL with those values inlined (the steps of a chain nested into one query). The
     * pages such a read finds are not in {@link #paths()}: only running the write can tell them.
     *
     * <pre>{@code
     * roan.explain(dsl.insertInto(VISITS, VISITS.PET_ID, VISITS.DESCRIPTION).values(7, "rabies shot")).relatedReads()
     * // ["/owners/{owner_id}: select distinct PETS.OWNER_ID from PETS where PETS.ID in (7)"]
     * }</pre>
     *
     * @return the reads, in the order of the rules
     * @since 0.1.0
     */
    public List<String> relatedReads() {
        return relatedReads;
    }

    @Override
    public String toString() {
        return "Explanation[paths=" + paths + (rowsUnknown.isEmpty() ? "" : ", rowsUnknown=" + rowsUnknown)
                + (relatedReads.isEmpty() ? "" : ", relatedReads=" + relatedReads) + "]";
    }
}
