package dev.roan.jooq;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.TreeMap;

import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.QOM;
import org.jooq.impl.TableImpl;

/**
 * The rule registry: which paths a write of a table purges.
 *
 * <p>Registration is rare and takes a lock; lookup happens on every write and reads an immutable
 * snapshot without locking or allocating unless a rule matches.
 */
final class Rules {

    private final Object lock = new Object();
    /** Path to rule, in registration order. Guarded by {@link #lock}. */
    private final Map<String, PurgeRule> rules = new LinkedHashMap<>();
    /** Rule to (table name to kinds), in registration order. Guarded by {@link #lock}. */
    private final Map<PurgeRule, Map<String, Integer>> bindings = new LinkedHashMap<>();
    /** Generated table classes seen at registration, to recognise their aliases. Guarded by {@link #lock}. */
    private final Map<Class<?>, String> generatedNames = new HashMap<>();

    private volatile Snapshot snapshot = new Snapshot(Map.of(), new TreeMap<>(String.CASE_INSENSITIVE_ORDER), false);

    PurgeRule rule(String path) {
        PathTemplate template = PathTemplate.parse(path);
        synchronized (lock) {
            return rules.computeIfAbsent(template.pattern(), p -> new PurgeRule(template, this));
        }
    }

    void register(PurgeRule rule, int kinds, Table<?>[] tables) {
        for (Table<?> table : tables) {
            checkPlaceholders(rule, table);
        }
        synchronized (lock) {
            Map<String, Integer> byTable = bindings.computeIfAbsent(rule, r -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
            for (Table<?> table : tables) {
                String name = canonicalName(table);
                byTable.merge(name, kinds, (a, b) -> a | b);
                if (isGenerated(table)) {
                    generatedNames.putIfAbsent(table.getClass(), name);
                }
            }
            snapshot = rebuild();
        }
    }

    /** Every placeholder of a templated rule must be a column of each of its tables. */
    private static void checkPlaceholders(PurgeRule rule, Table<?> table) {
        List<String> placeholders = rule.template().placeholders();
        if (placeholders.isEmpty()) {
            return;
        }
        Field<?>[] fields = table.fields();
        if (fields.length == 0) {
            throw new IllegalArgumentException("\"" + rule.path() + "\" has placeholders, so it needs a table that knows its"
                    + " columns, such as a generated table; " + table.getName() + " has none");
        }
        for (String placeholder : placeholders) {
            boolean found = false;
            for (Field<?> field : fields) {
                if (field.getName().equalsIgnoreCase(placeholder)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                StringBuilder columns = new StringBuilder();
                for (Field<?> field : fields) {
                    columns.append(columns.length() == 0 ? "" : ", ").append(field.getName());
                }
                throw new IllegalArgumentException("placeholder {" + placeholder + "} of \"" + rule.path()
                        + "\" is not a column of " + table.getName() + "; its columns are: " + columns);
            }
        }
    }

    private Snapshot rebuild() {
        Map<String, List<Binding>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        bindings.forEach((rule, byTable) -> byTable.forEach(
                (name, kinds) -> byName.computeIfAbsent(name, n -> new ArrayList<>()).add(new Binding(rule, kinds))));
        TreeMap<String, Binding[]> frozen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.forEach((name, list) -> frozen.put(name, list.toArray(new Binding[0])));
        boolean templated = false;
        for (PurgeRule rule : bindings.keySet()) {
            templated |= !rule.template().isStatic();
        }
        return new Snapshot(Map.copyOf(generatedNames), frozen, templated);
    }

    boolean isEmpty() {
        return snapshot.byName.isEmpty();
    }

    /**
     * Whether {@code attach} should add Roan's record listener: a rule with placeholders uses the values of
     * {@code UpdatableRecord}s, and with no rule yet, the rules to come may. Otherwise it is left out, because
     * jOOQ calls record listeners for every record it loads, which costs every read.
     */
    boolean needsRecords() {
        Snapshot s = snapshot;
        return s.byName.isEmpty() || s.templated;
    }

    /** Whether some rule with placeholders names a table. */
    boolean anyTemplated() {
        return snapshot.templated;
    }

    /**
     * Adds the paths that a write of {@code kinds} to {@code table} purges; the written rows are asked for
     * only if a templated rule matches.
     */
    void match(Table<?> table, int kinds, Supplier<List<Map<String, Object>>> rows, Purges out) {
        Snapshot s = snapshot;
        Binding[] candidates = s.byName.get(s.nameOf(table));
        if (candidates == null) {
            return;
        }
        for (Binding b : candidates) {
            if ((b.kinds & kinds) != 0) {
                if (b.rule.template().isStatic()) {
                    out.add(b.rule.path());
                } else {
                    out.addRows(b.rule, rows);
                }
            }
        }
    }

    /** Whether a rule with placeholders names {@code table}: only then are the rows of its writes worth noting. */
    boolean needsRows(Table<?> table) {
        Snapshot s = snapshot;
        Binding[] candidates = s.byName.get(s.nameOf(table));
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
        return s.byName.containsKey(s.nameOf(table));
    }

    String describe(PurgeRule rule) {
        synchronized (lock) {
            Map<String, Integer> byTable = bindings.get(rule);
            if (byTable == null || byTable.isEmpty()) {
                return "no table yet";
            }
            StringBuilder sb = new StringBuilder();
            byTable.forEach((name, kinds) -> {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(name).append(" (").append(WriteKinds.describe(kinds)).append(')');
            });
            return sb.toString();
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            List<String> parts = new ArrayList<>();
            for (PurgeRule rule : rules.values()) {
                parts.add(rule.path() + " on " + describe(rule));
            }
            return parts.toString();
        }
    }

    private static boolean isGenerated(Table<?> table) {
        // Generated tables subclass TableImpl; their aliases are instances of the same class.
        return table instanceof TableImpl && table.getClass() != TableImpl.class;
    }

    private static String canonicalName(Table<?> table) {
        Table<?> t = table;
        while (t instanceof QOM.TableAlias) {
            t = ((QOM.TableAlias<?>) t).$table();
        }
        return t.getName();
    }

    private static final class Binding {
        final PurgeRule rule;
        final int kinds;

        Binding(PurgeRule rule, int kinds) {
            this.rule = rule;
            this.kinds = kinds;
        }

        @Override
        public String toString() {
            return rule.path() + "(" + WriteKinds.describe(kinds) + ")";
        }
    }

    private static final class Snapshot {
        final Map<Class<?>, String> generatedNames;
        final TreeMap<String, Binding[]> byName;
        /** Whether a rule with placeholders names some table. */
        final boolean templated;

        Snapshot(Map<Class<?>, String> generatedNames, TreeMap<String, Binding[]> byName, boolean templated) {
            this.generatedNames = generatedNames;
            this.byName = byName;
            this.templated = templated;
        }

        /** The unaliased table name, matched case-insensitively (plain SQL may spell it either way). */
        String nameOf(Table<?> table) {
            String generated = generatedNames.get(table.getClass());
            if (generated != null) {
                return generated;
            }
            Table<?> t = table;
            while (t instanceof QOM.TableAlias) {
                t = ((QOM.TableAlias<?>) t).$table();
            }
            return t.getName();
        }
    }
}
