package dev.roan.jooq;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.jooq.SQLDialect;

/**
 * The shared page index's SQL for one database: its DDL and the statements {@link DatabasePageIndex} runs, written by
 * hand for PostgreSQL, MariaDB/MySQL and H2 and run through plain JDBC, never through a configuration Roan is attached
 * to, so that Roan's listener never sees them.
 *
 * <p>One row per (dependency, page): {@code dependency}, a 64-bit hash of the dependency's
 * {@linkplain Dependency#target() target}; {@code page}, a 64-bit hash of the page's URL; {@code url}, the URL itself,
 * which a purge needs. Hashes rather than the strings keep both indexes small and fixed-width: a URL may be 8,000
 * characters and a row key's value anything, more than PostgreSQL's and InnoDB's index entries hold. A write's keys
 * are looked up through the primary key's first column, a page's keys through the {@code page} index.
 *
 * <p>What a collision costs: two dependencies with one hash make a write of either purge the pages of both (a page
 * more, never one less). Two pages with one hash (about one chance in 10^7 among ten million pages, as for any 64-bit
 * hash) share rows' primary keys: {@link DatabasePageIndex} compares the stored URL before it deletes, so a page never
 * deletes the other's keys, but where both depend on one key only the first page's row is stored, and the second page
 * is then not purged by that key. {@link DatabasePageIndex} logs such a collision as a WARNING.
 *
 * <p>A second table, {@code <table>_log}, logs the hashes of recently committed keys with the database's clock
 * ({@code committed_at}), so that a render on one instance learns of a write another instance committed while it ran
 * (see {@link DatabasePageIndex}, "the log of committed keys"). Its own table rather than rows of the index: an
 * append-only log, looked up by (dependency, time) and pruned by time, has nothing in common with a page's rows.
 */
final class PageIndexSql {

    /** The longest URL a purge can carry ({@link PurgePaths#MAX_REQUEST_TARGET}), so the longest stored. */
    static final int MAX_URL = PurgePaths.MAX_REQUEST_TARGET;

    final SqlFamily family;
    final String table;

    private PageIndexSql(SqlFamily family, String table) {
        this.family = family;
        this.table = table;
    }

    static PageIndexSql of(SQLDialect dialect, String table) {
        return new PageIndexSql(SqlFamily.of(dialect, name -> "Roan's shared page index supports PostgreSQL, MariaDB,"
                + " MySQL and H2; the database is " + name + ": use the in-memory page index (omit"
                + " pageIndex(DataSource)) or a cache with tags on it"), table);
    }

    private String indexName() {
        return family.indexName(table, "_page");
    }

    String ddl() {
        switch (family) {
            case MYSQL:
                return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                        + "    dependency BIGINT NOT NULL,\n"
                        + "    page       BIGINT NOT NULL,\n"
                        + "    url        TEXT   NOT NULL,\n"
                        + "    PRIMARY KEY (dependency, page),\n"
                        + "    INDEX " + indexName() + " (page)\n"
                        + ");\n"
                        + "CREATE TABLE IF NOT EXISTS " + log() + " (\n"
                        + "    dependency   BIGINT      NOT NULL,\n"
                        + "    committed_at DATETIME(6) NOT NULL,\n"
                        + "    INDEX " + logIndexName() + " (dependency, committed_at)\n"
                        + ");";
            default:
                return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                        + "    dependency BIGINT        NOT NULL,\n"
                        + "    page       BIGINT        NOT NULL,\n"
                        + "    url        VARCHAR(" + MAX_URL + ") NOT NULL,\n"
                        + "    PRIMARY KEY (dependency, page)\n"
                        + ");\n"
                        + "CREATE INDEX IF NOT EXISTS " + indexName() + " ON " + table + " (page);\n"
                        + "CREATE TABLE IF NOT EXISTS " + log() + " (\n"
                        + "    dependency   BIGINT NOT NULL,\n"
                        + "    committed_at " + (family == SqlFamily.POSTGRES ? "TIMESTAMPTZ" : "TIMESTAMP(6) WITH TIME ZONE")
                        + " NOT NULL\n"
                        + ");\n"
                        + "CREATE INDEX IF NOT EXISTS " + logIndexName() + " ON " + log() + " (dependency, committed_at);";
        }
    }

    /** What {@link DatabasePageIndex} checks at start: the columns it uses exist. */
    String check() {
        return "SELECT dependency, page, url FROM " + table + " WHERE 1 = 0";
    }

    /** As {@link #check()}, for the log of recently committed keys. */
    String checkLog() {
        return "SELECT dependency, committed_at FROM " + log() + " WHERE 1 = 0";
    }

    // ---- the log of recently committed keys, shared by the instances (see DatabasePageIndex, "the log") ----

    /** The log's table: the index table's name with {@code _log}, in its schema. */
    String log() {
        return table + "_log";
    }

    private String logIndexName() {
        return family.indexName(table, "_log_key");
    }

    /**
     * The database's clock, now: the same clock for every instance, so that no two hosts' clocks need agree. Within a
     * transaction H2's and MariaDB's may be its start, which only makes a window reach further back.
     */
    private String now() {
        switch (family) {
            case POSTGRES:
                return "clock_timestamp()";
            case MYSQL:
                return "UTC_TIMESTAMP(6)";
            default:
                return "CURRENT_TIMESTAMP(6)";
        }
    }

    /** The database's clock {@code ?} microseconds ago (one bind, a positive number). */
    private String ago() {
        switch (family) {
            case POSTGRES:
                return "clock_timestamp() - CAST(? AS BIGINT) * INTERVAL '1 microsecond'";
            case MYSQL:
                return "UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND";
            default:
                return "DATEADD(MICROSECOND, -CAST(? AS BIGINT), CURRENT_TIMESTAMP(6))";
        }
    }

    /** Logs {@code n} committed keys at the database's clock: binds their dependency hashes. */
    String logKeys(int n) {
        StringBuilder sql = new StringBuilder(60 + n * 30).append("INSERT INTO ").append(log())
                .append(" (dependency, committed_at) VALUES ");
        for (int i = 0; i < n; i++) {
            sql.append(i == 0 ? "(?," : ",(?,").append(now()).append(')');
        }
        return sql.toString();
    }

    /**
     * Whether one of {@code n} keys was logged within the last {@code ?} microseconds: binds the microseconds, then
     * the dependency hashes; {@code n} zero for any key (a page that depends on everything).
     */
    String loggedSince(int n) {
        return "SELECT 1 FROM " + log() + " WHERE committed_at > " + ago()
                + (n == 0 ? "" : " AND dependency IN (" + marks(n) + ")");
    }

    /** Forgets the keys logged more than {@code ?} microseconds ago. */
    String pruneLog() {
        return "DELETE FROM " + log() + " WHERE committed_at < " + ago();
    }

    /** The rows of one page hash: their dependency and URL (another page's, in a collision). */
    String keysOf() {
        return "SELECT dependency, url FROM " + table + " WHERE page = ?";
    }

    /** The pages of {@code n} dependencies: binds the dependency hashes. */
    String pages(int n) {
        return "SELECT dependency, url FROM " + table + " WHERE dependency IN (" + marks(n) + ")";
    }

    /** Deletes {@code n} of one page's dependencies: binds the page hash, the URL, then the dependency hashes. */
    String delete(int n) {
        return "DELETE FROM " + table + " WHERE page = ? AND url = ? AND dependency IN (" + marks(n) + ")";
    }

    /**
     * Inserts {@code n} rows (dependency, page, url) for one page, skipping rows that exist: a render of the same page
     * on another instance may have inserted them a moment ago.
     */
    String insert(int n) {
        StringBuilder sql = new StringBuilder(60 + table.length() + n * 9);
        switch (family) {
            case MYSQL:
                sql.append("INSERT IGNORE INTO ").append(table).append(" (dependency, page, url) VALUES ");
                break;
            case H2:
                sql.append("MERGE INTO ").append(table).append(" (dependency, page, url) KEY (dependency, page) VALUES ");
                break;
            default:
                sql.append("INSERT INTO ").append(table).append(" (dependency, page, url) VALUES ");
                break;
        }
        for (int i = 0; i < n; i++) {
            sql.append(i == 0 ? "(?,?,?)" : ",(?,?,?)");
        }
        if (family == SqlFamily.POSTGRES) {
            sql.append(" ON CONFLICT DO NOTHING");
        }
        return sql.toString();
    }

    /** The pseudo-URL under which the table keeps the pins of tracked reads, one row each; never a page's path. */
    static final String PINS = "#pins";

    /**
     * A pin's row: {@code dependency} the hash of {@code "#pin:" + pin}, {@code page} the hash of {@link #PINS},
     * {@code url} the pin itself ({@code "pets.owner_id"}, {@code "pets"}, {@code "*"}). Read with {@link #keysOf()}.
     */
    static long pinHash(String pin) {
        return hash("#pin:" + pin);
    }

    /**
     * The 64-bit hash the table stores for a dependency's target or a page's URL: the first 8 bytes of its SHA-256,
     * so that the same string hashes alike in every instance and every JVM.
     */
    static long hash(String s) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (digest[i] & 0xFF);
        }
        return h;
    }

    private static String marks(int n) {
        StringBuilder s = new StringBuilder(n * 2);
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "?" : ",?");
        }
        return s.toString();
    }
}
