package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link TagHeader} within one cache's limits: the value's length, each tag's length, and how many tags count. Row
 * keys of a table whose key the page holds are left out at once (its tag covers them); when the rest does not fit,
 * the rows of the table with the most row keys collapse to that table's tag, then the next, until it fits. Tables are
 * never dropped: a page that reads more tables than the limit holds gets every table tag all the same, and a WARNING
 * once, as the cache will ignore the tail.
 */
final class LimitedTagHeader implements TagHeader {

    private static final System.Logger LOG = Log.LOGGER;
    /** The length of every row key's tag: a prefix and a hash of fixed length (see {@link Dependency#tag()}). */
    static final int ROW_TAG_LENGTH = Dependency.row("t", "c", "v").tag().length();

    private final String name;
    private final char separator;
    private final int maxValueBytes;
    private final int maxTagBytes;
    private final int maxTags;
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * @param maxValueBytes the longest value the cache reads whole, separators included
     * @param maxTagBytes the longest tag it takes
     * @param maxTags how many tags it takes per object
     */
    LimitedTagHeader(String name, char separator, int maxValueBytes, int maxTagBytes, int maxTags) {
        this.name = name;
        this.separator = separator;
        this.maxValueBytes = maxValueBytes;
        this.maxTagBytes = maxTagBytes;
        this.maxTags = maxTags;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String value(Set<Dependency> keys) {
        Set<String> tables = new TreeSet<>();
        for (Dependency key : keys) {
            if (key.isTable()) {
                tables.add(key.table());
            }
        }
        // Per table, its row keys, for the tables the page does not depend on whole. A row tag's length is fixed, so
        // they are counted before any is hashed, and only those kept are.
        Map<String, List<Dependency>> rows = new TreeMap<>();
        if (ROW_TAG_LENGTH <= maxTagBytes) {
            for (Dependency key : keys) {
                if (!key.isTable() && !tables.contains(key.table())) {
                    rows.computeIfAbsent(key.table(), t -> new ArrayList<>()).add(key);
                }
            }
        } else {
            // Never with Roan's 23-character row tags; a limit that small takes the tables' tags instead.
            keys.forEach(key -> tables.add(key.table()));
        }
        int count = tables.size();
        long bytes = 0;
        for (String table : tables) {
            bytes += Dependency.table(table).tag().length() + 1;
        }
        for (List<Dependency> tableRows : rows.values()) {
            count += tableRows.size();
            bytes += (long) tableRows.size() * (ROW_TAG_LENGTH + 1);
        }
        // bytes counts one separator per tag: the value has one fewer.
        while (!fits(count, bytes - 1) && !rows.isEmpty()) {
            String largest = null;
            int most = -1;
            for (Map.Entry<String, List<Dependency>> table : rows.entrySet()) {
                if (table.getValue().size() > most) {
                    largest = table.getKey();
                    most = table.getValue().size();
                }
            }
            rows.remove(largest);
            count -= most - 1;
            bytes -= (long) most * (ROW_TAG_LENGTH + 1);
            bytes += Dependency.table(largest).tag().length() + 1;
            tables.add(largest);
        }
        List<String> tags = new ArrayList<>(count);
        for (String table : tables) {
            tags.add(Dependency.table(table).tag());
        }
        Set<String> rowTags = new TreeSet<>();
        for (List<Dependency> tableRows : rows.values()) {
            for (Dependency row : tableRows) {
                rowTags.add(row.tag());
            }
        }
        tags.addAll(rowTags);
        if (!fits(count, bytes - 1) || tags.stream().anyMatch(tag -> tag.length() > maxTagBytes)) {
            warnOnce(count, bytes - 1);
        }
        return String.join(String.valueOf(separator), tags);
    }

    private boolean fits(int count, long valueBytes) {
        return count <= maxTags && valueBytes <= maxValueBytes;
    }

    private void warnOnce(int count, long valueBytes) {
        if (warned.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, () -> "A tracked page depends on more tables than the " + name + " header holds ("
                    + count + " tags in " + valueBytes + " bytes; the cache takes " + limits() + "): the header names"
                    + " them all, and the cache ignores those beyond its limit, so a write to one of those tables may"
                    + " leave the page stale. Split the page, or send it with Cache-Control: no-store. Said once.");
        }
    }

    private String limits() {
        return (maxTags == Integer.MAX_VALUE ? "" : maxTags + " tags, ") + maxValueBytes + " bytes"
                + (maxTagBytes == Integer.MAX_VALUE ? "" : ", " + maxTagBytes + " per tag");
    }

    @Override
    public String toString() {
        return name;
    }
}
