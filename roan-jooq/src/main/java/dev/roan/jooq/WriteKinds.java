package dev.roan.jooq;

/**
 * Bit masks of the effects a statement may have on a table, and of the effects a rule listens to.
 *
 * <p>A statement's mask says what it may have done: an upsert may insert or update, a {@code MERGE} may
 * insert, update or delete. A rule matches when the masks intersect, so a rule never misses a write
 * that could have changed its page (an extra purge is cheap; a missed one is a stale page forever).
 */
final class WriteKinds {

    static final int INSERT = 1;
    static final int UPDATE = 1 << 1;
    static final int DELETE = 1 << 2;
    static final int MERGE = 1 << 3;
    static final int TRUNCATE = 1 << 4;

    /** What a rule registered with {@code onWrite} listens to. */
    static final int WRITE = INSERT | UPDATE | DELETE | MERGE | TRUNCATE;
    /** What a rule registered with {@code onSave} listens to (the seed's {@code on_save}). */
    static final int SAVE = INSERT | UPDATE | MERGE;
    /** What a rule registered with {@code onDelete} listens to. */
    static final int REMOVE = DELETE | TRUNCATE;

    /** The effects of an {@code INSERT ... ON CONFLICT DO UPDATE} or {@code ON DUPLICATE KEY UPDATE}. */
    static final int UPSERT = INSERT | UPDATE;
    /** The effects of MySQL's {@code REPLACE}: the old row is deleted and the new one inserted, so its page changed. */
    static final int REPLACE_EFFECTS = INSERT | UPDATE | DELETE;
    /** The effects of a {@code MERGE}, which may insert, update and delete in one statement. */
    static final int MERGE_EFFECTS = MERGE | INSERT | UPDATE | DELETE;

    private WriteKinds() {}

    /** Whether an INSERT is an upsert ({@code ON CONFLICT DO UPDATE}, {@code ON DUPLICATE KEY UPDATE}), which may update. */
    static boolean isUpsert(org.jooq.impl.QOM.Insert<?> insert) {
        return insert.$onDuplicateKeyUpdate() || !insert.$updateSet().isEmpty();
    }

    static String describe(int mask) {
        if (mask == WRITE) {
            return "write";
        }
        if (mask == SAVE) {
            return "save";
        }
        StringBuilder sb = new StringBuilder();
        append(sb, mask, INSERT, "insert");
        append(sb, mask, UPDATE, "update");
        append(sb, mask, DELETE, "delete");
        append(sb, mask, MERGE, "merge");
        append(sb, mask, TRUNCATE, "truncate");
        return sb.toString();
    }

    private static void append(StringBuilder sb, int mask, int bit, String name) {
        if ((mask & bit) != 0) {
            if (sb.length() > 0) {
                sb.append('|');
            }
            sb.append(name);
        }
    }
}
