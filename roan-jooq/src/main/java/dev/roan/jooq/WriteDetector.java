package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jooq.CommonTableExpression;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.Merge;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.conf.ParseUnknownFunctions;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.QOM;
import org.jspecify.annotations.Nullable;

/**
 * Detect: which tables an executed statement wrote, and how, turned into the paths the rules want purged.
 *
 * <p>DSL statements are read through jOOQ's query object model. Plain SQL ({@code dsl.execute("update
 * post ...")}) is parsed with jOOQ's parser once per SQL string; the result (the tables written, not
 * the paths, so rules registered later still apply) is cached. jOOQ has no parse cache of its own
 * ([#7980]). {@code MERGE} has no query object model before jOOQ 3.20, so its target is read from the
 * rendered SQL.
 */
final class WriteDetector {

    private static final System.Logger LOG = System.getLogger(Roan.class.getName());

    /** Upper bound of the plain SQL cache; beyond it the cache starts over (plain SQL with inlined values). */
    static final int MAX_CACHED_STATEMENTS = 10_000;

    private static final Written[] NOTHING = new Written[0];

    private final Rules rules;
    private final Map<String, Written[]> plainSqlCache = new ConcurrentHashMap<>();
    private final Map<SQLDialect, DSLContext> parsers = new ConcurrentHashMap<>();

    WriteDetector(Rules rules) {
        this.rules = rules;
    }

    /**
     * Returns what a statement that has executed wrote, for the tables some rule mentions, or null if
     * nothing. Costs one {@code instanceof} for a {@code SELECT}.
     */
    @Nullable
    List<Written> written(ExecuteContext ctx) {
        Query query = ctx.query();
        if (isRead(query) || rules.isEmpty()) {
            return null;
        }
        List<Written> written = new ArrayList<>(2);
        if (query != null) {
            writtenBy(query, ctx.sql(), ctx.dialect(), written);
        } else {
            for (Query member : ctx.batchQueries()) {
                if (member != null) {
                    writtenBy(member, null, ctx.dialect(), written);
                }
            }
        }
        for (int i = written.size() - 1; i >= 0; i--) {
            if (!rules.mentions(written.get(i).table)) {
                written.remove(i);
            }
        }
        // Exactly 0 rows means no row changed; -1 (batches, RETURNING) means unknown. TRUNCATE always
        // reports 0, as DDL does, and so does a statement dsl.batched(...) only collected for later.
        if (!written.isEmpty() && ctx.rows() == 0 && !BatchedConnections.deferred(ctx)) {
            for (int i = written.size() - 1; i >= 0; i--) {
                if ((written.get(i).kinds & WriteKinds.TRUNCATE) == 0) {
                    written.remove(i);
                }
            }
        }
        return written.isEmpty() ? null : written;
    }

    /** Whether some rule has placeholders: only then can a write need the rows of UpdatableRecords. */
    boolean anyTemplated() {
        return rules.anyTemplated();
    }

    /**
     * Whether a write recorded here touched a table of a rule with placeholders, whose rows
     * {@code UpdatableRecord}s may know better than the statement.
     */
    boolean needsRows(List<Written> written) {
        for (Written w : written) {
            if (rules.needsRows(w.table)) {
                return true;
            }
        }
        return false;
    }

    /** What a query would write, for {@link Roan#explain}: the same reading, without executing. */
    List<Written> written(Query query, SQLDialect dialect) {
        List<Written> written = new ArrayList<>(2);
        if (!isRead(query)) {
            writtenBy(query, null, dialect, written);
        }
        return written;
    }

    /**
     * Whether a DSL query only reads: a SELECT without a WITH clause (a WITH clause may hold a
     * data-modifying common table expression, {@code with d as (delete ... returning *) select ...}).
     * One {@code instanceof} and one getter for the common read; no allocation.
     */
    static boolean isRead(@Nullable Query query) {
        return query instanceof Select && ((Select<?>) query).$with() == null;
    }

    /**
     * Matches writes against the rules: any statement but a batch of one statement with bind sets.
     *
     * @param returned the statement's RETURNING result or generated keys, if any
     * @param records  the UpdatableRecords the statement wrote, if any
     */
    Purges purges(List<Written> written, @Nullable List<? extends Record> returned, RecordWrites records) {
        // Apart from the batch form below, which its lambda's extra capture would bring onto every write's path:
        // with one method for both, some runs allocated 56 more bytes per matched write (H2, steady state).
        Purges purges = new Purges();
        for (Written w : written) {
            rules.match(w.table, w.kinds, () -> w.rows(returned, records, null), purges);
        }
        return purges;
    }

    /**
     * Matches the writes of a batch of one statement with several bind sets against the rules.
     *
     * @param sets the bind sets, which name the batch's rows (never its member's own values)
     */
    Purges purges(List<Written> written, RecordWrites records, BatchBinds.BoundSets sets) {
        Purges purges = new Purges();
        for (Written w : written) {
            rules.match(w.table, w.kinds, () -> w.rows(null, records, sets), purges);
        }
        return purges;
    }

    private void writtenBy(Query query, @Nullable String renderedSql, SQLDialect dialect, List<Written> out) {
        if (isPlainSql(query)) {
            // Plain SQL: dsl.execute(String), dsl.query(String), dsl.resultQuery(String), static batches.
            String sql = renderedSql != null ? renderedSql : query.getSQL();
            for (Written w : parsePlainSql(sql, dialect)) {
                out.add(w);
            }
        } else {
            collect(query, renderedSql, dialect, out, true);
        }
    }

    private Written[] parsePlainSql(String sql, SQLDialect dialect) {
        Written[] cached = plainSqlCache.get(sql);
        if (cached != null) {
            return cached;
        }
        Written[] parsed = parse(sql, dialect);
        if (plainSqlCache.size() >= MAX_CACHED_STATEMENTS) {
            plainSqlCache.clear();
        }
        plainSqlCache.put(sql, parsed);
        return parsed;
    }

    private Written[] parse(String sql, SQLDialect dialect) {
        try {
            DSLContext parser = parser(dialect);
            List<Written> written = new ArrayList<>(1);
            for (Query q : parser.parser().parse(SqlText.readable(sql)).queries()) {
                collect(q, null, dialect, written, true);
            }
            if (SqlText.isReplace(sql)) {
                // REPLACE deletes the old row and inserts the new one: read as INSERT above.
                written.replaceAll(w -> new Written(w.table, WriteKinds.REPLACE_EFFECTS, w.statement, w.topLevel));
            }
            return written.toArray(NOTHING);
        } catch (RuntimeException | StackOverflowError e) {
            // Logged once per SQL string: the result is cached.
            if (!SqlText.isWrite(sql)) {
                LOG.log(Level.WARNING, () -> "Roan could not parse a plain SQL statement, which does not look like a"
                        + " write, so it purges nothing for it: " + abbreviate(sql) + " (" + e.getMessage() + ")");
                return NOTHING;
            }
            Written[] guess = SqlText.names(sql).stream()
                    .map(name -> new Written(DSL.table(DSL.name(name)), WriteKinds.WRITE, null, true))
                    .toArray(Written[]::new);
            LOG.log(Level.WARNING, () -> "Roan could not parse a plain SQL write, so it purges the rules of every table"
                    + " it names (rules with placeholders fall back): " + abbreviate(sql) + " (" + e.getMessage()
                    + "). Run it through jOOQ's DSL for precise purges.");
            return guess;
        }
    }

    /**
     * Reads the query object model of a DSL query or of what the parser returned.
     *
     * @param renderedSql the query's SQL if already rendered, to read a MERGE target without rendering again
     * @param dialect     to render a MERGE whose SQL is not at hand (the renderer is looked up only then)
     * @param topLevel    whether {@code q} is the executed statement itself, whose RETURNING result and records
     *                    describe its rows (not a statement inside a common table expression)
     */
    private void collect(Query q, @Nullable String renderedSql, SQLDialect dialect, List<Written> out,
            boolean topLevel) {
        if (q instanceof QOM.Insert) {
            QOM.Insert<?> insert = (QOM.Insert<?>) q;
            with(insert.$with(), dialect, out);
            out.add(new Written(insert.$into(), isUpsert(insert) ? WriteKinds.UPSERT : WriteKinds.INSERT, q, topLevel));
        } else if (q instanceof QOM.Update) {
            with(((QOM.Update<?>) q).$with(), dialect, out);
            addTargets(((QOM.Update<?>) q).$table(), WriteKinds.UPDATE, q, topLevel, out);
        } else if (q instanceof QOM.Delete) {
            QOM.Delete<?> delete = (QOM.Delete<?>) q;
            with(delete.$with(), dialect, out);
            // DELETE of a join (jOOQ renders MySQL's multi-table DELETE) may delete from both sides; MySQL's
            // DELETE p FROM post p JOIN ... names its target by an alias declared in USING.
            addTargets(resolveAlias(delete.$from(), delete.$using()), WriteKinds.DELETE, q, topLevel, out);
        } else if (q instanceof QOM.InsertReturning) {
            collect(((QOM.InsertReturning<?>) q).$insert(), null, dialect, out, topLevel);
        } else if (q instanceof QOM.UpdateReturning) {
            collect(((QOM.UpdateReturning<?>) q).$update(), null, dialect, out, topLevel);
        } else if (q instanceof QOM.DeleteReturning) {
            collect(((QOM.DeleteReturning<?>) q).$delete(), null, dialect, out, topLevel);
        } else if (q instanceof QOM.Truncate) {
            for (Table<?> t : ((QOM.Truncate<?>) q).$table()) {
                out.add(new Written(t, WriteKinds.TRUNCATE, null, topLevel));
            }
        } else if (q instanceof Select) {
            with(((Select<?>) q).$with(), dialect, out);
        } else if (isMerge(q)) {
            Table<?> target = MergeModel.target(q);
            if (target == null) {
                target = SqlText.target(renderedSql != null ? renderedSql : parser(dialect).render(q));
            }
            if (target != null) {
                out.add(new Written(target, WriteKinds.MERGE_EFFECTS, null, topLevel));
            }
        }
    }

    /** Data-modifying common table expressions: {@code with d as (delete from post ... returning *) ...}. */
    private void with(QOM.@Nullable With with, SQLDialect dialect, List<Written> out) {
        if (with == null) {
            return;
        }
        for (CommonTableExpression<?> cte : with.$commonTableExpressions()) {
            ResultQuery<?> query = cte.$query();
            if (query != null) {
                collect(query, null, dialect, out, false);
            }
        }
    }

    private static boolean isUpsert(QOM.Insert<?> insert) {
        return insert.$onDuplicateKeyUpdate() || !insert.$updateSet().isEmpty();
    }

    static boolean isPlainSql(Query query) {
        // SQLQuery and SQLResultQuery are package-private in jOOQ; Class.getName() is cached, so no allocation.
        String name = query.getClass().getName();
        return name.equals("org.jooq.impl.SQLQuery") || name.equals("org.jooq.impl.SQLResultQuery");
    }

    private static boolean isMerge(Query query) {
        // Every MERGE form implements the public org.jooq.Merge: MergeImpl, and in jOOQ 3.21 MergeUpsert for the
        // H2-style mergeInto(...).key(...). jOOQ 3.19 has no query object model for them (QOM.Merge comes with
        // 3.20, see MergeModel), so there the target is read from the rendered SQL.
        return query instanceof Merge;
    }


    /** The written table, or both sides of a written join (MySQL's multi-table UPDATE and DELETE). */
    private static void addTargets(Table<?> table, int kinds, Query statement, boolean topLevel, List<Written> out) {
        if (table instanceof QOM.JoinTable) {
            addTargets(((QOM.JoinTable<?, ?>) table).$table1(), kinds, statement, topLevel, out);
            addTargets(((QOM.JoinTable<?, ?>) table).$table2(), kinds, statement, topLevel, out);
        } else {
            out.add(new Written(table, kinds, statement, topLevel));
        }
    }

    /** The table an alias names, when the target is an alias declared among {@code using}. */
    private static Table<?> resolveAlias(Table<?> target, List<? extends Table<?>> using) {
        if (target instanceof QOM.TableAlias || target instanceof QOM.JoinTable) {
            return target;
        }
        for (Table<?> table : using) {
            Table<?> aliased = findAlias(table, target.getName());
            if (aliased != null) {
                return aliased;
            }
        }
        return target;
    }

    @Nullable
    private static Table<?> findAlias(Table<?> table, String alias) {
        if (table instanceof QOM.JoinTable) {
            Table<?> left = findAlias(((QOM.JoinTable<?, ?>) table).$table1(), alias);
            return left != null ? left : findAlias(((QOM.JoinTable<?, ?>) table).$table2(), alias);
        }
        if (table instanceof QOM.TableAlias && ((QOM.TableAlias<?>) table).$alias().last().equalsIgnoreCase(alias)) {
            return table;
        }
        return null;
    }

    private DSLContext parser(SQLDialect dialect) {
        DSLContext parser = parsers.get(dialect);
        return parser != null ? parser : parsers.computeIfAbsent(dialect, d -> DSL.using(d, new Settings()
                .withParseDialect(d)
                .withParseUnknownFunctions(ParseUnknownFunctions.IGNORE)));
    }

    private static String abbreviate(String sql) {
        String oneLine = sql.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }

    /** A table a statement wrote, the effects it may have had, and the statement that tells which rows. */
    static final class Written {
        final Table<?> table;
        final int kinds;
        final @Nullable Query statement;
        final boolean topLevel;

        Written(Table<?> table, int kinds, @Nullable Query statement, boolean topLevel) {
            this.table = table;
            this.kinds = kinds;
            this.statement = statement;
            this.topLevel = topLevel;
        }

        /**
         * The partial rows written: from the records if the statement wrote UpdatableRecords, else from a
         * batch's bind sets, else from the statement and its RETURNING result. A statement inside a common
         * table expression has none of these.
         */
        List<Map<String, Object>> rows(@Nullable List<? extends Record> returned, RecordWrites records,
                BatchBinds.@Nullable BoundSets sets) {
            if (!topLevel) {
                return RowValues.of(statement, table, null);
            }
            List<Map<String, Object>> fromRecords = records.rows(table, statement, returned);
            if (fromRecords != null) {
                return fromRecords;
            }
            if (sets != null) {
                // The member's own values are a placeholder or the first row only (the Loader API's): never
                // take them for the batch's rows.
                List<Map<String, Object>> bound = sets.rows(statement, table);
                return bound != null ? bound : RowValues.unknown();
            }
            return RowValues.of(statement, table, returned);
        }
    }
}
