package dev.roan.jooq;

import org.jooq.Table;
import org.jooq.impl.QOM;
import org.jooq.impl.TableImpl;

/** How Roan tells tables apart: by their generated class, else by their name without aliases, ignoring case. */
final class Tables {

    private Tables() {}

    /** The table an alias stands for ({@code POST.as("p")}, possibly aliased again), or the table itself. */
    static Table<?> unaliased(Table<?> table) {
        Table<?> t = table;
        while (t instanceof QOM.TableAlias) {
            t = ((QOM.TableAlias<?>) t).$table();
        }
        return t;
    }

    /** Whether a table is a generated one: those subclass TableImpl, and their aliases are instances of the same class. */
    static boolean isGenerated(Table<?> table) {
        return table instanceof TableImpl && table.getClass() != TableImpl.class;
    }

    /** Whether two tables are the same table, aliases and generated classes considered. */
    static boolean same(Table<?> a, Table<?> b) {
        return a == b || (a.getClass() == b.getClass() && isGenerated(a))
                || unaliased(a).getName().equalsIgnoreCase(unaliased(b).getName());
    }
}
