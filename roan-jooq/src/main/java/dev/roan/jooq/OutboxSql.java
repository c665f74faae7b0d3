package dev.roan.jooq;

import org.jooq.SQLDialect;

/**
 * The outbox table's SQL for one database: its DDL and the statements Roan runs on it, written by hand for the three
 * databases that have {@code FOR UPDATE SKIP LOCKED} and run through plain JDBC, never through a configuration Roan is
 * attached to, so that Roan's listener never sees them.
 *
 * <p>The columns are named so that Debezium's outbox event router reads the table with one setting changed: {@code id}
 * (chosen by Roan, a 64-bit number), {@code aggregatetype} and {@code type} (constants, from column defaults, so they
 * cost no bind value), {@code aggregateid} (the path: Kafka's message key) and {@code claimed_at}, the lease: the time,
 * by the database's clock, at which a Roan wrote or last claimed or renewed the row. A row whose {@code claimed_at} is
 * older than the lease belongs to no live Roan and is claimed by the next sweep.
 */
final class OutboxSql {

    /** The longest path a purge request can carry ({@link PurgePaths#MAX_REQUEST_TARGET}), so the longest path stored. */
    static final int MAX_PATH = PurgePaths.MAX_REQUEST_TARGET;

    final SqlFamily family;
    final String table;

    private OutboxSql(SqlFamily family, String table) {
        this.family = family;
        this.table = table;
    }

    static OutboxSql of(SQLDialect dialect, String table) {
        return new OutboxSql(SqlFamily.of(dialect, name -> "Roan's outbox needs FOR UPDATE SKIP LOCKED, which Roan"
                + " supports on PostgreSQL, MariaDB 10.6+, MySQL 8 and H2 2.x; the database is " + name
                + ": use memory mode (no outbox) on it"), table);
    }

    private String indexName() {
        return family.indexName(table, "_claimed_at");
    }

    String ddl() {
        switch (family) {
            case POSTGRES:
                return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                        + "    id            BIGINT                   NOT NULL PRIMARY KEY,\n"
                        + "    aggregatetype VARCHAR(32)              NOT NULL DEFAULT 'roan_purge',\n"
                        + "    aggregateid   VARCHAR(" + MAX_PATH + ")            NOT NULL,\n"
                        + "    type          VARCHAR(32)              NOT NULL DEFAULT 'purge',\n"
                        + "    claimed_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp()\n"
                        + ");\n"
                        + "CREATE INDEX IF NOT EXISTS " + indexName() + " ON " + table + " (claimed_at);";
            case MYSQL:
                return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                        + "    id            BIGINT       NOT NULL PRIMARY KEY,\n"
                        + "    aggregatetype VARCHAR(32)  NOT NULL DEFAULT 'roan_purge',\n"
                        + "    aggregateid   TEXT         NOT NULL,\n"
                        + "    type          VARCHAR(32)  NOT NULL DEFAULT 'purge',\n"
                        + "    claimed_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),\n"
                        + "    INDEX " + indexName() + " (claimed_at)\n"
                        + ");";
            default:
                return "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                        + "    id            BIGINT                   NOT NULL PRIMARY KEY,\n"
                        + "    aggregatetype VARCHAR(32)              NOT NULL DEFAULT 'roan_purge',\n"
                        + "    aggregateid   VARCHAR(" + MAX_PATH + ")            NOT NULL,\n"
                        + "    type          VARCHAR(32)              NOT NULL DEFAULT 'purge',\n"
                        + "    claimed_at    TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP\n"
                        + ");\n"
                        + "CREATE INDEX IF NOT EXISTS " + indexName() + " ON " + table + " (claimed_at);";
        }
    }

    /** The database's clock now: PostgreSQL's and H2's {@code CURRENT_TIMESTAMP} stand still for a transaction. */
    String now() {
        switch (family) {
            case POSTGRES:
                return "clock_timestamp()";
            case MYSQL:
                return "CURRENT_TIMESTAMP(3)";
            default:
                return "CURRENT_TIMESTAMP";
        }
    }

    /**
     * The database's clock a bound number of seconds ago: leases older than this have expired. Read in the claim's
     * own short transaction, so PostgreSQL's {@code now()} (its start) is close enough, and, unlike the volatile
     * {@code clock_timestamp()}, a value the planner compares with the {@code claimed_at} index.
     */
    String secondsAgo() {
        switch (family) {
            case POSTGRES:
                return "now() - (? * INTERVAL '1 second')";
            case MYSQL:
                return "CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND";
            default:
                return "DATEADD(SECOND, -CAST(? AS INT), CURRENT_TIMESTAMP)";
        }
    }

    /** A multi-row INSERT of {@code rows} rows, binding id and path per row. */
    String insert(int rows) {
        StringBuilder sql = new StringBuilder(40 + table.length() + rows * 7);
        sql.append("INSERT INTO ").append(table).append(" (id, aggregateid) VALUES ");
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "(?,?)" : ",(?,?)");
        }
        return sql.toString();
    }

    /** Rows whose lease expired, locked without waiting for rows another Roan is claiming right now. */
    String claimable(int limit) {
        // MySQL has no FETCH FIRST; H2 and PostgreSQL have both, MariaDB 10.6 both.
        return "SELECT id, aggregateid FROM " + table + " WHERE claimed_at < " + secondsAgo()
                + (family == SqlFamily.MYSQL ? " LIMIT " + limit : " FETCH FIRST " + limit + " ROWS ONLY")
                + " FOR UPDATE SKIP LOCKED";
    }

    /** Sets the lease of {@code rows} rows to now. */
    String renew(int rows) {
        return "UPDATE " + table + " SET claimed_at = " + now() + " WHERE id IN (" + marks(rows) + ")";
    }

    String delete(int rows) {
        return "DELETE FROM " + table + " WHERE id IN (" + marks(rows) + ")";
    }

    private static String marks(int n) {
        StringBuilder s = new StringBuilder(n * 2);
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "?" : ",?");
        }
        return s.toString();
    }
}
