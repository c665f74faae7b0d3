package dev.roan.jooq;

import org.jooq.Record;
import org.jooq.TableField;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;

/**
 * POST as a generated class would declare it if the database had one more column, NOPE: a read of NOPE fails, for
 * tests of what Roan does when its own read before a write fails.
 */
final class PostWithAColumnTheDatabaseLacks extends TableImpl<Record> {
    private static final long serialVersionUID = 1L;
    final TableField<Record, Long> id = createField(DSL.name("ID"), SQLDataType.BIGINT);
    final TableField<Record, String> title = createField(DSL.name("TITLE"), SQLDataType.VARCHAR(200));
    final TableField<Record, String> nope = createField(DSL.name("NOPE"), SQLDataType.VARCHAR(200));

    PostWithAColumnTheDatabaseLacks() {
        super(DSL.name("POST"));
    }
}
