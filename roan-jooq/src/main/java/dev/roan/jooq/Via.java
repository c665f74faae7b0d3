package dev.roan.jooq;

import org.jooq.Field;
import org.jooq.Table;

/**
 * One step of a rule's join to a related table ({@link PurgeRule#via(Field, Field)}): the rows of {@code toTable}
 * whose {@code to} equals a {@code from} value of the rows reached so far.
 */
final class Via {

    final Field<?> from;
    final Table<?> fromTable;
    final Field<?> to;
    final Table<?> toTable;

    Via(Field<?> from, Table<?> fromTable, Field<?> to, Table<?> toTable) {
        this.from = from;
        this.fromTable = fromTable;
        this.to = to;
        this.toTable = toTable;
    }

    @Override
    public String toString() {
        return "via(" + PurgePaths.printable(fromTable.getName() + "." + from.getName()) + ", "
                + PurgePaths.printable(toTable.getName() + "." + to.getName()) + ")";
    }
}
