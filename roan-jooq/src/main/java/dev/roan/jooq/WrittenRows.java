package dev.roan.jooq;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jooq.Record;
import org.jspecify.annotations.Nullable;

/**
 * The rows of a write, read when the first rule with placeholders (or a related read) asks and shared by the
 * others: from the rows read before the statement ran where there are some, else from the statement or its batch's
 * bind sets.
 */
final class WrittenRows implements Supplier<List<Map<String, Object>>> {
    private final WriteDetector.Written written;
    private final @Nullable List<? extends Record> returned;
    private final BatchBinds.@Nullable BoundSets sets;
    private final RowsBefore.@Nullable Read before;
    private @Nullable List<Map<String, Object>> rows;

    WrittenRows(WriteDetector.Written written, @Nullable List<? extends Record> returned, 
            BatchBinds.@Nullable BoundSets sets, RowsBefore.@Nullable Read before) {
        this.written = written;
        this.returned = returned;
        this.sets = sets;
        this.before = before;
    }

    @Override
    public List<Map<String, Object>> get() {
        if (rows == null) {
            rows = before != null && written.topLevel && Tables.same(before.table, written.table)
                    ? written.rows(returned, before)
                    : written.rows(returned, sets);
        }
        return rows;
    }
}
