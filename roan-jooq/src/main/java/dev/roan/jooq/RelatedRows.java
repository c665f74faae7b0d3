package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import org.jooq.Condition;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.Select;
import org.jooq.conf.ParamType;
import org.jooq.conf.Settings;
import org.jooq.conf.SettingsTools;
import org.jooq.impl.DSL;
import org.jspecify.annotations.Nullable;

/**
 * Reads the related rows of the rules with {@code via} ({@link PurgeRule#via(Field, Field)}): for a visit written,
 * the pet it names, whose {@code owner_id} fills {@code /owners/{owner_id}}.
 *
 * <p>The read runs in {@code executeEnd}, right after the statement and before the connection may be released, on the
 * statement's connection and so in its transaction: it sees what the transaction wrote before (a pet created in it).
 * The {@code from} values come from what the statement tells (its values, a batch's bind sets) and from
 * the rows {@link RowsBefore} read before an UPDATE or DELETE; a RETURNING result is fetched only after
 * {@code executeEnd}, too late. One {@code SELECT} per rule and step, values bound, {@value #CHUNK} at a time, inside
 * a savepoint until a read of its shape has succeeded once ({@link ReadGuard}). A rule whose {@code from} values some
 * row does not tell, or whose read fails, gets an unknown row besides those it read, so that its fallback paths are
 * purged too.
 *
 * <p>The read locks the rows it reads ({@code FOR SHARE}) on PostgreSQL, MySQL and MariaDB: otherwise a transaction
 * that moves the related row (a pet to another owner; a plain UPDATE, which does not wait for the key lock the
 * visit's foreign key took) could commit and purge both owners' pages between this read and the writer's commit; the
 * new owner's page, rendered again without the uncommitted visit, would stay cached, as the writer purges only the
 * owner it read. With the lock that UPDATE waits for the writer's commit, or (if it came first) the read waits for
 * the UPDATE's commit and reads the new owner.
 */
final class RelatedRows {

    private static final System.Logger LOG = Log.LOGGER;
    /**
     * Families whose {@code SELECT ... FOR SHARE} (MariaDB: {@code LOCK IN SHARE MODE}) takes shared row locks. H2
     * has only {@code FOR UPDATE}, which would make every read of a related row wait for its writers and them for it;
     * there, and elsewhere, the read does not lock.
     */
    private static final Set<SQLDialect> SHARING = EnumSet.of(SQLDialect.POSTGRES, SQLDialect.YUGABYTEDB,
            SQLDialect.MYSQL, SQLDialect.MARIADB);
    /** The most values bound in one read: far below every database's limit on bind values. */
    static final int CHUNK = 1_000;

    private final Rules rules;
    /** Rules whose read failed, warned about once each. */
    private final Set<Rule> warnedFailure = ConcurrentHashMap.newKeySet();
    private final ReadGuard.Shapes shapes = new ReadGuard.Shapes();
    /** The shapes of each rule's reads, unlocked and locked, with what they were rendered for. */
    private final Map<Rules.Binding, Shape> shapesByRule = new ConcurrentHashMap<>();
    private final Map<Rules.Binding, Shape> lockedShapes = new ConcurrentHashMap<>();
    private final LongAdder shapesRendered = new LongAdder();

    RelatedRows(Rules rules) {
        this.rules = rules;
    }

    /** Whether some rule reaches related rows: the one test every write pays for. */
    boolean any() {
        return rules.anyVia();
    }

    /**
     * Reads, for the writes a statement made, the related rows of the rules with {@code via} they match; null if no
     * such rule matches.
     *
     * @param before the rows read before the statement ({@link RowsBefore}), if any
     */
    @Nullable
    Read readFor(ExecuteContext ctx, List<WriteDetector.Written> written, RowsBefore.@Nullable Read before) {
        Read read = null;
        BatchBinds.BoundSets sets = null;
        for (WriteDetector.Written w : written) {
            List<Rules.Binding> via = rules.via(w.table, w.kinds);
            if (via.isEmpty()) {
                continue;
            }
            if (sets == null && ctx.batchMode() == ExecuteContext.BatchMode.SINGLE) {
                sets = BatchBinds.of(ctx);
            }
            List<Map<String, Object>> rows = new WrittenRows(w, null, sets, before).get();
            if (read == null) {
                read = new Read();
            }
            Map<Rule, List<Map<String, Object>>> reached = new LinkedHashMap<>();
            for (Rules.Binding binding : via) {
                reached.put(binding.rule, reach(ctx, w, binding, rows));
            }
            read.byWrite.put(w, reached);
        }
        return read;
    }

    /** The rows of the last step's table that the written rows lead to, plus an unknown row if some cannot. */
    private List<Map<String, Object>> reach(ExecuteContext ctx, WriteDetector.Written w, Rules.Binding binding,
            List<Map<String, Object>> rows) {
        Rule rule = binding.rule;
        List<Via> steps = binding.steps;
        Set<Object> values = new LinkedHashSet<>();
        boolean unknown = fromValues(rows, steps.get(0), values);
        List<Map<String, Object>> reached = new ArrayList<>();
        boolean failed = false;
        Connection connection = ctx.connection();
        if (!values.isEmpty() && (connection == null || BatchedConnections.beneath(ctx) != null)) {
            // dsl.batched(...): the statement has not run yet, so a read would not see its rows.
            unknown = true;
        } else if (!values.isEmpty()) {
            DSLContext dsl = ReadGuard.on(ctx, connection);
            boolean lock = SHARING.contains(ctx.family());
            try {
                reached.addAll(ReadGuard.run(connection, shapes, () -> shape(dsl, binding, lock),
                        () -> select(dsl, binding, values, lock)));
            } catch (ReadGuard.Unguarded e) {
                // The writer's transaction may be aborted: its statement fails with the read's error.
                throw e;
            } catch (RuntimeException e) {
                failed(binding, w, e);
                reached.clear();
                failed = true;
            }
        }
        if (failed) {
            List<Map<String, Object>> row = RowValues.unknown();
            row.get(0).put(Purges.RELATED_READ_FAILED, Boolean.TRUE);
            reached.addAll(row);
        } else if (unknown) {
            // The row's from column unknown: the warning about unknown rows names it.
            reached.addAll(RowValues.unknown());
        }
        return reached;
    }

    /**
     * The steps' reads, each a SELECT of the columns the next step (or the path) needs, locking the rows read
     * ({@code FOR SHARE}) if {@code lock}; without a lock a SELECT DISTINCT (PostgreSQL refuses DISTINCT with a
     * locking clause, so with one the rows are made distinct here).
     */
    private static List<Map<String, Object>> select(DSLContext dsl, Rules.Binding binding, Set<Object> fromValues,
            boolean lock) {
        List<Via> steps = binding.steps;
        Set<Object> values = fromValues;
        List<Map<String, Object>> rows = List.of();
        for (int i = 0; i < steps.size() && !values.isEmpty(); i++) {
            Via step = steps.get(i);
            List<Field<?>> columns = columns(binding, i);
            Set<Map<String, Object>> distinct = new LinkedHashSet<>();
            List<Object> all = new ArrayList<>(values);
            for (int start = 0; start < all.size(); start += CHUNK) {
                List<Object> chunk = all.subList(start, Math.min(all.size(), start + CHUNK));
                distinct.addAll(RowValues.returnedRows(read(dsl, step, columns, step.to.in(chunk), lock).fetch()));
            }
            rows = new ArrayList<>(distinct);
            if (i < steps.size() - 1) {
                String next = steps.get(i + 1).from.getName();
                values = new LinkedHashSet<>();
                for (Map<String, Object> row : rows) {
                    Object value = row.get(next);
                    if (value != null && value != RowValues.NULL) {
                        values.add(value);
                    }
                }
                rows = List.of();
            }
        }
        return rows;
    }

    private static ResultQuery<Record> read(DSLContext dsl, Via step, List<Field<?>> columns, Condition where,
            boolean lock) {
        return lock
                ? dsl.select(columns).from(step.toTable).where(where).forShare()
                : dsl.selectDistinct(columns).from(step.toTable).where(where);
    }

    /** The columns step {@code i} reads: the next step's from column, or the last step's the path's placeholders. */
    private static List<Field<?>> columns(Rules.Binding binding, int i) {
        List<Via> steps = binding.steps;
        return columns(steps.get(i), i == steps.size() - 1 ? binding.rule.template().placeholders()
                : List.of(steps.get(i + 1).from.getName()));
    }

    /**
     * The shape of a rule's reads ({@link ReadGuard.Shapes}): each step's SQL with one value. It depends on the rule,
     * the lock and how the configuration renders, not on the values: rendered once per rule, not per statement.
     */
    private String shape(DSLContext dsl, Rules.Binding binding, boolean lock) {
        Map<Rules.Binding, Shape> cache = lock ? lockedShapes : shapesByRule;
        Configuration c = dsl.configuration();
        Shape cached = cache.get(binding);
        if (cached != null && cached.dialect == c.dialect() && rendersAlike(cached.settings, c.settings())) {
            return cached.sql;
        }
        shapesRendered.increment();
        // As they were before rendering, which completes them (a render mapping appears).
        Settings settings = SettingsTools.clone(c.settings());
        String sql = render(dsl, binding, lock);
        if (cache.size() >= ReadGuard.Shapes.MAX) {
            cache.clear(); // rules registered anew, again and again: their old bindings go
        }
        cache.put(binding, new Shape(c.dialect(), settings, sql));
        return sql;
    }

    /**
     * Whether two settings name tables and columns alike in SQL. Not {@code equals}, which would also compare what
     * has nothing to do with rendering.
     */
    private static boolean rendersAlike(Settings a, Settings b) {
        return Objects.equals(a.getRenderMapping(), b.getRenderMapping())
                && Objects.equals(a.isRenderSchema(), b.isRenderSchema())
                && Objects.equals(a.isRenderCatalog(), b.isRenderCatalog())
                && a.getRenderQuotedNames() == b.getRenderQuotedNames()
                && a.getRenderNameCase() == b.getRenderNameCase()
                && a.getRenderKeywordCase() == b.getRenderKeywordCase();
    }

    /** The shapes of related reads rendered since this was built: once per rule (and lock, and rendering settings). */
    long shapesRendered() {
        return shapesRendered.sum();
    }

    private static String render(DSLContext dsl, Rules.Binding binding, boolean lock) {
        StringBuilder shape = new StringBuilder();
        for (int i = 0; i < binding.steps.size(); i++) {
            Via step = binding.steps.get(i);
            shape.append(read(dsl, step, columns(binding, i), step.to.in(DSL.val((Object) null, step.to)), lock)
                    .getSQL(ParamType.INDEXED)).append(";\n");
        }
        return shape.toString();
    }

    /** The columns of a step's table by name, as registration checked them. */
    private static List<Field<?>> columns(Via step, List<String> names) {
        List<Field<?>> columns = new ArrayList<>(names.size());
        for (String name : names) {
            for (Field<?> field : step.toTable.fields()) {
                if (field.getName().equalsIgnoreCase(name) && !columns.contains(field)) {
                    columns.add(field);
                }
            }
        }
        return columns;
    }

    private void failed(Rules.Binding binding, WriteDetector.Written w, RuntimeException e) {
        Rule rule = binding.rule;
        if (warnedFailure.size() < 1_000 && warnedFailure.add(rule)) {
            LOG.log(Level.WARNING, () -> "Roan could not read the rows related to a write of "
                    + PurgePaths.printable(w.table.getName()) + " for \"" + rule.path() + "\" ("
                    + PurgePaths.printable(String.valueOf(binding.steps)) + "): " + ReadGuard.describe(e)
                    + ". The write is unaffected; it purges the rule's fallback paths instead"
                    + (rule.fallbacks().isEmpty() ? " (none: declare them with whenRowsUnknown(...))"
                            : " " + rule.fallbacks()) + ". (Logged once per rule.)");
        }
    }

    /**
     * What {@link Roan#explain} shows of a rule with {@code via}: the read it would run, the steps nested into one
     * SELECT, with the values the statement tells; or nothing when it tells none, and the rule falls back.
     */
    static Function<Rules.Binding, List<Map<String, Object>>> explain(WriteDetector.Written w,
            SQLDialect dialect, List<String> reads) {
        return binding -> {
            Rule rule = binding.rule;
            List<Map<String, Object>> rows = new WrittenRows(w, null, null, null).get();
            List<Via> steps = binding.steps;
            Set<Object> values = new LinkedHashSet<>();
            boolean unknown = fromValues(rows, steps.get(0), values);
            if (!values.isEmpty()) {
                Condition condition = steps.get(0).to.in(values);
                Select<?> select = null;
                for (int i = 0; i < steps.size(); i++) {
                    Via step = steps.get(i);
                    boolean last = i == steps.size() - 1;
                    List<Field<?>> columns = columns(step, last ? rule.template().placeholders()
                            : List.of(steps.get(i + 1).from.getName()));
                    select = (last ? DSL.selectDistinct(columns) : DSL.select(columns)).from(step.toTable)
                            .where(condition);
                    if (!last) {
                        // A plain template: Field.in(Select) wants a typed Record1, which a runtime chain lacks.
                        condition = DSL.condition("{0} in ({1})", steps.get(i + 1).to, select);
                    }
                }
                reads.add(rule.path() + ": " + DSL.using(dialect).renderInlined(select));
            }
            return unknown ? RowValues.unknown() : List.of();
        };
    }

    /**
     * Adds to {@code values} the first step's {@code from} value of each written row; SQL NULL leads nowhere.
     *
     * @return whether some row does not tell its value (unknown, or bytes no read can bind)
     */
    private static boolean fromValues(List<Map<String, Object>> rows, Via first, Set<Object> values) {
        String from = first.from.getName();
        boolean unknown = false;
        for (Map<String, Object> row : rows) {
            Object value = row.get(from);
            if (value == null || (value != RowValues.NULL && value.getClass().isArray())) {
                unknown = true;
            } else if (value != RowValues.NULL) {
                values.add(value);
            }
        }
        return unknown;
    }

    /** The related rows read for one statement, by write and rule. */
    static final class Read {
        private final Map<WriteDetector.Written, Map<Rule, List<Map<String, Object>>>> byWrite = new IdentityHashMap<>();

        /** The rows {@code rule} reached from {@code w}, or null if it read none for it (the rule then falls back). */
        @Nullable
        Function<Rules.Binding, List<Map<String, Object>>> of(WriteDetector.Written w) {
            Map<Rule, List<Map<String, Object>>> reached = byWrite.get(w);
            return reached == null ? null : binding -> reached.getOrDefault(binding.rule, RowValues.unknown());
        }
    }

    /** A rule's read shape as rendered for one dialect and settings. */
    private static final class Shape {
        final SQLDialect dialect;
        final Settings settings;
        final String sql;

        Shape(SQLDialect dialect, Settings settings, String sql) {
            this.dialect = dialect;
            this.settings = settings;
            this.sql = sql;
        }
    }
}
