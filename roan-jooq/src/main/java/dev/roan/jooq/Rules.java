package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jooq.Field;
import org.jooq.ForeignKey;
import org.jooq.Schema;
import org.jooq.Table;
import org.jooq.TableField;
import org.jspecify.annotations.Nullable;

/**
 * The rule registry: which paths a write of a table purges.
 *
 * <p>Registration is rare and takes a lock; lookup happens on every write and reads an immutable
 * snapshot without locking or allocating unless a rule matches.
 */
final class Rules {

    private static final System.Logger LOG = Log.LOGGER;

    private final Object lock = new Object();
    /** Path to rule, in registration order. Guarded by {@link #lock}. */
    private final Map<String, Rule> rules = new LinkedHashMap<>();
    /** Rule to (table name to kinds), in registration order. Guarded by {@link #lock}. */
    private final Map<Rule, Map<String, Integer>> bindings = new LinkedHashMap<>();
    /** Generated table classes seen at registration, to recognise their aliases. Guarded by {@link #lock}. */
    private final Map<Class<?>, String> generatedNames = new HashMap<>();
    /** Rule to its tables as first registered, for the warning about several tables. Guarded by {@link #lock}. */
    private final Map<Rule, List<Table<?>>> boundTables = new HashMap<>();
    /** Rules warned about for filling placeholders from several tables. Guarded by {@link #lock}. */
    private final Set<Rule> warnedSeveralTables = new HashSet<>();
    /** Placeholders on tables whose columns were unknown at registration, until their first write. */
    private final Set<Unverified> unverified = ConcurrentHashMap.newKeySet();
    /** Rule to (table name to its join), for the tables whose writes reach pages through via(). Guarded by lock. */
    private final Map<Rule, Map<String, Chain>> chains = new HashMap<>();
    /** Rule to the table whose join its last call, a via(), extended: the next via() goes on from there. Guarded. */
    private final Map<Rule, String> lastVia = new HashMap<>();
    /** Rules awaiting a via() warned about at a write, once each (per rule and table). */
    private final Set<String> warnedIncomplete = ConcurrentHashMap.newKeySet();

    /** The rules of tracked reads, by "table" or "table.column" in lower case: registered once each. */
    private final Map<String, Rule> tracked = new ConcurrentHashMap<>();
    /**
     * Numbers each new rule of tracked reads, so that a transaction whose writes ran before a render first pinned a
     * table's column (and so produced no key of it) can tell at its commit ({@link #pinnedSince}).
     */
    private final AtomicLong pins = new AtomicLong();
    /** Tracked table (or "*" for everything) to the number of its latest new rule of tracked reads. */
    private final Map<String, Long> pinnedAt = new ConcurrentHashMap<>();
    /** Whether some tracked page depends on {@link Dependency#EVERYTHING}: then every write produces it. */
    private volatile boolean everything;

    private volatile Snapshot snapshot = new Snapshot(Map.of(), new TreeMap<>(String.CASE_INSENSITIVE_ORDER), false,
            false, false);

    /**
     * The rule for a validated path, created on first use.
     *
     * @param maxPathLength the longest filled path a purge request can carry to every cache node
     */
    Rule rule(PathTemplate template, int maxPathLength) {
        synchronized (lock) {
            return rules.computeIfAbsent(template.pattern(), p -> new Rule(template, maxPathLength));
        }
    }

    void register(Rule rule, int kinds, Table<?>[] tables) {
        boolean[] awaitsVia = new boolean[tables.length];
        for (int i = 0; i < tables.length; i++) {
            awaitsVia[i] = checkPlaceholders(rule, tables[i]);
        }
        String warning;
        synchronized (lock) {
            lastVia.remove(rule);
            Map<String, Integer> byTable = bindings.computeIfAbsent(rule, r -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
            for (int i = 0; i < tables.length; i++) {
                Table<?> table = tables[i];
                // A generated table's aliases are registered under the name of the first one seen.
                String name = nameOf(table);
                if (awaitsVia[i]) {
                    // Its placeholders name columns of a related table: until a via() reaches one, not filled.
                    chains.computeIfAbsent(rule, r -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER))
                            .putIfAbsent(name, new Chain(List.of(), false));
                }
                if (!byTable.containsKey(name)) {
                    boundTables.computeIfAbsent(rule, r -> new ArrayList<>()).add(table);
                    if (!rule.template().isStatic() && table.fields().length == 0) {
                        // Columns unknown until a statement writes it: checked then, once.
                        unverified.add(new Unverified(rule, name));
                    }
                }
                byTable.merge(name, kinds, (a, b) -> a | b);
            }
            snapshot = rebuild();
            warning = severalTablesWarning(rule);
        }
        if (warning != null) {
            LOG.log(Level.WARNING, warning);
        }
    }

    /**
     * Makes every write of {@code table} produce its table key, and with a {@code column} the row keys of that column's
     * old and new values (through the machinery of rules with placeholders: the statement's values, records, batch
     * binds, and the rows read before an UPDATE or DELETE): what a tracked read of the table needs. Costs a map lookup
     * once registered; the rule is internal (not listed, never warned about).
     *
     * @param table  the table as the read named it, unaliased
     * @param column a column the read pinned, a valid placeholder name; null for the table alone
     */
    void track(Table<?> table, @Nullable String column) {
        String name = canonicalName(table).toLowerCase(java.util.Locale.ROOT);
        String key = column == null ? name : name + "." + column.toLowerCase(java.util.Locale.ROOT);
        if (tracked.containsKey(key)) {
            return;
        }
        if (column != null) {
            track(table, null);
        }
        synchronized (lock) {
            if (tracked.containsKey(key)) {
                return;
            }
            Rule rule = Rule.tracked(name, column);
            Map<String, Integer> byTable = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            byTable.put(nameOf(table), WriteKinds.WRITE);
            bindings.put(rule, byTable);
            snapshot = rebuild();
            tracked.put(key, rule);
            // After the snapshot: a write that reads the old number may see the new rule (an extra purge), never the
            // reverse.
            pinnedAt.put(name, pins.incrementAndGet());
        }
    }

    /** Whether some tracked read touched a table other than through {@link #trackEverything}. */
    boolean anyTrackedTable() {
        return pinnedAt.size() > (everything ? 1 : 0);
    }

    /** Whether some tracked read touched {@code table} (lower case, unqualified). */
    boolean isTrackedTable(String table) {
        return pinnedAt.containsKey(table);
    }

    /** The tables tracked reads touched, lower case. */
    Set<String> trackedTables() {
        Set<String> tables = new HashSet<>(pinnedAt.keySet());
        tables.remove(Dependency.EVERYTHING.table());
        return tables;
    }

    /** The number of the latest new rule of tracked reads: what a write in a transaction notes when it runs. */
    long pins() {
        return pins.get();
    }

    /**
     * The keys a transaction whose first write ran at {@code since} ({@link #pins()}) owes at its commit for the rules
     * of tracked reads made since: its writes produced no key of their columns, though a render may have read the rows
     * they changed, before the commit, and pinned them. Every row of each such table ({@link Dependency#anyRow}) and
     * the table itself, whether the transaction wrote it or not: new pins are rare (once per column and process).
     */
    void pinnedSince(long since, Collection<String> into) {
        if (pins.get() == since) {
            return;
        }
        pinnedAt.forEach((table, at) -> {
            if (at > since) {
                if (table.equals(Dependency.EVERYTHING.table())) {
                    into.add(Dependency.EVERYTHING.target());
                } else {
                    into.add(Dependency.anyRow(table).target());
                    into.add(Dependency.table(table).target());
                }
            }
        });
    }

    /** Makes every write produce {@link Dependency#EVERYTHING}: some tracked page read what Roan cannot analyse. */
    void trackEverything() {
        if (!everything) {
            synchronized (lock) {
                everything = true;
                snapshot = rebuild();
                pinnedAt.put(Dependency.EVERYTHING.table(), pins.incrementAndGet());
            }
        }
    }

    /** The name a table is registered under: a generated table's aliases under that of the first one seen. */
    private String nameOf(Table<?> table) {
        return Tables.isGenerated(table) ? generatedNames.computeIfAbsent(table.getClass(), c -> canonicalName(table))
                : canonicalName(table);
    }

    /**
     * Every placeholder of a templated rule must be a column of each of its tables that knows its columns,
     * and not a binary one. A table that does not ({@code DSL.table("post")}) is checked at its first write.
     * A placeholder that is a column of another table of the schema may be reached by a {@code via} still to
     * come ({@code /owners/{owner_id}} on VISITS): then this returns true, and the rule awaits it.
     */
    private static boolean checkPlaceholders(Rule rule, Table<?> table) {
        List<String> placeholders = rule.template().placeholders();
        if (placeholders.isEmpty()) {
            return false;
        }
        Field<?>[] fields = table.fields();
        if (fields.length == 0) {
            return false;
        }
        boolean awaitsVia = false;
        for (String placeholder : placeholders) {
            Field<?> column = column(fields, placeholder);
            if (column == null && columnElsewhere(table, placeholder)) {
                awaitsVia = true;
                continue;
            }
            if (column == null) {
                throw new IllegalArgumentException("placeholder {" + PurgePaths.printable(placeholder) + "} of \""
                        + rule.path() + "\" is not a column of " + PurgePaths.printable(table.getName())
                        + "; its columns are: " + columnList(fields));
            }
            if (column.getDataType().isBinary()) {
                throw new IllegalArgumentException("placeholder {" + PurgePaths.printable(placeholder) + "} of \""
                        + rule.path() + "\" is the binary column " + PurgePaths.printable(table.getName()) + "."
                        + PurgePaths.printable(column.getName()) + ", whose bytes cannot be a page path: use a text or"
                        + " number column that names the page, such as {id}");
            }
        }
        return awaitsVia;
    }

    /**
     * Whether another table of {@code table}'s schema has the column, one a via() may reach; or, for a table without a
     * schema (one written by hand), whether it cannot be told, so that the rule waits for its via() too.
     */
    private static boolean columnElsewhere(Table<?> table, String name) {
        Schema schema = Tables.unaliased(table).getSchema();
        if (schema == null) {
            return true;
        }
        try {
            for (Table<?> other : schema.getTables()) {
                if (!Tables.same(other, table) && column(other.fields(), name) != null) {
                    return true;
                }
            }
        } catch (RuntimeException e) {
            // A schema that cannot list its tables: no related table is known.
        }
        return false;
    }

    /**
     * Adds a step to {@code rule}'s join; see {@link PurgeRule#via(Field, Field)}. The rule stays inactive (its writes
     * purge its fallback, with a warning) until the table reached has every placeholder: a chain may go on.
     */
    void via(Rule rule, Field<?> from, Field<?> to) {
        String method = "via() of \"" + rule.path() + "\"";
        if (from == null || to == null) {
            throw new IllegalArgumentException(method + " got null as " + (from == null ? "from" : "to") + " column:"
                    + " give two generated columns, such as via(VISITS.PET_ID, PETS.ID)");
        }
        Table<?> fromTable = tableOf(from, method);
        Table<?> toTable = tableOf(to, method);
        if (!from.getType().equals(to.getType())) {
            throw new IllegalArgumentException(method + ": " + qualified(fromTable, from) + " holds "
                    + from.getType().getSimpleName() + " and " + qualified(toTable, to) + " holds "
                    + to.getType().getSimpleName() + ": join columns of the same type, such as a foreign key and the"
                    + " key it references");
        }
        List<String> placeholders = rule.template().placeholders();
        if (placeholders.isEmpty()) {
            throw new IllegalArgumentException(method + ": the path has no placeholder to fill from "
                    + PurgePaths.printable(toTable.getName()) + "; a fixed path needs no related row, so drop via(...)");
        }
        synchronized (lock) {
            Map<String, Integer> byTable = bindings.get(rule);
            if (byTable == null || byTable.isEmpty()) {
                throw new IllegalStateException(method + " comes before the rule's table: call onWrite("
                        + PurgePaths.printable(fromTable.getName()) + ") (or onInsert, onUpdate, ...) first, then"
                        + " via(...)");
            }
            Map<String, Chain> ruleChains = chains.computeIfAbsent(rule,
                    r -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
            String last = lastVia.get(rule);
            String target;
            Table<?> reached;
            if (last != null && Tables.same(ruleChains.get(last).end(), fromTable)) {
                // The previous via() goes on: visit -> pet, then pet -> owner.
                target = last;
                reached = ruleChains.get(last).end();
            } else {
                target = null;
                reached = null;
                for (Table<?> bound : boundTables.get(rule)) {
                    if (Tables.same(bound, fromTable)) {
                        target = nameOf(bound);
                        reached = bound;
                    }
                }
                if (target == null) {
                    throw new IllegalArgumentException(method + ": " + qualified(fromTable, from) + " is not a column"
                            + " of the rule's tables (" + PurgePaths.printable(String.join(", ", byTable.keySet()))
                            + (last == null ? "" : ") nor of " + PurgePaths.printable(
                                    ruleChains.get(last).end().getName()) + ", which the previous via(...) reaches")
                            + (last == null ? ")" : "") + ": the first via(...) starts from a table of onWrite(...)"
                            + " (or onInsert, ...), each next one from the table the previous one reaches");
                }
                Chain existing = ruleChains.get(target);
                if (existing != null && !existing.steps.isEmpty()) {
                    throw new IllegalArgumentException(method + ": writes of " + PurgePaths.printable(target)
                            + " reach this rule's pages " + existing.steps + " already: a table has one join, so chain"
                            + " each via(...) right after the previous one");
                }
            }
            if (reached.fields().length == 0) {
                throw new IllegalArgumentException(method + ": the rule is registered for "
                        + PurgePaths.printable(reached.getName()) + ", a table that does not know its columns"
                        + " (DSL.table(...)): register the generated table, such as onWrite("
                        + PurgePaths.printable(fromTable.getName()) + ")");
            }
            if (column(reached.fields(), from.getName()) == null) {
                throw new IllegalArgumentException(method + ": " + qualified(fromTable, from) + " is not a column of "
                        + PurgePaths.printable(reached.getName()) + "; its columns are: " + columnList(reached.fields()));
            }
            Field<?>[] columns = toTable.fields();
            boolean complete = true;
            for (String placeholder : placeholders) {
                Field<?> column = column(columns, placeholder);
                if (column == null) {
                    if (!columnElsewhere(toTable, placeholder)) {
                        throw new IllegalArgumentException("placeholder {" + PurgePaths.printable(placeholder)
                                + "} of \"" + rule.path() + "\" is not a column of "
                                + PurgePaths.printable(toTable.getName()) + ", which via(...) reaches; its columns are: "
                                + columnList(columns));
                    }
                    complete = false;
                } else if (column.getDataType().isBinary()) {
                    throw new IllegalArgumentException("placeholder {" + PurgePaths.printable(placeholder) + "} of \""
                            + rule.path() + "\" is the binary column " + qualified(toTable, column) + ", whose bytes"
                            + " cannot be a page path: use a text or number column that names the page, such as {id}");
                }
            }
            Chain chain = ruleChains.get(target);
            List<Via> longer = new ArrayList<>(chain == null ? List.of() : chain.steps);
            longer.add(new Via(from, fromTable, to, toTable));
            ruleChains.put(target, new Chain(longer, complete));
            lastVia.put(rule, target);
            snapshot = rebuild();
        }
    }

    /** The table of a generated column, whose columns are known; else what to fix. */
    private static Table<?> tableOf(Field<?> column, String method) {
        Table<?> table = column instanceof TableField ? ((TableField<?, ?>) column).getTable() : null;
        if (table == null || table.fields().length == 0) {
            throw new IllegalArgumentException(method + ": " + PurgePaths.printable(column.getName()) + " is not a"
                    + " column of a table that knows its columns: pass generated columns, such as"
                    + " via(VISITS.PET_ID, PETS.ID), not DSL.field(...) or a column of DSL.table(...)");
        }
        return table;
    }

    private static String qualified(Table<?> table, Field<?> column) {
        return PurgePaths.printable(table.getName() + "." + column.getName());
    }

    @Nullable
    private static Field<?> column(Field<?>[] fields, String name) {
        for (Field<?> field : fields) {
            if (field.getName().equalsIgnoreCase(name)) {
                return field;
            }
        }
        return null;
    }

    private static String columnList(Field<?>[] fields) {
        StringBuilder columns = new StringBuilder();
        for (Field<?> field : fields) {
            columns.append(columns.length() == 0 ? "" : ", ").append(PurgePaths.printable(field.getName()));
        }
        return columns.toString();
    }

    /**
     * The warning for a rule with placeholders over several tables, once per rule: {@code {id}} of
     * {@code /owners/{id}} on OWNERS and PETS is filled from PETS.ID for a pet, the page of another owner.
     * Guarded by {@link #lock}.
     */
    @Nullable
    private String severalTablesWarning(Rule rule) {
        List<Table<?>> tables = new ArrayList<>(boundTables.getOrDefault(rule, List.of()));
        Map<String, Chain> ruleChains = chains.get(rule);
        if (ruleChains != null) {
            // Tables whose writes reach the pages through a join (or await one) fill nothing from their own columns.
            tables.removeIf(t -> ruleChains.containsKey(nameOf(t)));
        }
        List<String> placeholders = rule.template().placeholders();
        if (placeholders.isEmpty() || tables == null || tables.size() < 2 || sameKeys(tables, placeholders)
                || !warnedSeveralTables.add(rule)) {
            return null;
        }
        StringBuilder binds = new StringBuilder();
        StringBuilder suggestion = new StringBuilder();
        Table<?> first = tables.get(0);
        for (Table<?> table : tables) {
            String name = PurgePaths.printable(Tables.isGenerated(table) ? generatedNames.get(table.getClass())
                    : canonicalName(table));
            binds.append(binds.length() == 0 ? "" : "; ").append("writes of ").append(name).append(" fill ");
            String path = rule.path();
            for (int i = 0; i < placeholders.size(); i++) {
                String placeholder = placeholders.get(i);
                Field<?> column = column(table.fields(), placeholder);
                binds.append(i == 0 ? "" : ", ").append('{').append(placeholder).append("} from ").append(name)
                        .append('.').append(PurgePaths.printable(column == null ? placeholder : column.getName()));
                if (table != first) {
                    path = path.replace("{" + placeholder + "}", "{" + referenceTo(table, first, placeholder) + "}");
                }
            }
            suggestion.append(suggestion.length() == 0 ? "" : "; ").append("roan.purge(\"").append(path)
                    .append("\").onWrite(").append(name).append(')');
        }
        return "Roan: the rule \"" + rule.path() + "\" fills its placeholders from each table's own columns ("
                + binds + "), so a write of one table purges the page whose key is that table's value, which names"
                + " another row unless these columns hold the same key. Register one rule per table, each filled"
                + " from the column that names the page, such as " + suggestion + ". (Logged once per rule.)";
    }

    /**
     * Whether each placeholder names the same key in every table: the same column through foreign keys
     * ({@code /users/{user_id}} on PROFILE and SETTINGS, whose USER_ID both reference USER.ID).
     */
    private static boolean sameKeys(List<Table<?>> tables, List<String> placeholders) {
        for (String placeholder : placeholders) {
            String key = null;
            for (Table<?> table : tables) {
                String k = keyOf(table, placeholder);
                if (key == null) {
                    key = k;
                } else if (!key.equalsIgnoreCase(k)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The column a foreign key of one column references, else the column itself, as "TABLE.COLUMN". */
    private static String keyOf(Table<?> table, String column) {
        try {
            for (ForeignKey<?, ?> fk : table.getReferences()) {
                if (fk.getFields().size() == 1 && fk.getFields().get(0).getName().equalsIgnoreCase(column)) {
                    return canonicalName(fk.getKey().getTable()) + "." + fk.getKeyFields().get(0).getName();
                }
            }
        } catch (RuntimeException e) {
            // A table without a key model: its own column.
        }
        return canonicalName(table) + "." + column;
    }

    /** The column of {@code table} that references {@code column} of {@code target}, or a stand-in name. */
    private static String referenceTo(Table<?> table, Table<?> target, String column) {
        try {
            for (ForeignKey<?, ?> fk : table.getReferencesTo(target)) {
                if (fk.getFields().size() == 1 && fk.getKeyFields().size() == 1
                        && fk.getKeyFields().get(0).getName().equalsIgnoreCase(column)) {
                    return fk.getFields().get(0).getName();
                }
            }
        } catch (RuntimeException e) {
            // A table without a key model: suggest a name instead.
        }
        return "column_of_" + canonicalName(table);
    }

    /** Whether some rule with placeholders has a table whose columns were not checked yet. */
    boolean anyUnverified() {
        return !unverified.isEmpty();
    }

    /**
     * Checks, once, the placeholders of rules on a table whose columns were unknown at registration, now that
     * a statement writes it: against the written table's columns if the statement knows them (a generated
     * table), else against the database's metadata. Logs the placeholders that name no column (or a binary
     * one) with the columns there are; says nothing when all is well or the columns cannot be told.
     */
    void verify(Table<?> written, @Nullable Connection connection) {
        if (unverified.isEmpty()) {
            return;
        }
        String name = snapshot.nameOf(written);
        for (Unverified u : unverified) {
            if (!u.table.equalsIgnoreCase(name) || !unverified.remove(u)) {
                continue;
            }
            Map<String, Boolean> columns = new LinkedHashMap<>();
            String source;
            Field<?>[] fields = written.fields();
            if (fields.length > 0) {
                for (Field<?> field : fields) {
                    columns.put(field.getName(), field.getDataType().isBinary());
                }
                source = "the statement's table";
            } else {
                DatabaseColumns.read(connection, u.table, columns);
                source = "the database's metadata";
            }
            if (columns.isEmpty()) {
                LOG.log(Level.DEBUG, () -> "Roan could not check the placeholders of \"" + u.rule.path() + "\" against"
                        + " the columns of " + PurgePaths.printable(u.table) + ": neither the statement nor the"
                        + " database's metadata names them");
                continue;
            }
            List<String> wrong = new ArrayList<>();
            for (String placeholder : u.rule.template().placeholders()) {
                Boolean binary = null;
                for (Map.Entry<String, Boolean> column : columns.entrySet()) {
                    if (column.getKey().equalsIgnoreCase(placeholder)) {
                        binary = column.getValue();
                    }
                }
                if (binary == null) {
                    wrong.add("{" + placeholder + "} is not a column of it");
                } else if (binary) {
                    wrong.add("{" + placeholder + "} is a binary column, whose bytes cannot be a page path");
                }
            }
            if (!wrong.isEmpty()) {
                LOG.log(Level.WARNING, () -> "Roan: the rule \"" + u.rule.path() + "\" on "
                        + PurgePaths.printable(u.table) + " cannot be filled by its writes: " + String.join(", ", wrong)
                        + ". Its columns (from " + source + ") are: " + PurgePaths.printable(String.join(", ",
                                columns.keySet())) + ". Such writes purge only the rule's fallback paths; fix the"
                        + " placeholder. (Logged once, at the table's first write.)");
            }
        }
    }

    private Snapshot rebuild() {
        Map<String, List<Binding>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        boolean templated = false;
        boolean reading = false;
        boolean via = false;
        for (Map.Entry<Rule, Map<String, Integer>> e : bindings.entrySet()) {
            Rule rule = e.getKey();
            Map<String, Chain> ruleChains = chains.getOrDefault(rule, Map.of());
            for (Map.Entry<String, Integer> t : e.getValue().entrySet()) {
                Chain chain = ruleChains.get(t.getKey());
                Binding b = chain == null ? new Binding(rule, t.getValue(), List.of(), true)
                        : new Binding(rule, t.getValue(), chain.steps, chain.complete);
                byName.computeIfAbsent(t.getKey(), n -> new ArrayList<>()).add(b);
                templated |= !rule.template().isStatic();
                via |= b.viaRows() && b.complete;
                if (!rule.template().isStatic() && rule.readsRows() && b.complete) {
                    reading |= (b.kinds & (WriteKinds.UPDATE | WriteKinds.DELETE)) != 0;
                }
            }
        }
        TreeMap<String, Binding[]> frozen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.forEach((name, list) -> frozen.put(name, list.toArray(new Binding[0])));
        Snapshot built = new Snapshot(Map.copyOf(generatedNames), frozen, templated, reading, via);
        built.everything = everything;
        return built;
    }

    /** Stops {@code rule} from reading rows; see {@link PurgeRule#withoutReadingRows()}. */
    void withoutReadingRows(Rule rule) {
        synchronized (lock) {
            rule.withoutReadingRows();
            snapshot = rebuild();
        }
    }

    /**
     * Whether some rule with placeholders on UPDATE or DELETE may read rows before the statement: the test
     * {@code executeStart} makes of every statement.
     */
    boolean anyReading() {
        return snapshot.reading;
    }

    /** The rules with placeholders that a write of {@code kinds} to {@code table} matches and that read rows. */
    List<Binding> reading(Table<?> table, int kinds) {
        return templated(table, kinds, true);
    }

    /**
     * The rules with placeholders that a write of {@code kinds} to {@code table} matches, those that read rows only
     * if {@code reading}; a rule awaiting its via() is none of them.
     */
    List<Binding> templated(Table<?> table, int kinds, boolean reading) {
        Snapshot s = snapshot;
        Binding[] candidates = s.candidates(table);
        if (candidates == null) {
            return List.of();
        }
        List<Binding> matched = new ArrayList<>(1);
        for (Binding b : candidates) {
            if ((b.kinds & kinds) != 0 && !b.rule.template().isStatic() && b.complete
                    && (!reading || b.rule.readsRows())) {
                matched.add(b);
            }
        }
        return matched;
    }

    /** Whether some rule reaches its pages through a related table: the test {@code executeEnd} makes. */
    boolean anyVia() {
        return snapshot.via;
    }

    /** The rules with a {@code via} that a write of {@code kinds} to {@code table} matches. */
    List<Binding> via(Table<?> table, int kinds) {
        Snapshot s = snapshot;
        Binding[] candidates = s.candidates(table);
        if (candidates == null) {
            return List.of();
        }
        List<Binding> matched = null;
        for (Binding b : candidates) {
            if ((b.kinds & kinds) != 0 && b.viaRows() && b.complete) {
                if (matched == null) {
                    matched = new ArrayList<>(1);
                }
                matched.add(b);
            }
        }
        return matched == null ? List.of() : matched;
    }

    boolean isEmpty() {
        Snapshot s = snapshot;
        return s.byName.isEmpty() && !s.everything;
    }

    /** Whether some rule with placeholders names a table. */
    boolean anyTemplated() {
        return snapshot.templated;
    }

    /**
     * Adds the paths that a write of {@code kinds} to {@code table} purges; the written rows are asked for
     * only if a templated rule matches.
     *
     * @param related the rows a rule with {@code via} reached from this write, null if none were read
     */
    void match(Table<?> table, int kinds, Supplier<List<Map<String, Object>>> rows,
            @Nullable Function<Binding, List<Map<String, Object>>> related, Purges out) {
        Snapshot s = snapshot;
        if (s.everything) {
            out.add(Dependency.EVERYTHING.target());
        }
        Binding[] candidates = s.candidates(table);
        if (candidates == null) {
            return;
        }
        for (Binding b : candidates) {
            if ((b.kinds & kinds) != 0) {
                if (b.rule.template().isStatic()) {
                    out.add(b.rule);
                } else if (!b.complete) {
                    warnIncomplete(b, table);
                    b.rule.fallbacks().forEach(out::add);
                } else if (b.viaRows()) {
                    out.addRows(b, related == null ? RowValues::unknown : () -> related.apply(b));
                } else {
                    out.addRows(b, rows);
                }
            }
        }
    }

    /** Logs, once per rule, that a rule's placeholders await a via() its registration never got. */
    private void warnIncomplete(Binding b, Table<?> table) {
        Rule rule = b.rule;
        if (warnedIncomplete.size() >= 1_000 || !warnedIncomplete.add(rule.path() + " " + canonicalName(table))) {
            return;
        }
        List<Via> steps = b.steps;
        Table<?> reached = steps.isEmpty() ? table : steps.get(steps.size() - 1).toTable;
        List<String> missing = new ArrayList<>();
        for (String placeholder : rule.template().placeholders()) {
            if (column(reached.fields(), placeholder) == null) {
                missing.add("{" + placeholder + "}");
            }
        }
        LOG.log(Level.WARNING, () -> "Roan: the rule \"" + rule.path() + "\" cannot be filled by a write of "
                + PurgePaths.printable(canonicalName(table)) + ": " + PurgePaths.printable(String.join(", ", missing))
                + (missing.size() == 1 ? " is not a column of " : " are not columns of ")
                + PurgePaths.printable(reached.getName()) + ", the table its writes reach"
                + (steps.isEmpty() ? "" : " through " + steps) + ". Add via(...) to the related table that has them,"
                + " such as via(VISITS.PET_ID, PETS.ID). Until then these writes purge only the rule's fallback paths"
                + (rule.fallbacks().isEmpty() ? " (none declared)" : " " + rule.fallbacks()) + ". (Logged once per rule"
                + " and table.)");
    }

    /** Whether a rule with placeholders names {@code table}: only then are the rows of its writes worth noting. */
    boolean needsRows(Table<?> table) {
        Snapshot s = snapshot;
        Binding[] candidates = s.candidates(table);
        if (candidates != null) {
            for (Binding b : candidates) {
                if (!b.rule.template().isStatic()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a write of {@code table} can match a rule at all: the cheap test before any work. */
    boolean mentions(Table<?> table) {
        Snapshot s = snapshot;
        return s.everything || s.candidates(table) != null;
    }

    String describe(Rule rule) {
        synchronized (lock) {
            Map<String, Integer> byTable = bindings.get(rule);
            if (byTable == null || byTable.isEmpty()) {
                return "no table yet";
            }
            StringBuilder sb = new StringBuilder();
            Map<String, Chain> ruleChains = chains.getOrDefault(rule, Map.of());
            byTable.forEach((name, kinds) -> {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(name).append(" (").append(WriteKinds.describe(kinds)).append(')');
                Chain chain = ruleChains.get(name);
                if (chain != null) {
                    for (Via step : chain.steps) {
                        sb.append(' ').append(step);
                    }
                    if (!chain.complete) {
                        sb.append(" awaiting via(...) to a table with its placeholders");
                    }
                }
            });
            return sb.toString();
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            List<String> parts = new ArrayList<>();
            for (Rule rule : rules.values()) {
                parts.add(rule.path() + " on " + describe(rule));
            }
            return parts.toString();
        }
    }

    private static String canonicalName(Table<?> table) {
        return Tables.unaliased(table).getName();
    }

    /** A rule with placeholders on a table whose columns were not known at registration. */
    private static final class Unverified {
        final Rule rule;
        final String table;

        Unverified(Rule rule, String table) {
            this.rule = rule;
            this.table = table;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unverified && ((Unverified) o).rule == rule
                    && ((Unverified) o).table.equalsIgnoreCase(table);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(rule) * 31 + table.toLowerCase(java.util.Locale.ROOT).hashCode();
        }
    }

    /** The join of a rule's table to the table whose columns fill its placeholders; see {@link #via}. */
    private static final class Chain {
        final List<Via> steps;
        /** Whether the table reached has every placeholder; a chain may go on until it does. */
        final boolean complete;

        Chain(List<Via> steps, boolean complete) {
            this.steps = List.copyOf(steps);
            this.complete = complete;
        }

        /** The table the join reaches. */
        Table<?> end() {
            return steps.get(steps.size() - 1).toTable;
        }
    }

    /** A rule as a write of one table matches it: the kinds of write, and the join to a related table, if any. */
    static final class Binding implements Purges.Filling {
        final Rule rule;
        final int kinds;
        /** The join, empty for a rule filled by the written rows. */
        final List<Via> steps;
        /** Whether the table reached has every placeholder: false while a via() is awaited. */
        final boolean complete;

        Binding(Rule rule, int kinds, List<Via> steps, boolean complete) {
            this.rule = rule;
            this.kinds = kinds;
            this.steps = steps;
            this.complete = complete;
        }

        boolean viaRows() {
            return !steps.isEmpty();
        }

        /**
         * The columns a written row must tell for this rule: its placeholders, or with {@code via} the first step's
         * {@code from} column, whose values lead to the rows that fill them.
         */
        List<String> columns() {
            return steps.isEmpty() ? rule.template().placeholders() : List.of(steps.get(0).from.getName());
        }

        @Override
        public Rule rule() {
            return rule;
        }

        /** The {@link #columns()} whose values {@code row} does not tell. */
        @Override
        public List<String> unknownIn(Map<String, ?> row) {
            if (steps.isEmpty()) {
                return rule.template().unknownIn(row);
            }
            String from = steps.get(0).from.getName();
            return row.get(from) == null ? List.of(from) : List.of();
        }

        @Override
        public String toString() {
            return rule.path() + "(" + WriteKinds.describe(kinds) + ")";
        }
    }

    static final class Snapshot {
        private static final Binding[] NO_BINDINGS = new Binding[0];

        final Map<Class<?>, String> generatedNames;
        final TreeMap<String, Binding[]> byName;
        /** The bindings of each generated table's class, empty for one without rules. */
        final Map<Class<?>, Binding[]> byClass;
        /** Whether a rule with placeholders names some table. */
        final boolean templated;
        /** Whether a rule with placeholders that reads rows names some table for UPDATE or DELETE. */
        final boolean reading;
        /** Whether a complete rule reaches its pages through a related table. */
        final boolean via;
        /** Whether every write produces {@link Dependency#EVERYTHING}; set once, before publication. */
        boolean everything;

        Snapshot(Map<Class<?>, String> generatedNames, TreeMap<String, Binding[]> byName, boolean templated,
                boolean reading, boolean via) {
            this.generatedNames = generatedNames;
            this.byName = byName;
            Map<Class<?>, Binding[]> types = new HashMap<>();
            generatedNames.forEach((type, name) -> types.put(type, byName.getOrDefault(name, NO_BINDINGS)));
            this.byClass = types;
            this.templated = templated;
            this.reading = reading;
            this.via = via;
        }

        /**
         * The bindings of a table's rules, null if it has none: for a generated table one identity-hashed lookup of its
         * class (every matched write asks several times), else by its name, case-insensitively.
         */
        Binding @Nullable [] candidates(Table<?> table) {
            Binding[] byType = byClass.get(table.getClass());
            if (byType != null) {
                return byType.length == 0 ? null : byType;
            }
            return byName.get(nameOf(table));
        }

        /** The unaliased table name, matched case-insensitively (plain SQL may spell it either way). */
        String nameOf(Table<?> table) {
            String generated = generatedNames.get(table.getClass());
            if (generated != null) {
                return generated;
            }
            return Tables.unaliased(table).getName();
        }
    }
}
