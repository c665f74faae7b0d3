package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jooq.CommonTableExpression;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
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
    private static final @Nullable Class<?> QOM_MERGE = optionalClass("org.jooq.impl.QOM$Merge");

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
        // Exactly 0 rows means no row changed; -1 (batches, RETURNING) means unknown. TRUNCATE always
        // reports 0, as DDL does.
        boolean noRowChanged = ctx.rows() == 0;
        written.removeIf(w -> (noRowChanged && (w.kinds & WriteKinds.TRUNCATE) == 0) || !rules.mentions(w.table));
        return written.isEmpty() ? null : written;
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
     * Matches writes against the rules.
     *
     * @param returned the statement's RETURNING result or generated keys, if any
     * @param records  the UpdatableRecords the statement wrote, if any
     */
    Purges purges(List<Written> written, @Nullable List<? extends Record> returned, RecordWrites records) {
        Purges purges = new Purges();
        for (Written w : written) {
            rules.match(w.table, w.kinds, () -> w.rows(returned, records), purges);
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
            collect(query, renderedSql, parser(dialect), out, true);
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
            for (Query q : parser.parser().parse(sql).queries()) {
                collect(q, null, parser, written, true);
            }
            return written.toArray(NOTHING);
        } catch (RuntimeException | StackOverflowError e) {
            // Logged once per SQL string: the empty result is cached.
            LOG.log(Level.WARNING, () -> "Roan could not parse a plain SQL statement, so it purges nothing for it: "
                    + abbreviate(sql) + " (" + e.getMessage() + "). If it writes a table with a purge rule, run it"
                    + " through jOOQ's DSL instead.");
            return NOTHING;
        }
    }

    /**
     * Reads the query object model of a DSL query or of what the parser returned.
     *
     * @param renderedSql the query's SQL if already rendered, to read a MERGE target without rendering again
     * @param topLevel    whether {@code q} is the executed statement itself, whose RETURNING result and records
     *                    describe its rows (not a statement inside a common table expression)
     */
    private static void collect(Query q, @Nullable String renderedSql, DSLContext renderer, List<Written> out,
            boolean topLevel) {
        if (q instanceof QOM.Insert) {
            QOM.Insert<?> insert = (QOM.Insert<?>) q;
            with(insert.$with(), renderer, out);
            out.add(new Written(insert.$into(), isUpsert(insert) ? WriteKinds.UPSERT : WriteKinds.INSERT, q, topLevel));
        } else if (q instanceof QOM.Update) {
            with(((QOM.Update<?>) q).$with(), renderer, out);
            addJoined(((QOM.Update<?>) q).$table(), q, topLevel, out);
        } else if (q instanceof QOM.Delete) {
            with(((QOM.Delete<?>) q).$with(), renderer, out);
            out.add(new Written(((QOM.Delete<?>) q).$from(), WriteKinds.DELETE, q, topLevel));
        } else if (q instanceof QOM.InsertReturning) {
            collect(((QOM.InsertReturning<?>) q).$insert(), null, renderer, out, topLevel);
        } else if (q instanceof QOM.UpdateReturning) {
            collect(((QOM.UpdateReturning<?>) q).$update(), null, renderer, out, topLevel);
        } else if (q instanceof QOM.DeleteReturning) {
            collect(((QOM.DeleteReturning<?>) q).$delete(), null, renderer, out, topLevel);
        } else if (q instanceof QOM.Truncate) {
            for (Table<?> t : ((QOM.Truncate<?>) q).$table()) {
                out.add(new Written(t, WriteKinds.TRUNCATE, null, topLevel));
            }
        } else if (q instanceof Select) {
            with(((Select<?>) q).$with(), renderer, out);
        } else if (isMerge(q)) {
            Table<?> target = mergeTarget(renderedSql != null ? renderedSql : renderer.render(q));
            if (target != null) {
                out.add(new Written(target, WriteKinds.MERGE_EFFECTS, null, topLevel));
            }
        }
    }

    /** Data-modifying common table expressions: {@code with d as (delete from post ... returning *) ...}. */
    private static void with(QOM.@Nullable With with, DSLContext renderer, List<Written> out) {
        if (with == null) {
            return;
        }
        for (CommonTableExpression<?> cte : with.$commonTableExpressions()) {
            ResultQuery<?> query = cte.$query();
            if (query != null) {
                collect(query, null, renderer, out, false);
            }
        }
    }

    private static boolean isUpsert(QOM.Insert<?> insert) {
        return insert.$onDuplicateKeyUpdate() || !insert.$updateSet().isEmpty();
    }

    private static boolean isPlainSql(Query query) {
        // SQLQuery and SQLResultQuery are package-private in jOOQ; Class.getName() is cached, so no allocation.
        String name = query.getClass().getName();
        return name.equals("org.jooq.impl.SQLQuery") || name.equals("org.jooq.impl.SQLResultQuery");
    }

    private static boolean isMerge(Query query) {
        // jOOQ 3.19 has no QOM.Merge (MergeImpl has no accessible model); 3.20+ has QOM.Merge.
        return (QOM_MERGE != null && QOM_MERGE.isInstance(query)) || query.getClass().getName().equals("org.jooq.impl.MergeImpl");
    }

    @Nullable
    private static Class<?> optionalClass(String name) {
        try {
            return Class.forName(name, false, Query.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** UPDATE of a join (MySQL {@code update a join b set ...}) may write both sides. */
    private static void addJoined(Table<?> table, Query update, boolean topLevel, List<Written> out) {
        if (table instanceof QOM.JoinTable) {
            addJoined(((QOM.JoinTable<?, ?>) table).$table1(), update, topLevel, out);
            addJoined(((QOM.JoinTable<?, ?>) table).$table2(), update, topLevel, out);
        } else {
            out.add(new Written(table, WriteKinds.UPDATE, update, topLevel));
        }
    }

    private DSLContext parser(SQLDialect dialect) {
        return parsers.computeIfAbsent(dialect, d -> DSL.using(d, new Settings()
                .withParseDialect(d)
                .withParseUnknownFunctions(ParseUnknownFunctions.IGNORE)));
    }

    /**
     * Reads the target of {@code MERGE INTO [schema.]table ...} from SQL text: the statement starts with
     * {@code MERGE}, optionally {@code INTO}, then a qualified name whose parts may be quoted with
     * {@code "}, {@code `} or {@code []}.
     */
    @Nullable
    static Table<?> mergeTarget(String sql) {
        SqlTokens tokens = new SqlTokens(sql);
        String word = tokens.word();
        if (word == null || !word.equalsIgnoreCase("merge")) {
            return null;
        }
        List<String> parts = new ArrayList<>(2);
        String part = tokens.identifier();
        if (part != null && part.equalsIgnoreCase("into") && !tokens.lastWasQuoted()) {
            part = tokens.identifier();
        }
        while (part != null) {
            parts.add(part);
            part = tokens.dot() ? tokens.identifier() : null;
        }
        return parts.isEmpty() ? null : DSL.table(DSL.name(parts.toArray(new String[0])));
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
         * The partial rows written: from the records if the statement wrote UpdatableRecords, else from the
         * statement and its RETURNING result. A statement inside a common table expression has neither.
         */
        List<Map<String, Object>> rows(@Nullable List<? extends Record> returned, RecordWrites records) {
            if (!topLevel) {
                return RowValues.of(statement, table, null);
            }
            List<Map<String, Object>> fromRecords = records.rows(table, statement, returned);
            return fromRecords != null ? fromRecords : RowValues.of(statement, table, returned);
        }
    }

    /** Just enough of a SQL tokenizer to read the head of a MERGE statement. */
    private static final class SqlTokens {
        private final String sql;
        private int pos;
        private boolean quoted;

        SqlTokens(String sql) {
            this.sql = sql;
        }

        @Nullable
        String word() {
            skipSpaceAndComments();
            int start = pos;
            while (pos < sql.length() && Character.isLetter(sql.charAt(pos))) {
                pos++;
            }
            return pos > start ? sql.substring(start, pos) : null;
        }

        @Nullable
        String identifier() {
            skipSpaceAndComments();
            quoted = false;
            if (pos >= sql.length()) {
                return null;
            }
            char c = sql.charAt(pos);
            char close = c == '"' ? '"' : c == '`' ? '`' : c == '[' ? ']' : 0;
            if (close != 0) {
                int end = sql.indexOf(close, pos + 1);
                if (end < 0) {
                    return null;
                }
                String name = sql.substring(pos + 1, end);
                pos = end + 1;
                quoted = true;
                return name;
            }
            int start = pos;
            while (pos < sql.length() && (Character.isLetterOrDigit(sql.charAt(pos)) || sql.charAt(pos) == '_'
                    || sql.charAt(pos) == '$')) {
                pos++;
            }
            return pos > start ? sql.substring(start, pos) : null;
        }

        boolean lastWasQuoted() {
            return quoted;
        }

        boolean dot() {
            skipSpaceAndComments();
            if (pos < sql.length() && sql.charAt(pos) == '.') {
                pos++;
                return true;
            }
            return false;
        }

        private void skipSpaceAndComments() {
            while (pos < sql.length()) {
                char c = sql.charAt(pos);
                if (Character.isWhitespace(c)) {
                    pos++;
                } else if (sql.startsWith("--", pos)) {
                    int nl = sql.indexOf('\n', pos);
                    pos = nl < 0 ? sql.length() : nl + 1;
                } else if (sql.startsWith("/*", pos)) {
                    int end = sql.indexOf("*/", pos + 2);
                    pos = end < 0 ? sql.length() : end + 2;
                } else {
                    return;
                }
            }
        }
    }
}
