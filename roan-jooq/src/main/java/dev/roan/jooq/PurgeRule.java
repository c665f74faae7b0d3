package dev.roan.jooq;

import org.jooq.Table;

/**
 * A page path and the writes that purge it, created by {@link Roan#purge(String)}.
 *
 * <pre>{@code
 * roan.purge("/posts").onWrite(POST);               // INSERT, UPDATE, DELETE, MERGE, TRUNCATE
 * roan.purge("/").onInsert(POST).onUpdate(COMMENT);
 * }</pre>
 *
 * <p>Each method adds tables to the rule and returns it, so calls chain. Registering a table twice is
 * harmless: a statement purges each path at most once. Rules take effect for statements executed
 * after the call, on every configuration the {@link Roan} is attached to. A rule is safe to use from
 * several threads.
 *
 * <p>Tables are matched by name, so the generated table, its aliases ({@code POST.as("p")}) and plain
 * SQL that names the table ({@code update post set ...}) all purge. A statement that may have had an
 * effect counts: an upsert ({@code ON CONFLICT DO UPDATE}) counts as insert and update, a
 * {@code MERGE} as insert, update and delete.
 *
 * @since 0.1.0
 */
public final class PurgeRule {

    private final String path;
    private final Rules rules;

    PurgeRule(String path, Rules rules) {
        this.path = path;
        this.rules = rules;
    }

    /**
     * Purges this path after any committed {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}
     * or {@code TRUNCATE} of the tables.
     *
     * @param tables the tables, typically generated ones such as {@code POST}
     * @return this rule
     * @throws IllegalArgumentException if {@code tables} is null or empty, or holds a null
     */
    public PurgeRule onWrite(Table<?>... tables) {
        return register("onWrite", WriteKinds.WRITE, tables);
    }

    /**
     * Purges this path after a committed {@code INSERT}, {@code UPDATE} or {@code MERGE} of the tables
     * (not after a {@code DELETE} or {@code TRUNCATE}).
     *
     * @param tables the tables
     * @return this rule
     * @throws IllegalArgumentException if {@code tables} is null or empty, or holds a null
     */
    public PurgeRule onSave(Table<?>... tables) {
        return register("onSave", WriteKinds.SAVE, tables);
    }

    /**
     * Purges this path after a committed {@code INSERT} into the tables, including upserts and
     * {@code MERGE}.
     *
     * @param tables the tables
     * @return this rule
     * @throws IllegalArgumentException if {@code tables} is null or empty, or holds a null
     */
    public PurgeRule onInsert(Table<?>... tables) {
        return register("onInsert", WriteKinds.INSERT, tables);
    }

    /**
     * Purges this path after a committed {@code UPDATE} of the tables, including upserts and
     * {@code MERGE}.
     *
     * @param tables the tables
     * @return this rule
     * @throws IllegalArgumentException if {@code tables} is null or empty, or holds a null
     */
    public PurgeRule onUpdate(Table<?>... tables) {
        return register("onUpdate", WriteKinds.UPDATE, tables);
    }

    /**
     * Purges this path after a committed {@code DELETE} from or {@code TRUNCATE} of the tables, including
     * {@code MERGE}.
     *
     * @param tables the tables
     * @return this rule
     * @throws IllegalArgumentException if {@code tables} is null or empty, or holds a null
     */
    public PurgeRule onDelete(Table<?>... tables) {
        return register("onDelete", WriteKinds.REMOVE, tables);
    }

    /**
     * Returns the path this rule purges, percent-encoded where the registered path needed it.
     *
     * @return the path, starting with {@code /}
     */
    public String path() {
        return path;
    }

    private PurgeRule register(String method, int kinds, Table<?>[] tables) {
        if (tables == null || tables.length == 0) {
            throw new IllegalArgumentException(method + "() of \"" + path
                    + "\" needs at least one table, such as " + method + "(POST)");
        }
        for (int i = 0; i < tables.length; i++) {
            if (tables[i] == null) {
                throw new IllegalArgumentException(method + "() of \"" + path + "\" got null as table #" + (i + 1)
                        + ": is the generated table class initialised?");
            }
        }
        rules.register(this, kinds, tables);
        return this;
    }

    @Override
    public String toString() {
        return "PurgeRule[" + path + " on " + rules.describe(this) + "]";
    }
}
