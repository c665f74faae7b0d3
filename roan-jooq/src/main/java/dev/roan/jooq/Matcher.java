package dev.roan.jooq;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jooq.Record;
import org.jooq.impl.QOM;
import org.jspecify.annotations.Nullable;

/**
 * Match: the rules turn the row writes a statement made ({@link WriteDetector}) into the paths it owes. A write of a
 * table with only static rules costs a lookup; the written rows are read only when a rule with placeholders asks.
 */
final class Matcher {

    private final Rules rules;

    Matcher(Rules rules) {
        this.rules = rules;
    }

    /** Whether some rule has placeholders: only then can a write need the rows of UpdatableRecords. */
    boolean anyTemplated() {
        return rules.anyTemplated();
    }

    /**
     * Whether a write recorded here touched a table of a rule with placeholders, whose rows
     * {@code UpdatableRecord}s may know better than the statement.
     */
    boolean needsRows(List<WriteDetector.Written> written) {
        for (WriteDetector.Written w : written) {
            if (rules.needsRows(w.table)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Matches writes against the rules: any statement but a batch of one statement with bind sets.
     *
     * @param returned the statement's RETURNING result or generated keys, if any
     * @param records  the UpdatableRecords the statement wrote, if any
     */
    Purges match(List<WriteDetector.Written> written, @Nullable List<? extends Record> returned, RecordWrites records) {
        // Apart from the batch form below, which its lambda's extra capture would bring onto every write's path:
        // with one method for both, some runs allocated 56 more bytes per matched write (H2, steady state).
        Purges purges = new Purges();
        for (WriteDetector.Written w : written) {
            purges.insert(w.statement instanceof QOM.Insert);
            rules.match(w.table, w.kinds, new RowsOnce(w, returned, records, null), purges);
        }
        return purges;
    }

    /**
     * Matches the writes of a batch of one statement with several bind sets against the rules.
     *
     * @param sets the bind sets, which name the batch's rows (never its member's own values)
     */
    Purges match(List<WriteDetector.Written> written, RecordWrites records, BatchBinds.BoundSets sets) {
        Purges purges = new Purges();
        for (WriteDetector.Written w : written) {
            purges.insert(w.statement instanceof QOM.Insert);
            rules.match(w.table, w.kinds, new RowsOnce(w, null, records, sets), purges);
        }
        return purges;
    }

    /** The rows of a write, read when the first templated rule asks and shared by the others. */
    private static final class RowsOnce implements Supplier<List<Map<String, Object>>> {
        private final WriteDetector.Written written;
        private final @Nullable List<? extends Record> returned;
        private final RecordWrites records;
        private final BatchBinds.@Nullable BoundSets sets;
        private @Nullable List<Map<String, Object>> rows;

        RowsOnce(WriteDetector.Written written, @Nullable List<? extends Record> returned, RecordWrites records,
                BatchBinds.@Nullable BoundSets sets) {
            this.written = written;
            this.returned = returned;
            this.records = records;
            this.sets = sets;
        }

        @Override
        public List<Map<String, Object>> get() {
            if (rows == null) {
                rows = written.rows(returned, records, sets);
            }
            return rows;
        }
    }

}
