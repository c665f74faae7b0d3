package dev.roan.jooq;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.impl.QOM;
import org.jspecify.annotations.Nullable;

/**
 * Match: the rules turn the row writes a statement made ({@link WriteDetector}) into the paths it owes. A write of a
 * table with only static rules costs a lookup; the written rows are read only when a rule with placeholders asks.
 */
final class Matcher {

    /** The rows of a write no rule with placeholders matches: never asked for. */
    private static final Supplier<List<Map<String, Object>>> NO_ROWS = List::of;

    private final Rules rules;

    Matcher(Rules rules) {
        this.rules = rules;
    }

    Rules rules() {
        return rules;
    }

    /**
     * Whether a write recorded here touched a table of a rule with placeholders, whose rows
     * {@code UpdatableRecord}s may know better than the statement.
     */
    boolean needsRows(List<WriteDetector.Written> written) {
        // Indexed, not for-each: every matched write passes here, and the iterator was not always scalar-replaced.
        for (int i = 0; i < written.size(); i++) {
            if (rules.needsRows(written.get(i).table)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a query would purge, for {@link Roan#explain}: its rows as its text tells them, and for a rule with
     * {@code via} the read it would run instead of the pages that read would find.
     */
    Explanation explain(List<WriteDetector.Written> written, SQLDialect dialect) {
        Purges purges = new Purges();
        List<String> reads = new ArrayList<>();
        for (WriteDetector.Written w : written) {
            purges.insert(w.statement instanceof QOM.Insert);
            rules.match(w.table, w.kinds, new WrittenRows(w, null, null, null),
                    RelatedRows.explain(w, dialect, reads), purges);
        }
        // The keys of tracked reads are no paths: a rule's explanation shows the rules' paths only.
        Set<String> paths = new LinkedHashSet<>();
        for (String target : purges.paths()) {
            if (!Dependency.isTarget(target)) {
                paths.add(target);
            }
        }
        return new Explanation(paths, purges.unknownRows(), reads);
    }

    /**
     * Matches writes against the rules: any statement but a batch of one statement with bind sets.
     *
     * @param returned the statement's RETURNING result or generated keys, if any
     * @param before   the rows read before the statement ran ({@link RowsBefore}), if any
     * @param related  the related rows read after it ({@link RelatedRows}), if any
     */
    Purges match(List<WriteDetector.Written> written, @Nullable List<? extends Record> returned,
            RowsBefore.@Nullable Read before, RelatedRows.@Nullable Read related) {
        return match(written, returned, before, related, new Purges());
    }

    /** As above, into {@code purges}, an empty one the caller reuses. */
    Purges match(List<WriteDetector.Written> written, @Nullable List<? extends Record> returned,
            RowsBefore.@Nullable Read before, RelatedRows.@Nullable Read related, Purges purges) {
        // Apart from the batch form below, which its lambda's extra capture would bring onto every write's path:
        // with one method for both, some runs allocated 56 more bytes per matched write (H2, steady state).
        for (int i = 0; i < written.size(); i++) {
            WriteDetector.Written w = written.get(i);
            purges.insert(w.statement instanceof QOM.Insert);
            // Only a rule with placeholders asks for the rows: a write of a table with static rules only needs none.
            Supplier<List<Map<String, Object>>> rows = rules.needsRows(w.table)
                    ? new WrittenRows(w, returned, null, before) : NO_ROWS;
            rules.match(w.table, w.kinds, rows, related == null ? null : related.of(w), purges);
        }
        return purges;
    }

    /**
     * Matches the writes of a batch of one statement with several bind sets against the rules.
     *
     * @param sets   the bind sets, which name the batch's rows (never its member's own values)
     * @param before the rows read by key before the batch ran ({@link RowsBefore}), if any
     */
    Purges match(List<WriteDetector.Written> written, BatchBinds.BoundSets sets, RowsBefore.@Nullable Read before,
            RelatedRows.@Nullable Read related) {
        Purges purges = new Purges();
        for (WriteDetector.Written w : written) {
            purges.insert(w.statement instanceof QOM.Insert);
            rules.match(w.table, w.kinds, new WrittenRows(w, null, sets, before),
                    related == null ? null : related.of(w), purges);
        }
        return purges;
    }
}
