package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.sql.Connection;
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
 * Detect: which tables an executed statement wrote, how, and where its rows can be read; matching (the next stage)
 * turns that into the paths the rules want purged.
 *
 * <p>DSL statements are read through jOOQ's query object model. Plain SQL ({@code dsl.execute("update
 * post ...")}) is parsed with jOOQ's parser once per SQL string; the result (the tables written, not
 * the paths, so rules registered later still apply) is cached, with a {@link RowValues.Bind} in place of
 * each {@code ?}, which each execution's bind values fill. jOOQ has no parse cache of its own
 * ([#7980]). {@code MERGE} has no query object model before jOOQ 3.20, so its target is read from the
 * rendered SQL.
 */
final class WriteDetector {

    private static final System.Logger LOG = Log.LOGGER;

    /** Upper bound of the plain SQL cache; beyond it the cache starts over (plain SQL with inlined values). */
    static final int MAX_CACHED_STATEMENTS = 10_000;

    private static final Written[] NOTHING = new Written[0];

    private final Rules rules;
    private final Map<String, Written[]> plainSqlCache = new ConcurrentHashMap<>();
    private final Map<SQLDialect, DSLContext> parsers = new ConcurrentHashMap<>();

    WriteDetector(Rules rules) {
        this.rules = rules;
    }

    /** The kinds of write a foreign key's ON DELETE / ON UPDATE action may follow. */
    private static final int CASCADING = WriteKinds.UPDATE | WriteKinds.DELETE | WriteKinds.MERGE | WriteKinds.TRUNCATE;

    /**
     * Returns what a statement that has executed wrote, for the tables some rule mentions, or null if
     * nothing. Costs one {@code instanceof} for a {@code SELECT}.
     */
    @Nullable
    List<Written> written(ExecuteContext ctx) {
        return written(ctx, new ArrayList<>(2));
    }

    /** As {@link #written(ExecuteContext)}, into {@code written}, an empty list the caller reuses. */
    @Nullable
    List<Written> written(ExecuteContext ctx, List<Written> written) {
        Query query = ctx.query();
        if (isRead(query) || rules.isEmpty()) {
            return null;
        }
        if (query != null) {
            writtenBy(query, ctx.sql(), ctx.dialect(), written, true);
        } else {
            for (Query member : ctx.batchQueries()) {
                if (member != null) {
                    writtenBy(member, null, ctx.dialect(), written);
                }
            }
        }
        // A DELETE or UPDATE of a table no rule mentions may still change tracked tables through the database's
        // ON DELETE / ON UPDATE actions (see ForeignKeys): kept while tracked reads exist.
        boolean parents = rules.anyTrackedTable();
        for (int i = written.size() - 1; i >= 0; i--) {
            Written w = written.get(i);
            if (!rules.mentions(w.table) && !(parents && (w.kinds & CASCADING) != 0)) {
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
        if (written.isEmpty()) {
            return null;
        }
        if (rules.anyUnverified()) {
            // Once per rule on a table whose columns were unknown at registration; the connection is still open.
            // Beneath dsl.batched(...)'s connection: asking that one anything sends the user's pending batch.
            Connection beneath = BatchedConnections.beneath(ctx);
            Connection connection = beneath != null ? beneath : ctx.connection();
            for (Written w : written) {
                rules.verify(w.table, connection);
            }
        }
        return written;
    }

    /** What a query would write, for {@link Roan#explain}: the same reading, without executing. */
    List<Written> written(Query query, SQLDialect dialect) {
        List<Written> written = new ArrayList<>(2);
        if (!isRead(query)) {
            writtenBy(query, null, dialect, written, true);
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

    /** A batch member's writes: its bind values are not those of the execution (a bind set's, for each). */
    private void writtenBy(Query query, @Nullable String renderedSql, SQLDialect dialect, List<Written> out) {
        writtenBy(query, renderedSql, dialect, out, false);
    }

    /**
     * The writes of a query.
     *
     * @param bind whether the query's own bind values are those it executed with (not so for a member of
     *             {@code batch(query).bind(...)}, whose values are placeholders)
     */
    private void writtenBy(Query query, @Nullable String renderedSql, SQLDialect dialect, List<Written> out,
            boolean bind) {
        if (SqlText.isPlainSql(query)) {
            // Plain SQL: dsl.execute(String), dsl.query(String), dsl.resultQuery(String), static batches.
            String sql = renderedSql != null ? renderedSql : query.getSQL();
            for (Written w : parsePlainSql(sql, dialect, query)) {
                // The cached statement holds a Bind per '?'; this execution's values fill them, if asked.
                out.add(w.binds && bind ? w.boundTo(query) : w);
            }
        } else if (bind) {
            collect(query, renderedSql, dialect, out, true);
        } else {
            // A batch member: a null it was built with is a placeholder for the bind sets, not SQL NULL.
            int from = out.size();
            collect(query, renderedSql, dialect, out, true);
            for (int i = from; i < out.size(); i++) {
                out.set(i, out.get(i).withPlaceholders());
            }
        }
    }

    private Written[] parsePlainSql(String sql, SQLDialect dialect, Query query) {
        Written[] cached = plainSqlCache.get(sql);
        if (cached != null) {
            return cached;
        }
        Written[] parsed = parse(sql, dialect, query);
        if (plainSqlCache.size() >= MAX_CACHED_STATEMENTS) {
            plainSqlCache.clear();
        }
        plainSqlCache.put(sql, parsed);
        return parsed;
    }

    private Written[] parse(String sql, SQLDialect dialect, Query query) {
        // jOOQ's parser wants exactly one binding per '?', which the executed query's bind values count.
        int binds = query.getBindValues().size();
        if (binds > 0) {
            try {
                return parse(sql, dialect, binds);
            } catch (RuntimeException | StackOverflowError e) {
                // A count that does not match (bind values rendered inline), or a binding the parser converts
                // to a column type: read the statement without its bind values.
            }
        }
        try {
            return parse(sql, dialect, 0);
        } catch (RuntimeException | StackOverflowError e) {
            // Logged once per SQL string: the result is cached.
            if (!SqlText.isWrite(sql)) {
                LOG.log(Level.WARNING, () -> "Roan could not parse a plain SQL statement, which does not look like a"
                        + " write, so it purges nothing for it: " + PurgePaths.abbreviate(sql) + " ("
                        + PurgePaths.printable(String.valueOf(e.getMessage())) + ")");
                return NOTHING;
            }
            Written[] guess = SqlText.names(sql).stream()
                    .map(name -> new Written(DSL.table(DSL.name(name)), WriteKinds.WRITE, null, true))
                    .toArray(Written[]::new);
            LOG.log(Level.WARNING, () -> "Roan could not parse a plain SQL write, so it purges the rules of every table"
                    + " it names (rules with placeholders fall back): " + PurgePaths.abbreviate(sql) + " ("
                    + PurgePaths.printable(String.valueOf(e.getMessage())) + "). Run it through jOOQ's DSL for precise"
                    + " purges.");
            return guess;
        }
    }

    private Written[] parse(String sql, SQLDialect dialect, int binds) {
        Object[] bindings = new Object[binds];
        for (int i = 0; i < binds; i++) {
            bindings[i] = new RowValues.Bind(i);
        }
        List<Written> written = new ArrayList<>(1);
        for (Query q : parser(dialect).parser().parse(SqlText.readable(sql), bindings).queries()) {
            collect(q, null, dialect, written, true);
        }
        if (SqlText.isReplace(sql)) {
            // REPLACE deletes the old row and inserts the new one: read as INSERT above.
            written.replaceAll(w -> new Written(w.table, WriteKinds.REPLACE_EFFECTS, w.statement, w.topLevel));
        }
        if (binds > 0) {
            written.replaceAll(w -> new Written(w.table, w.kinds, w.statement, w.topLevel, true, null, false));
        }
        return written.toArray(NOTHING);
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
            out.add(new Written(insert.$into(), WriteKinds.isUpsert(insert) ? WriteKinds.UPSERT : WriteKinds.INSERT, q, topLevel));
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
                out.add(new Written(t, WriteKinds.TRUNCATE, q, topLevel));
            }
        } else if (q instanceof Select) {
            with(((Select<?>) q).$with(), dialect, out);
            for (Table<?> from : ((Select<?>) q).$from()) {
                deltaTables(from, dialect, out, topLevel);
            }
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

    /**
     * Writes in a SELECT's FROM clause: H2's and Db2's {@code select ... from final table (update ...)}, which is
     * how jOOQ renders RETURNING there, written as plain SQL. The rows it selects are the written rows.
     */
    private void deltaTables(Table<?> table, SQLDialect dialect, List<Written> out, boolean topLevel) {
        if (table instanceof QOM.TableAlias) {
            deltaTables(((QOM.TableAlias<?>) table).$table(), dialect, out, topLevel);
        } else if (table instanceof QOM.JoinTable) {
            deltaTables(((QOM.JoinTable<?, ?>) table).$table1(), dialect, out, false);
            deltaTables(((QOM.JoinTable<?, ?>) table).$table2(), dialect, out, false);
        } else if (table instanceof QOM.DataChangeDeltaTable) {
            collect(((QOM.DataChangeDeltaTable<?>) table).$query(), null, dialect, out, topLevel);
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

    /** A table a statement wrote, the effects it may have had, and the statement that tells which rows. */
    static final class Written {
        final Table<?> table;
        final int kinds;
        final @Nullable Query statement;
        final boolean topLevel;
        /** Whether {@link #statement} was parsed with {@link RowValues.Bind}s for bind values. */
        final boolean binds;
        /** The executed query whose bind values fill the {@link RowValues.Bind}s, if any. */
        final @Nullable Query bindSource;
        /** Whether the statement's own bind values are placeholders (a member of {@code batch(q).bind(...)}). */
        final boolean placeholders;

        Written(Table<?> table, int kinds, @Nullable Query statement, boolean topLevel) {
            this(table, kinds, statement, topLevel, false, null, false);
        }

        private Written(Table<?> table, int kinds, @Nullable Query statement, boolean topLevel, boolean binds,
                @Nullable Query bindSource, boolean placeholders) {
            this.table = table;
            this.kinds = kinds;
            this.statement = statement;
            this.topLevel = topLevel;
            this.binds = binds;
            this.bindSource = bindSource;
            this.placeholders = placeholders;
        }

        /** This cached write, for one execution whose bind values {@code query} holds. */
        Written boundTo(Query query) {
            return new Written(table, kinds, statement, topLevel, true, query, false);
        }

        /** This write, of a batch member whose own bind values are placeholders. */
        Written withPlaceholders() {
            return new Written(table, kinds, statement, topLevel, binds, null, true);
        }

        /** What the statement's bind values are (the execution's read only when a rule needs rows). */
        private RowValues.Binds binds() {
            if (bindSource != null) {
                return RowValues.Binds.of(bindSource.getBindValues());
            }
            return placeholders ? RowValues.Binds.PLACEHOLDERS : RowValues.Binds.NONE;
        }

        /** The rows written, from the rows read before the statement ran ({@link RowsBefore}). */
        List<Map<String, Object>> rows(@Nullable List<? extends Record> returned, RowsBefore.Read before) {
            return before.rows(statement, returned, binds());
        }

        /**
         * The partial rows written: from a batch's bind sets, else from the statement and its RETURNING
         * result. A statement inside a common
         * table expression has none of these.
         */
        List<Map<String, Object>> rows(@Nullable List<? extends Record> returned,
                BatchBinds.@Nullable BoundSets sets) {
            if (!topLevel) {
                return RowValues.of(statement, table, null, binds());
            }
            if (sets != null) {
                // The member's own values are a placeholder or the first row only (the Loader API's): never
                // take them for the batch's rows.
                List<Map<String, Object>> bound = sets.rows(statement, table);
                return bound != null ? bound : RowValues.unknown();
            }
            return RowValues.of(statement, table, returned, binds());
        }
    }
}
