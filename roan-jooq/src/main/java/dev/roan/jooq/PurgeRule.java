package dev.roan.jooq;

import java.util.ArrayList;
import java.util.List;

import org.jooq.Field;
import org.jooq.Table;

/**
 * A page path and the writes that purge it, created by {@link Roan#purge(String)}.
 *
 * <pre>{@code
 * roan.purge("/posts").onWrite(POST);               // INSERT, UPDATE, DELETE, MERGE, TRUNCATE
 * roan.purge("/").onInsert(POST).onUpdate(COMMENT);
 * roan.purge("/posts/{slug}").onWrite(POST).whenRowsUnknown("/posts");   // a page per row
 * }</pre>
 *
 * <p>A {@code {column}} placeholder is filled, for each row a write touched, with that row's value of the
 * column, percent-encoded into one path segment; see {@link #whenRowsUnknown(String...)} for writes whose
 * rows cannot be known. It is checked against the columns of a table that knows them (a generated one) at
 * registration, and against those of a table that does not ({@code DSL.table("post")}) at its first write,
 * when a mismatch is logged once. A rule with placeholders over several tables fills each from that table's
 * own column, which is logged once as a warning unless the columns reference the same key: prefer one
 * rule per table. Pages keyed by a related row (a visit's pet's owner) are reached with
 * {@link #via(Field, Field)}.
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

    private final Rule rule;
    private final Rules rules;

    PurgeRule(Rule rule, Rules rules) {
        this.rule = rule;
        this.rules = rules;
    }

    /**
     * Purges this path after any committed {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}
     * or {@code TRUNCATE} of the tables.
     *
     * @param tables the tables, typically generated ones such as {@code POST}
     * @return this rule
     * @throws IllegalArgumentException if {@code tables} is null or empty, or holds a null, or a placeholder
     *                                  is not a column (or is a binary one) of a table that knows its columns (nor
     *                                  of another table of its schema, which {@link #via(Field, Field)} may reach)
     */
    public PurgeRule onWrite(Table<?>... tables) {
        return register("onWrite", WriteKinds.WRITE, tables);
    }

    /**
     * Always throws: a rule needs at least one table. This overload exists so that {@code onWrite()} without
     * a table, which the varargs form would accept, is flagged by the compiler (a removal warning, an error
     * with {@code -Werror}) instead of failing only when it runs.
     *
     * @return never
     * @throws IllegalArgumentException always
     * @deprecated give the tables, such as {@code onWrite(POST)}
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public PurgeRule onWrite() {
        return register("onWrite", WriteKinds.WRITE, new Table<?>[0]);
    }

    /**
     * Purges this path after a committed {@code INSERT}, {@code UPDATE} or {@code MERGE} of the tables
     * (not after a {@code DELETE} or {@code TRUNCATE}).
     *
     * @param tables the tables
     * @return this rule
     * @throws IllegalArgumentException if {@code tables} is null or empty, or holds a null, or a placeholder
     *                                  is not a column (or is a binary one) of a table that knows its columns (nor
     *                                  of another table of its schema, which {@link #via(Field, Field)} may reach)
     */
    public PurgeRule onSave(Table<?>... tables) {
        return register("onSave", WriteKinds.SAVE, tables);
    }

    /**
     * Always throws: a rule needs at least one table. This overload exists so that {@code onSave()} without
     * a table, which the varargs form would accept, is flagged by the compiler (a removal warning, an error
     * with {@code -Werror}) instead of failing only when it runs.
     *
     * @return never
     * @throws IllegalArgumentException always
     * @deprecated give the tables, such as {@code onSave(POST)}
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public PurgeRule onSave() {
        return register("onSave", WriteKinds.SAVE, new Table<?>[0]);
    }

    /**
     * Purges this path after a committed {@code INSERT} into the tables, including upserts and
     * {@code MERGE}.
     *
     * @param tables the tables
     * @return this rule
     * @throws IllegalArgumentException if {@code tables} is null or empty, or holds a null, or a placeholder
     *                                  is not a column (or is a binary one) of a table that knows its columns (nor
     *                                  of another table of its schema, which {@link #via(Field, Field)} may reach)
     */
    public PurgeRule onInsert(Table<?>... tables) {
        return register("onInsert", WriteKinds.INSERT, tables);
    }

    /**
     * Always throws: a rule needs at least one table. This overload exists so that {@code onInsert()} without
     * a table, which the varargs form would accept, is flagged by the compiler (a removal warning, an error
     * with {@code -Werror}) instead of failing only when it runs.
     *
     * @return never
     * @throws IllegalArgumentException always
     * @deprecated give the tables, such as {@code onInsert(POST)}
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public PurgeRule onInsert() {
        return register("onInsert", WriteKinds.INSERT, new Table<?>[0]);
    }

    /**
     * Purges this path after a committed {@code UPDATE} of the tables, including upserts and
     * {@code MERGE}.
     *
     * @param tables the tables
     * @return this rule
     * @throws IllegalArgumentException if {@code tables} is null or empty, or holds a null, or a placeholder
     *                                  is not a column (or is a binary one) of a table that knows its columns (nor
     *                                  of another table of its schema, which {@link #via(Field, Field)} may reach)
     */
    public PurgeRule onUpdate(Table<?>... tables) {
        return register("onUpdate", WriteKinds.UPDATE, tables);
    }

    /**
     * Always throws: a rule needs at least one table. This overload exists so that {@code onUpdate()} without
     * a table, which the varargs form would accept, is flagged by the compiler (a removal warning, an error
     * with {@code -Werror}) instead of failing only when it runs.
     *
     * @return never
     * @throws IllegalArgumentException always
     * @deprecated give the tables, such as {@code onUpdate(POST)}
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public PurgeRule onUpdate() {
        return register("onUpdate", WriteKinds.UPDATE, new Table<?>[0]);
    }

    /**
     * Purges this path after a committed {@code DELETE} from or {@code TRUNCATE} of the tables, including
     * {@code MERGE}.
     *
     * @param tables the tables
     * @return this rule
     * @throws IllegalArgumentException if {@code tables} is null or empty, or holds a null, or a placeholder
     *                                  is not a column (or is a binary one) of a table that knows its columns (nor
     *                                  of another table of its schema, which {@link #via(Field, Field)} may reach)
     */
    public PurgeRule onDelete(Table<?>... tables) {
        return register("onDelete", WriteKinds.REMOVE, tables);
    }

    /**
     * Always throws: a rule needs at least one table. This overload exists so that {@code onDelete()} without
     * a table, which the varargs form would accept, is flagged by the compiler (a removal warning, an error
     * with {@code -Werror}) instead of failing only when it runs.
     *
     * @return never
     * @throws IllegalArgumentException always
     * @deprecated give the tables, such as {@code onDelete(POST)}
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public PurgeRule onDelete() {
        return register("onDelete", WriteKinds.REMOVE, new Table<?>[0]);
    }

    /**
     * Purges these paths instead when a write's rows cannot be known, for a rule with placeholders: for
     * {@code update post set title = 'x' where title like '%a%'}, Roan cannot tell which {@code /posts/{id}}
     * pages changed, so it purges, say, the list page. Without a fallback such a write purges no page of
     * this rule, and Roan logs a warning once per SQL statement and counts it.
     *
     * <pre>{@code
     * roan.purge("/posts/{id}").onWrite(POST).whenRowsUnknown("/posts");
     * }</pre>
     *
     * <p>Calling it again replaces the fallback paths.
     *
     * @param paths static paths (no placeholders), each starting with {@code /}
     * @return this rule
     * @throws IllegalArgumentException if a path is invalid, has placeholders or is too long for a purge
     *                                  request, or none is given
     */
    public PurgeRule whenRowsUnknown(String... paths) {
        rule.fallbacks(paths);
        return this;
    }

    /**
     * Fills this rule's placeholders only from what a statement itself says (its SET, WHERE and RETURNING, or its
     * records), never by reading the rows it changes. By default, when an {@code UPDATE} or {@code DELETE} does not
     * tell a placeholder's value for every row it changes ({@code update pet set name = ? where id = ?} for
     * {@code /owners/{owner_id}}), or changes a placeholder column without telling its old value
     * ({@code update owner set last_name = ? where id = ?} for {@code /owners?lastName={last_name}}), Roan reads
     * those columns of the rows first: with the statement's own WHERE, on its connection and in its transaction,
     * locking them as the statement will ({@code SELECT ... FOR UPDATE}), and purges the pages of the old and the new
     * values. Opt out when that extra query costs more than the rule's fallback paths do; such writes then purge the
     * paths the statement fills and the fallback ({@link #whenRowsUnknown(String...)}).
     *
     * <pre>{@code
     * roan.purge("/owners/{owner_id}").onUpdate(PETS).withoutReadingRows().whenRowsUnknown("/owners");
     * }</pre>
     *
     * @return this rule
     * @since 0.1.0
     */
    public PurgeRule withoutReadingRows() {
        rules.withoutReadingRows(rule);
        return this;
    }

    /**
     * Fills this rule's placeholders from a related row instead of the written one: for each row a statement writes
     * to {@code from}'s table, the rows of {@code to}'s table whose {@code to} equals the row's {@code from}. A visit
     * is shown on its pet's owner's page, and the visit row names only its pet:
     *
     * <pre>{@code
     * roan.purge("/owners/{owner_id}").onWrite(VISITS).via(VISITS.PET_ID, PETS.ID);
     * roan.purge("/owners/{owner_id}/pets/{id}/visits/new").onWrite(VISITS).via(VISITS.PET_ID, PETS.ID);
     * roan.purge("/owners?lastName={last_name}").onWrite(VISITS)                        // chained: two reads
     *         .via(VISITS.PET_ID, PETS.ID).via(PETS.OWNER_ID, OWNERS.ID);
     * }</pre>
     *
     * <p>With {@code via}, the placeholders name columns of the table reached last ({@code PETS} above, {@code OWNERS}
     * in the chain). So the {@code onXxx} call before it accepts a placeholder that is not a column of the written
     * table if another table of its schema has it; until a {@code via} reaches a table with every placeholder, the
     * rule's writes purge only its fallback paths, with a warning logged once.
     *
     * <p>The {@code from} values of a write are those it tells (its values, its {@code UpdatableRecord}s, a batch's
     * bind sets) and, for an {@code UPDATE} or {@code DELETE} that does not tell them or changes them
     * ({@code update visits set pet_id = ? where id = ?}), those of the rows before it, read as
     * {@link #withoutReadingRows()} describes: a visit moved to another pet purges both owners' pages. A RETURNING
     * result comes too late to count. Right after the statement, on its connection and in its transaction (so it sees
     * a pet the transaction created), Roan runs one {@code SELECT DISTINCT} of the needed columns per step, the
     * values bound, 1,000 at a time; a write of no {@code from} value (SQL NULL) reads and purges nothing.
     *
     * <p>A read that fails (a missing table, a lock timeout) never fails the write: where auto-commit is off it runs
     * inside a savepoint, rolled back on failure so that the transaction stays usable (PostgreSQL would abort it);
     * the failure is logged once per rule as a warning, without bind values, and the write purges the rule's fallback
     * paths ({@link #whenRowsUnknown(String...)}), as it does when its {@code from} values are unknown
     * ({@code insert into visits ... select ...}). {@link Roan#explain(org.jooq.Query)} shows the read a write
     * would cause ({@link Explanation#relatedReads()}).
     *
     * <p>The join belongs to {@code from}'s table: a rule may fill its path directly from some tables and through a
     * join from others, as petclinic's owner page needs (a pet names its owner, a visit only its pet):
     *
     * <pre>{@code
     * roan.purge("/owners/{owner_id}").onWrite(PETS).onWrite(VISITS).via(VISITS.PET_ID, PETS.ID);
     * }</pre>
     *
     * <p>The first {@code via} after an {@code onXxx} call starts from one of the rule's tables, each next one from
     * the table the previous one reached; a table has one join. The tables must know their columns (generated ones,
     * not {@code DSL.table("pets")}).
     *
     * @param from a column of one of the rule's tables, or of the previous call's {@code to} table to go on from there
     * @param to   the column of the related table that {@code from} refers to, typically its key
     * @param <T>  the columns' type
     * @return this rule
     * @throws IllegalArgumentException if a column is null, of another type than the other, or of a table that does
     *                                  not know its columns; if {@code from} is not a column of one of the rule's
     *                                  tables (or of the previous call's {@code to} table), or its table has a join
     *                                  already; if the path has no placeholder; or if a placeholder is a binary
     *                                  column of {@code to}'s table or a column of no table of its schema
     * @throws IllegalStateException    if no {@code onXxx} method was called yet
     * @since 0.1.0
     */
    public <T> PurgeRule via(Field<T> from, Field<T> to) {
        rules.via(rule, from, to);
        return this;
    }

    /**
     * Returns the path this rule purges, percent-encoded where the registered path needed it, with its
     * {@code {column}} placeholders.
     *
     * @return the path, starting with {@code /}
     */
    public String path() {
        return rule.path();
    }

    private PurgeRule register(String method, int kinds, Table<?>[] tables) {
        if (tables == null || tables.length == 0) {
            throw new IllegalArgumentException(method + "() of \"" + path()
                    + "\" needs at least one table, such as " + method + "(POST)");
        }
        for (int i = 0; i < tables.length; i++) {
            if (tables[i] == null) {
                throw new IllegalArgumentException(method + "() of \"" + path() + "\" got null as table #" + (i + 1)
                        + ": is the generated table class initialised?");
            }
        }
        rules.register(rule, kinds, tables);
        return this;
    }

    @Override
    public String toString() {
        List<String> f = rule.fallbacks();
        return "PurgeRule[" + path() + " on " + rules.describe(rule) + (f.isEmpty() ? "" : ", when rows unknown " + f)
                + (rule.readsRows() ? "" : ", without reading rows") + "]";
    }
}
