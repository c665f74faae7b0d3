package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.Select;
import org.jooq.SelectFieldOrAsterisk;
import org.jooq.SortField;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.UniqueKey;
import org.jooq.conf.ParseUnknownFunctions;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.QOM;
import org.jspecify.annotations.Nullable;

/**
 * Reads → keys: what a SELECT executed inside a tracked render depends on, as {@link Dependency} keys.
 *
 * <p>For each base table the read touches (in its FROM clause, joins, derived tables, common table expressions and
 * subqueries of its conditions and select list): when the conditions that hold for every row it returns pin a column
 * to values ({@code =} or {@code IN} against bind values or literals, {@code AND} of those, and equalities between
 * columns that carry a pinned value to another table, {@code owners.id = 4 JOIN pets ON pets.owner_id = owners.id}),
 * the read depends on the rows holding those values: one row key per value, plus the table's {@link
 * Dependency#anyRow} (a write whose rows Roan cannot see purges it). Anything else (a scan, a range, {@code LIKE},
 * {@code OR}) makes it depend on the table key. Dropping a condition one does not understand only widens the set of
 * rows a read may depend on, so that is always safe; an aggregate or a {@code LIMIT} over a pinned set depends on
 * that set only.
 *
 * <p>What it cannot see whole it does not trust: the rendered SQL's {@code SELECT}s are counted, and a read with a
 * set operation ({@code UNION}, which jOOQ 3.19's model does not show) or a subquery the walk did not reach depends
 * on every table its SQL names; a read whose SQL cannot be parsed (plain SQL) on {@link Dependency#EVERYTHING}. Both
 * are logged once per SQL string (bounded), without values.
 *
 * <p>Values are turned into strings by {@link KeyValues#valueString}, which the write side uses too, so that a read
 * {@code WHERE id = 4} with an Integer and a write of row 4 with a Long give equal keys; strings are folded as the
 * database may compare them (case, trailing spaces, numbers), except on MySQL and MariaDB, whose default collations
 * also ignore accents: there a string pins nothing (the table key). A cast that may change a value, a view (asked of
 * the database's metadata by {@link TableTypes}) and a stored function's call make the read depend on the table key,
 * or on {@link Dependency#EVERYTHING} for the last two.
 */
final class ReadAnalysis {

    private static final System.Logger LOG = Log.LOGGER;
    /** Upper bound of each per-SQL cache; beyond it a cache starts over (SQL with inlined values). */
    static final int MAX_CACHED = 10_000;
    /** SQL strings logged as not analysable, at most. */
    static final int MAX_WARNED = 1_000;
    /** Values one column of one table may be pinned to in one read; beyond, the table key. */
    static final int MAX_VALUES = 1_000;
    private static final Set<String> KEYWORDS = Set.of("select", "from", "where", "and", "or", "not", "in", "is",
            "null", "as", "on", "join", "left", "right", "inner", "outer", "full", "cross", "union", "all", "distinct",
            "order", "by", "group", "having", "limit", "offset", "fetch", "first", "next", "rows", "row", "only",
            "with", "recursive", "exists", "like", "between", "case", "when", "then", "else", "end", "asc", "desc",
            "count", "sum", "min", "max", "avg", "lower", "upper", "coalesce", "cast", "true", "false", "except",
            "intersect", "minus", "using", "lateral", "values", "for", "update", "share", "nulls", "last", "escape",
            "ilike", "similar", "to", "any", "some", "over", "partition", "window", "filter");

    /** What a read depends on, and the (table, column) pairs whose writes must produce row keys. */
    record Keys(Set<Dependency> keys, List<Pin> pins, boolean guessed) {
        Keys(Set<Dependency> keys, List<Pin> pins) {
            this(keys, pins, false);
        }
    }

    /**
     * A table some read touched, and the column it pinned if any: writes of {@code table} must produce its key, and
     * with a column that column's old and new values as row keys.
     */
    record Pin(Table<?> table, @Nullable String column) {}

    /** Per SQL string: how many SELECTs it has, and whether it has a set operation. */
    private final Map<String, Integer> selectCounts = new ConcurrentHashMap<>();
    /** Per plain SQL string: its parsed SELECT (with a {@link RowValues.Bind} per {@code ?}), or null if none. */
    private final Map<String, Parsed> plainSql = new ConcurrentHashMap<>();
    private final Map<SQLDialect, DSLContext> parsers = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final TableTypes types = new TableTypes();

    private record Parsed(@Nullable Select<?> select, boolean binds) {}

    /**
     * The keys of an executed read.
     *
     * @param query   the executed query: a DSL {@code Select}, or plain SQL
     * @param sql     the SQL as rendered for execution, or null if unknown
     * @param dialect the dialect it ran on
     * @return the keys, or null if the query is no read (plain SQL that writes)
     */
    @Nullable
    Keys analyse(Query query, @Nullable String sql, SQLDialect dialect) {
        return analyse(query, sql, dialect, null);
    }

    /**
     * The keys of an executed read, the names it reads checked against the database's metadata.
     *
     * @param connection the read's connection, to tell views from tables ({@link TableTypes}); null to take every
     *                   name that is no generated view for a table
     * @see #analyse(Query, String, SQLDialect)
     */
    @Nullable
    Keys analyse(Query query, @Nullable String sql, SQLDialect dialect, @Nullable Connection connection) {
        Keys keys = analyseNames(query, sql, dialect, connection);
        if (keys == null || keys.pins.isEmpty()) {
            return keys;
        }
        for (Pin pin : keys.pins) {
            TableTypes.Type type = types.of(pin.table(), connection);
            if (type != TableTypes.Type.BASE && !(type == TableTypes.Type.UNKNOWN && keys.guessed)) {
                String name = pin.table().getName();
                if (warned.size() < MAX_WARNED && warned.add("\u0000view " + name)) {
                    LOG.log(Level.WARNING, () -> "Roan's tracked renders read " + name + ", which the database does not"
                            + " list as a table (a view, a synonym, or a name its metadata could not tell), and writes"
                            + " name the tables under it: pages that read it depend on everything (any committed"
                            + " write purges them). (Logged once per name.)");
                }
                return new Keys(Set.of(Dependency.EVERYTHING), List.of());
            }
        }
        return keys;
    }

    @Nullable
    private Keys analyseNames(Query query, @Nullable String sql, SQLDialect dialect, @Nullable Connection connection) {
        String text = sql != null ? sql : query.getSQL();
        if (SqlText.isPlainSql(query)) {
            Parsed parsed = parsed(text, dialect, query);
            if (parsed.select == null) {
                if (SqlText.isWrite(text)) {
                    return null;
                }
                return new Keys(Set.of(Dependency.EVERYTHING), List.of());
            }
            RowValues.Binds binds = parsed.binds ? RowValues.Binds.of(query.getBindValues()) : RowValues.Binds.NONE;
            return walk(parsed.select, text, dialect, binds, true);
        }
        if (!(query instanceof Select)) {
            return null;
        }
        return walk((Select<?>) query, text, dialect, RowValues.Binds.NONE, false);
    }

    private Keys walk(Select<?> select, String sql, SQLDialect dialect, RowValues.Binds binds, boolean parsed) {
        Walk walk = new Walk(binds, stringsPinned(dialect), parsed);
        try {
            walk.select(select, null);
        } catch (RuntimeException | StackOverflowError | LinkageError e) {
            // A model this jOOQ version shapes otherwise: the fallback is always safe.
            walk.complete = false;
        }
        int selects = selectCount(sql);
        if (walk.calls != null) {
            String call = walk.calls;
            if (warned.size() < MAX_WARNED && warned.add("\u0000call " + call)) {
                LOG.log(Level.WARNING, () -> "Roan cannot tell what the stored function " + call + " reads inside a"
                        + " tracked render, so pages that call it depend on everything (any committed write purges"
                        + " them). (Logged once per function.)");
            }
            return new Keys(Set.of(Dependency.EVERYTHING), List.of());
        }
        if (!walk.complete || selects != walk.selects) {
            return fallback(sql);
        }
        return new Keys(walk.keys, walk.pins);
    }

    /** A read not understood whole: every table its SQL names, or everything if it names none. */
    private Keys fallback(String sql) {
        Set<Dependency> keys = new LinkedHashSet<>();
        for (String name : SqlText.names(sql)) {
            if (!KEYWORDS.contains(name.toLowerCase(Locale.ROOT))) {
                keys.add(Dependency.table(name));
            }
        }
        List<Pin> pins = new ArrayList<>(keys.size());
        for (Dependency key : keys) {
            pins.add(new Pin(DSL.table(DSL.name(key.table())), null));
        }
        if (keys.isEmpty()) {
            keys.add(Dependency.EVERYTHING);
        }
        if (warned.size() < MAX_WARNED && warned.add(sql)) {
            LOG.log(Level.INFO, () -> "Roan cannot tell which rows this tracked read depends on (a set operation,"
                    + " or a part of it Roan does not analyse), so its page depends on every table it names: "
                    + PurgePaths.abbreviate(sql) + ". (Logged once per statement.)");
        }
        return new Keys(keys, pins, true);
    }

    /** SELECTs in the SQL, or -1 with a set operation: compared with those the walk reached. */
    private int selectCount(String sql) {
        Integer cached = selectCounts.get(sql);
        if (cached != null) {
            return cached;
        }
        int count = 0;
        for (String word : SqlText.words(sql)) {
            String w = word.toLowerCase(Locale.ROOT);
            if (w.equals("select")) {
                count++;
            } else if (w.equals("union") || w.equals("except") || w.equals("intersect") || w.equals("minus")) {
                count = -1;
                break;
            }
        }
        if (selectCounts.size() >= MAX_CACHED) {
            selectCounts.clear();
        }
        selectCounts.put(sql, count);
        return count;
    }

    private Parsed parsed(String sql, SQLDialect dialect, Query query) {
        Parsed cached = plainSql.get(sql);
        if (cached != null) {
            return cached;
        }
        Parsed parsed = parse(sql, dialect, query.getBindValues().size());
        if (parsed.select == null && !SqlText.isWrite(sql) && warned.size() < MAX_WARNED && warned.add(sql)) {
            LOG.log(Level.WARNING, () -> "Roan could not parse a plain SQL read inside a tracked render, so its page"
                    + " depends on everything (any committed write purges it): " + PurgePaths.abbreviate(sql)
                    + ". Run it through jOOQ's DSL for precise dependencies. (Logged once per statement.)");
        }
        if (plainSql.size() >= MAX_CACHED) {
            plainSql.clear();
        }
        plainSql.put(sql, parsed);
        return parsed;
    }

    private Parsed parse(String sql, SQLDialect dialect, int binds) {
        DSLContext parser = parsers.computeIfAbsent(dialect, d -> DSL.using(d, new Settings().withParseDialect(d)
                .withParseUnknownFunctions(ParseUnknownFunctions.IGNORE)));
        for (int n : binds > 0 ? new int[] {binds, 0} : new int[] {0}) {
            Object[] bindings = new Object[n];
            for (int i = 0; i < n; i++) {
                bindings[i] = new RowValues.Bind(i);
            }
            try {
                Query q = parser.parser().parseQuery(SqlText.readable(sql), bindings);
                return new Parsed(q instanceof Select && ((Select<?>) q).$with() == null || isReadWith(q)
                        ? (Select<?>) q : null, n > 0);
            } catch (RuntimeException | StackOverflowError e) {
                // A count that does not match (values inlined), or SQL the parser does not read: try without.
            }
        }
        return new Parsed(null, false);
    }

    /** A SELECT with a WITH clause none of whose expressions writes. */
    private static boolean isReadWith(@Nullable Query q) {
        if (!(q instanceof Select)) {
            return false;
        }
        for (CommonTableExpression<?> cte : ((Select<?>) q).$with().$commonTableExpressions()) {
            if (!(cte.$query() instanceof Select)) {
                return false;
            }
        }
        return true;
    }

    private static boolean stringsPinned(SQLDialect dialect) {
        SQLDialect family = dialect.family();
        return family != SQLDialect.MYSQL && family != SQLDialect.MARIADB;
    }

    /** {@code ConditionProviderImpl.$delegate()}, public in a package-private jOOQ class; null if unavailable. */
    private static final java.lang.reflect.@Nullable Method DELEGATE = delegateMethod();

    private static java.lang.reflect.@Nullable Method delegateMethod() {
        try {
            java.lang.reflect.Method m = Class.forName("org.jooq.impl.ConditionProviderImpl").getMethod("$delegate");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * The condition a join's {@code ON} holds: jOOQ 3.19 keeps it in a {@code ConditionProviderImpl}, whose model is
     * reached through {@code $delegate()} only. Left as it is if that fails: its pins are lost, and a subquery in it is
     * caught by the count.
     */
    @Nullable
    static Condition unwrap(@Nullable Condition c) {
        Condition condition = c;
        while (condition != null && DELEGATE != null
                && condition.getClass().getName().equals("org.jooq.impl.ConditionProviderImpl")) {
            try {
                Object inner = DELEGATE.invoke(condition);
                if (!(inner instanceof Condition) || inner == condition) {
                    break;
                }
                condition = (Condition) inner;
            } catch (ReflectiveOperationException | RuntimeException e) {
                break;
            }
        }
        return condition;
    }

    /** The generated tables' own instances, by class: {@code POST} for {@code POST.as("p")}. */
    private static final ClassValue<Table<?>[]> GENERATED = new ClassValue<>() {
        @Override
        protected Table<?>[] computeValue(Class<?> type) {
            for (java.lang.reflect.Field f : type.getFields()) {
                if (f.getType() == type && java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    try {
                        return new Table<?>[] {(Table<?>) f.get(null)};
                    } catch (IllegalAccessException | RuntimeException e) {
                        break;
                    }
                }
            }
            return new Table<?>[0];
        }
    };

    /** A generated table's own instance for an alias of it ({@code POST} for {@code POST.as("p")}); else itself. */
    static Table<?> base(Table<?> table) {
        Table<?> t = Tables.unaliased(table);
        if (Tables.isGenerated(t)) {
            Table<?>[] own = GENERATED.get(t.getClass());
            if (own.length == 1 && own[0] != null) {
                return own[0];
            }
        }
        return t;
    }

    /** One analysis: the walk over one read's model. */
    private static final class Walk {
        final RowValues.Binds binds;
        final boolean strings;
        final Set<Dependency> keys = new LinkedHashSet<>();
        final List<Pin> pins = new ArrayList<>(2);
        /** SELECTs walked, compared with those of the SQL. */
        int selects;
        boolean complete = true;
        /** Whether the read is parsed plain SQL, whose functions the parser does not know are the user's. */
        final boolean parsed;
        /** The name of a stored function the read calls, whose body may read any table; null if none. */
        @Nullable String calls;
        /** The names of the common table expressions in scope (lower case), which are no tables. */
        final Set<String> ctes = new LinkedHashSet<>();

        Walk(RowValues.Binds binds, boolean strings, boolean parsed) {
            this.parsed = parsed;
            this.binds = binds;
            this.strings = strings;
        }

        void select(Select<?> select, @Nullable Scope parent) {
            selects++;
            QOM.With with = select.$with();
            if (with != null) {
                for (CommonTableExpression<?> cte : with.$commonTableExpressions()) {
                    ctes.add(cte.getName().toLowerCase(Locale.ROOT));
                }
                for (CommonTableExpression<?> cte : with.$commonTableExpressions()) {
                    if (cte.$query() instanceof Select) {
                        select((Select<?>) cte.$query(), null);
                    } else {
                        complete = false;
                    }
                }
            }
            Scope scope = new Scope(parent);
            List<Select<?>> nested = new ArrayList<>();
            for (Table<?> from : select.$from()) {
                from(from, scope, nested);
            }
            // Conditions that hold for every row the read returns: WHERE and inner joins' ON; an outer join's ON
            // holds for the rows of its null-supplying side only (see from()).
            conjuncts(select.$where(), scope.global, scope, nested);
            for (Condition on : scope.inner) {
                conjuncts(on, scope.global, scope, nested);
            }
            for (Group g : scope.outer) {
                conjuncts(g.condition, g, scope, nested);
            }
            subqueries(select.$having(), nested);
            subqueries(select.$qualify(), nested);
            for (SelectFieldOrAsterisk field : select.$select()) {
                subqueries(field, nested);
            }
            for (SortField<?> sort : select.$orderBy()) {
                subqueries(sort.$field(), nested);
            }
            scope.solve();
            for (Occurrence o : scope.occurrences) {
                keysOf(o);
            }
            for (Select<?> inner : nested) {
                select(inner, scope);
            }
        }

        /** The base tables of a FROM element, each an occurrence; derived tables are walked as reads of their own. */
        private void from(Table<?> table, Scope scope, List<Select<?>> nested) {
            if (table instanceof QOM.JoinTable) {
                QOM.JoinTable<?, ?> join = (QOM.JoinTable<?, ?>) table;
                int left = scope.occurrences.size();
                from(join.$table1(), scope, nested);
                int right = scope.occurrences.size();
                from(join.$table2(), scope, nested);
                if (join instanceof QOM.QualifiedJoin) {
                    Condition on = ((QOM.QualifiedJoin<?, ?>) join).$on();
                    if (on != null) {
                        if (join instanceof QOM.Join || join instanceof QOM.StraightJoin) {
                            scope.inner.add(on);
                        } else {
                            // An outer join's ON narrows only the rows of its null-supplying side.
                            Set<Occurrence> applies = join instanceof QOM.LeftJoin
                                    ? scope.range(right, scope.occurrences.size())
                                    : join instanceof QOM.RightJoin ? scope.range(left, right) : Set.of();
                            scope.outer.add(new Group(on, applies));
                        }
                    }
                }
                return;
            }
            String alias = null;
            Table<?> t = table;
            if (t instanceof QOM.TableAlias) {
                alias = ((QOM.TableAlias<?>) t).$alias().last();
                t = Tables.unaliased(t);
            } else if (Tables.isGenerated(t)) {
                // POST.as("p") is a Post named "p", no TableAlias.
                alias = t.getName();
                t = base(t);
            }
            if (t instanceof QOM.DerivedTable) {
                nested.add(((QOM.DerivedTable<?>) t).$arg1());
                return;
            }
            if (t instanceof CommonTableExpression || ctes.contains(t.getName().toLowerCase(Locale.ROOT))
                    && !Tables.isGenerated(t)) {
                return;
            }
            if (!isBaseTable(t)) {
                // VALUES, table-valued functions, LATERAL, UNNEST: what they read is not known here.
                complete = false;
                return;
            }
            Occurrence o = new Occurrence(table, t, alias != null ? alias : t.getName());
            o.scope = scope;
            scope.occurrences.add(o);
        }

        /** A named table: a generated one, or one named by the parser or {@code DSL.table(name)}. */
        private static boolean isBaseTable(Table<?> t) {
            return !(t instanceof QOM.JoinTable) && !(t instanceof QOM.DerivedTable) && !(t instanceof QOM.Values)
                    && !(t instanceof QOM.Lateral) && t.getClass().getName().startsWith("org.jooq.impl.TableImpl")
                    || Tables.isGenerated(t);
        }

        /** The pins a condition that holds for every row gives, and the subqueries it holds. */
        private void conjuncts(@Nullable Condition condition, Group group, Scope scope, List<Select<?>> nested) {
            Condition c = unwrap(condition);
            if (c == null) {
                return;
            }
            if (c instanceof QOM.And) {
                conjuncts(((QOM.And) c).$arg1(), group, scope, nested);
                conjuncts(((QOM.And) c).$arg2(), group, scope, nested);
            } else if (c instanceof QOM.Eq) {
                QOM.Eq<?> eq = (QOM.Eq<?>) c;
                equality(eq.$arg1(), eq.$arg2(), group, scope);
                subqueries(eq.$arg1(), nested);
                subqueries(eq.$arg2(), nested);
            } else if (c instanceof QOM.InList) {
                QOM.InList<?> in = (QOM.InList<?>) c;
                Column column = scope.resolve(in.$field());
                if (column != null && column.occurrence.scope == scope) {
                    Set<String> values = new LinkedHashSet<>();
                    for (Field<?> element : in.$list()) {
                        String value = value(element);
                        if (value == null) {
                            values = null;
                            break;
                        }
                        values.add(value);
                    }
                    if (values != null && !values.isEmpty() && values.size() <= MAX_VALUES) {
                        group.pins.add(new Pinned(column, values));
                    }
                }
                for (Field<?> element : in.$list()) {
                    subqueries(element, nested);
                }
            } else {
                subqueries(c, nested);
            }
        }

        private void equality(Field<?> a, Field<?> b, Group group, Scope scope) {
            Column left = scope.resolve(a);
            Column right = scope.resolve(b);
            if (left != null && right != null) {
                group.edges.add(new Edge(left, right));
                return;
            }
            Column column = left != null ? left : right;
            if (column == null || column.occurrence.scope != scope) {
                return;
            }
            String value = value(left != null ? b : a);
            if (value != null) {
                group.pins.add(new Pinned(column, Set.of(value)));
            }
        }

        /** A bind value's or literal's key string; null if not a value, SQL NULL, or of a type that pins nothing. */
        @Nullable
        private String value(Field<?> field) {
            Object value = RowValues.valueOf(field, binds);
            if (value == null || value == RowValues.NULL) {
                return null;
            }
            if (value instanceof String && !strings) {
                return null;
            }
            return KeyValues.valueString(value);
        }

        /** The SELECTs a condition or an expression holds, as far as Roan knows its model; the count checks the rest. */
        private void subqueries(@Nullable Object wrapped, List<Select<?>> nested) {
            Object part = wrapped instanceof Condition ? unwrap((Condition) wrapped) : wrapped;
            if (part == null) {
                return;
            }
            if (part instanceof Select) {
                nested.add((Select<?>) part);
            } else if (part instanceof QOM.ScalarSubquery) {
                nested.add(((QOM.ScalarSubquery<?>) part).$arg1());
            } else if (part instanceof QOM.In) {
                subqueries(((QOM.In<?>) part).$arg1(), nested);
                nested.add(((QOM.In<?>) part).$arg2());
            } else if (part instanceof QOM.NotIn) {
                subqueries(((QOM.NotIn<?>) part).$arg1(), nested);
                nested.add(((QOM.NotIn<?>) part).$arg2());
            } else if (part instanceof QOM.Exists) {
                // $arg1(), not $query(): a Select on jOOQ 3.19, a TableLike from 3.21 on, where the 3.19 method this
                // jar was compiled against is gone. Anything but a Select is caught by the count.
                Object query = ((QOM.Exists) part).$arg1();
                if (query instanceof Select) {
                    nested.add((Select<?>) query);
                }
            } else if (part instanceof QOM.QuantifiedSelect) {
                nested.add(((QOM.QuantifiedSelect<?>) part).$arg2());
            } else if (part instanceof QOM.And) {
                subqueries(((QOM.And) part).$arg1(), nested);
                subqueries(((QOM.And) part).$arg2(), nested);
            } else if (part instanceof QOM.Or) {
                subqueries(((QOM.Or) part).$arg1(), nested);
                subqueries(((QOM.Or) part).$arg2(), nested);
            } else if (part instanceof QOM.Not) {
                subqueries(((QOM.Not) part).$arg1(), nested);
            } else if (part instanceof QOM.Eq) {
                subqueries(((QOM.Eq<?>) part).$arg1(), nested);
                subqueries(((QOM.Eq<?>) part).$arg2(), nested);
            } else if (part instanceof QOM.Ne) {
                subqueries(((QOM.Ne<?>) part).$arg1(), nested);
                subqueries(((QOM.Ne<?>) part).$arg2(), nested);
            } else if (part instanceof QOM.Lt) {
                subqueries(((QOM.Lt<?>) part).$arg1(), nested);
                subqueries(((QOM.Lt<?>) part).$arg2(), nested);
            } else if (part instanceof QOM.Le) {
                subqueries(((QOM.Le<?>) part).$arg1(), nested);
                subqueries(((QOM.Le<?>) part).$arg2(), nested);
            } else if (part instanceof QOM.Gt) {
                subqueries(((QOM.Gt<?>) part).$arg1(), nested);
                subqueries(((QOM.Gt<?>) part).$arg2(), nested);
            } else if (part instanceof QOM.Ge) {
                subqueries(((QOM.Ge<?>) part).$arg1(), nested);
                subqueries(((QOM.Ge<?>) part).$arg2(), nested);
            } else if (part instanceof QOM.FieldAlias) {
                subqueries(((QOM.FieldAlias<?>) part).$aliased(), nested);
            } else if (part instanceof Field && isCall((Field<?>) part)) {
                calls = ((Field<?>) part).getName();
            }
            // Anything else holding a SELECT (a function over a subquery, MULTISET) is caught by the count.
        }

        /**
         * A stored function's call: a generated routine's field, or in parsed SQL a function the parser does not
         * know (a user's; {@code DSL.function} in the DSL is taken for a built-in).
         */
        private boolean isCall(Field<?> field) {
            String type = field.getClass().getName();
            return type.equals("org.jooq.impl.AbstractRoutine$RoutineField")
                    || parsed && (type.equals("org.jooq.impl.Function") || type.equals("org.jooq.impl.Function1"));
        }

        /** An occurrence's keys: its row keys if a column is pinned, else its table key. */
        private void keysOf(Occurrence o) {
            String table = o.table.getName();
            Map.Entry<String, Set<String>> chosen = o.chosen();
            if (chosen == null) {
                keys.add(Dependency.table(table));
                pins.add(new Pin(o.table, null));
                return;
            }
            for (String value : chosen.getValue()) {
                keys.add(Dependency.row(table, chosen.getKey(), value));
            }
            keys.add(Dependency.anyRow(table));
            pins.add(new Pin(o.table, chosen.getKey()));
        }
    }

    /**
     * What a group of conditions says: columns equal to values, and columns equal to each other. The global group
     * (WHERE, inner joins' ON) holds for every row; an outer join's ON for the rows of {@code applies} only.
     */
    private static final class Group {
        final @Nullable Condition condition;
        final @Nullable Set<Occurrence> applies;
        final List<Pinned> pins = new ArrayList<>(2);
        final List<Edge> edges = new ArrayList<>(1);

        Group(@Nullable Condition condition, @Nullable Set<Occurrence> applies) {
            this.condition = condition;
            this.applies = applies;
        }
    }

    /** A column equal to one of these values. */
    private record Pinned(Column column, Set<String> values) {}

    /** An equality between two columns. */
    private record Edge(Column a, Column b) {}

    /** A column of an occurrence, as a condition names it. */
    private record Column(Occurrence occurrence, String name) {}

    /** The tables of one SELECT, and what its conditions say of them. */
    private static final class Scope {
        final @Nullable Scope parent;
        final List<Occurrence> occurrences = new ArrayList<>(2);
        final Group global = new Group(null, null);
        /** Inner joins' ON conditions, read into {@link #global}. */
        final List<Condition> inner = new ArrayList<>(1);
        final List<Group> outer = new ArrayList<>(0);

        Scope(@Nullable Scope parent) {
            this.parent = parent;
        }

        Set<Occurrence> range(int from, int to) {
            Set<Occurrence> set = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = from; i < to; i++) {
                set.add(occurrences.get(i));
            }
            return set;
        }

        /**
         * Pins each occurrence's columns: the global group's values carried along its equalities; then, for each
         * outer join, what its ON adds to that (as if it held for every row) for its null-supplying side only.
         */
        void solve() {
            Map<Occurrence, Map<String, Set<String>>> pins = new IdentityHashMap<>();
            solve(pins, global);
            for (Group g : outer) {
                Map<Occurrence, Map<String, Set<String>>> local = new IdentityHashMap<>();
                pins.forEach((o, columns) -> local.put(o, new LinkedHashMap<>(columns)));
                solve(local, global, g);
                for (Occurrence o : g.applies) {
                    Map<String, Set<String>> found = local.get(o);
                    if (found != null) {
                        found.forEach((column, values) -> pins.computeIfAbsent(o, k -> new LinkedHashMap<>())
                                .putIfAbsent(column, values));
                    }
                }
            }
            if (!outer.isEmpty()) {
                solve(pins, global);
            }
            pins.forEach((o, columns) -> o.pinned.putAll(columns));
        }

        private void solve(Map<Occurrence, Map<String, Set<String>>> pins, Group... groups) {
            List<Edge> edges = new ArrayList<>();
            for (Group g : groups) {
                for (Pinned p : g.pins) {
                    if (p.column.occurrence.scope == this) {
                        // Any one condition that holds for every row bounds them: keep the narrower.
                        pins.computeIfAbsent(p.column.occurrence, k -> new LinkedHashMap<>()).merge(p.column.name,
                                p.values, (old, now) -> now.size() < old.size() ? now : old);
                    }
                }
                edges.addAll(g.edges);
            }
            boolean changed = true;
            for (int round = 0; changed && round <= edges.size(); round++) {
                changed = false;
                for (Edge e : edges) {
                    changed |= carry(pins, e.b, e.a);
                    changed |= carry(pins, e.a, e.b);
                }
            }
        }

        private boolean carry(Map<Occurrence, Map<String, Set<String>>> pins, Column from, Column to) {
            Set<String> values;
            if (from.occurrence.scope == this) {
                Map<String, Set<String>> columns = pins.get(from.occurrence);
                values = columns == null ? null : columns.get(from.name);
            } else {
                // A column of an enclosing SELECT, solved before this one: a correlated subquery.
                values = from.occurrence.pinned.get(from.name);
            }
            if (values == null || to.occurrence.scope != this) {
                return false;
            }
            return pins.computeIfAbsent(to.occurrence, k -> new LinkedHashMap<>()).putIfAbsent(to.name, values) == null;
        }

        /** The occurrence a column belongs to, here or in an enclosing SELECT (a correlated subquery); or null. */
        @Nullable
        Column resolve(Field<?> field) {
            Field<?> f = field;
            if (f instanceof QOM.Cast) {
                // cast(slug as varchar(1)) = 'a' holds for 'avocado': a cast column pins nothing.
                return null;
            }
            String qualifier;
            String column;
            Table<?> owner = null;
            if (f instanceof TableField) {
                owner = ((TableField<?, ?>) f).getTable();
                qualifier = owner == null ? null : owner.getName();
                column = f.getName();
            } else if (RowValues.isPlainSqlField(f)) {
                List<String> parts = RowValues.identifierParts(f.getName());
                if (parts == null) {
                    return null;
                }
                column = parts.get(parts.size() - 1);
                qualifier = parts.size() > 1 ? parts.get(parts.size() - 2) : null;
            } else if (f instanceof org.jooq.Param || f.getClass().getName().startsWith("org.jooq.impl.Val")) {
                return null;
            } else {
                String[] parts = f.getQualifiedName().getName();
                if (parts.length == 0 || !f.getClass().getName().equals("org.jooq.impl.QualifiedField")) {
                    return null;
                }
                column = parts[parts.length - 1];
                qualifier = parts.length > 1 ? parts[parts.length - 2] : null;
            }
            for (Scope s = this; s != null; s = s.parent) {
                Occurrence found = s.find(owner, qualifier, column);
                if (found != null) {
                    return new Column(found, column.toLowerCase(Locale.ROOT));
                }
            }
            return null;
        }

        @Nullable
        private Occurrence find(@Nullable Table<?> owner, @Nullable String qualifier, String column) {
            if (owner != null) {
                for (Occurrence o : occurrences) {
                    if (o.declared == owner) {
                        return o;
                    }
                }
            }
            if (qualifier != null) {
                Occurrence match = null;
                for (Occurrence o : occurrences) {
                    if (o.alias.equalsIgnoreCase(qualifier)) {
                        if (match != null) {
                            return null;
                        }
                        match = o;
                    }
                }
                return match;
            }
            // Unqualified: the one table of the scope, or the one whose known columns have it.
            if (occurrences.size() == 1) {
                return occurrences.get(0);
            }
            Occurrence match = null;
            for (Occurrence o : occurrences) {
                Field<?>[] fields = o.table.fields();
                if (fields.length == 0) {
                    return null;
                }
                for (Field<?> known : fields) {
                    if (known.getName().equalsIgnoreCase(column)) {
                        if (match != null) {
                            return null;
                        }
                        match = o;
                    }
                }
            }
            return match;
        }
    }

    /** One base table in a FROM clause, under its alias, with the columns its conditions pin. */
    private static final class Occurrence {
        final Table<?> declared;
        final Table<?> table;
        final String alias;
        @Nullable Scope scope;
        /** Column (lower case) to the values it is pinned to, in the order found. */
        final Map<String, Set<String>> pinned = new LinkedHashMap<>(2);

        Occurrence(Table<?> declared, Table<?> table, String alias) {
            this.declared = declared;
            this.table = table;
            this.alias = alias;
        }

        /** The pinned column to key the rows by: the primary key if pinned, else the first pinned. */
        Map.@Nullable Entry<String, Set<String>> chosen() {
            pinned.keySet().removeIf(column -> !PathTemplate.isName(column));
            if (pinned.isEmpty()) {
                return null;
            }
            try {
                UniqueKey<?> pk = table.getPrimaryKey();
                if (pk != null && pk.getFields().size() == 1) {
                    String name = pk.getFields().get(0).getName().toLowerCase(Locale.ROOT);
                    Set<String> values = pinned.get(name);
                    if (values != null) {
                        return Map.entry(name, values);
                    }
                }
            } catch (RuntimeException e) {
                // No key model: the first pinned column.
            }
            return pinned.entrySet().iterator().next();
        }
    }
}
