package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.jooq.ConnectionProvider;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.tools.jdbc.JDBCUtils;
import org.jspecify.annotations.Nullable;

/**
 * Durable mode: the purges a transaction owes, as rows of the outbox table written in that transaction; after its
 * commit they are delivered as in memory mode, and deleted once every cache node confirmed them. Rows nobody
 * delivers (their writer died, or had no room for them) are claimed by a sweep.
 *
 * <p>Each row carries a lease, {@code claimed_at}: the database's time at which a Roan wrote, claimed or renewed it.
 * A Roan renews the leases of the rows it still owes at each sweep; a row whose lease is older than
 * {@link Settings#outboxLease()} belongs to no live Roan, and the next sweep of any Roan claims it, with
 * {@code FOR UPDATE SKIP LOCKED} so that two Roans sweeping at once take different rows.
 *
 * <p>All of the outbox's own SQL runs through plain JDBC, never through a configuration Roan is attached to. Rows are
 * written on the writer's thread; deletions, renewals and sweeps on one daemon thread of the outbox's own.
 */
final class Outbox {

    private static final System.Logger LOG = Log.LOGGER;
    /** Rows per INSERT: a transaction owing more paths writes several; PostgreSQL binds at most 65,535 values. */
    static final int INSERT_CHUNK = 5_000;
    /** Ids per DELETE or lease renewal. */
    static final int ID_CHUNK = 1_000;
    /** Rows per claim; a sweep claims again while it finds full chunks and the dispatcher has room. */
    static final int CLAIM_CHUNK = 1_000;

    private final DataSource dataSource;
    private final OutboxSql sql;
    private final Dispatcher dispatcher;
    /** Expands the key targets of rows to the pages depending on them; null without a shared page index. */
    private final @Nullable DatabasePageIndex pageIndex;
    private final long leaseSeconds;
    /** Rows tracked at most (one id each, renewed at each sweep); beyond, rows wait for a sweep. */
    private final int maxOwedRows;
    private final ScheduledThreadPoolExecutor thread;
    /**
     * Row ids are chosen here rather than by the database, so that the writer knows them without asking for generated
     * keys (which MariaDB and H2 give back differently for a multi-row INSERT): a random start per Roan, counted up.
     * Two Roans collide only if their starts lie closer than the rows they write, about one chance in 2^63 / rows.
     */
    private final AtomicLong nextId = new AtomicLong(new SecureRandom().nextLong() >>> 1);
    /** The rows this Roan delivers now, by id: their leases are renewed until they are deleted or given back. */
    private final Set<Long> owed = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Long> deletable = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean deleteScheduled = new AtomicBoolean();
    private final AtomicLong rowsWritten = new AtomicLong();
    private final AtomicLong rowsDeleted = new AtomicLong();
    private final AtomicLong rowsClaimed = new AtomicLong();
    private volatile boolean closed;
    /** Touched by the outbox's thread only. */
    private boolean sweepFailing;

    Outbox(Settings settings, Dispatcher dispatcher) {
        this(settings, dispatcher, null);
    }

    /**
     * @param pageIndex the shared page index, whose keys' rows stay until their pages are read and purged; or null
     */
    Outbox(Settings settings, Dispatcher dispatcher, @Nullable DatabasePageIndex pageIndex) {
        this.dataSource = settings.outbox();
        this.dispatcher = dispatcher;
        this.pageIndex = pageIndex;
        this.leaseSeconds = Math.max(1, settings.outboxLease().toSeconds());
        this.maxOwedRows = settings.maxOwedPaths();
        SQLDialect dialect;
        try (Connection c = dataSource.getConnection()) {
            dialect = JDBCUtils.dialect(c);
            this.sql = OutboxSql.of(dialect, settings.outboxTable());
            if (settings.createOutboxTable()) {
                create(c);
            } else {
                check(c);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Roan's outbox: could not reach the outbox table " + settings.outboxTable()
                    + " through the DataSource given to outbox(...): " + e.getMessage(), e);
        }
        this.thread = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "roan-outbox");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        long interval = settings.outboxSweepInterval().toNanos();
        thread.scheduleWithFixedDelay(this::sweepQuietly, 0, interval, TimeUnit.NANOSECONDS);
    }

    private void create(Connection c) throws SQLException {
        OwnTables.create(c, sql.ddl(), this::check);
    }

    private void check(Connection c) {
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT id, aggregateid, claimed_at FROM " + sql.table + " WHERE 1 = 0").close();
        } catch (SQLException e) {
            throw new IllegalStateException("Roan's outbox table " + sql.table + " is missing or lacks a column ("
                    + e.getMessage() + "): create it with the DDL of Roan.outboxDdl(SQLDialect, \"" + sql.table
                    + "\") (see the README, \"Durable mode\"), or let Roan create it (createOutboxTable(true))", e);
        }
    }

    /**
     * Writes one row per path on the writer's connection, inside its transaction: one INSERT for up to
     * {@link #INSERT_CHUNK} paths.
     *
     * @return the ids of the rows, for {@link #committed}
     * @throws DataAccessException if the INSERT failed: the transaction must not commit as if its purges were safe
     */
    long[] write(Connection connection, Collection<String> paths) {
        long[] ids = new long[paths.size()];
        long first = nextId.getAndAdd(ids.length);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = first + i;
        }
        List<String> list = paths instanceof List ? (List<String>) paths : new ArrayList<>(paths);
        try {
            for (int from = 0; from < list.size(); from += INSERT_CHUNK) {
                int n = Math.min(INSERT_CHUNK, list.size() - from);
                try (PreparedStatement insert = connection.prepareStatement(sql.insert(n))) {
                    for (int i = 0; i < n; i++) {
                        insert.setLong(2 * i + 1, ids[from + i]);
                        insert.setString(2 * i + 2, list.get(from + i));
                    }
                    insert.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new WriteFailed("Roan could not write the purges of this transaction to its outbox table "
                    + sql.table + " (" + e.getMessage() + "), so the transaction does not commit: durable mode"
                    + " promises that a committed write leaves its purges in the table. Check that the table exists"
                    + " in the schema the writes use (Roan.outboxDdl) and that the user may insert into it", e);
        }
        rowsWritten.addAndGet(ids.length);
        return ids;
    }

    /**
     * Writes rows on a connection of the outbox's DataSource, committed at once: for a statement that auto-committed
     * already, so that its purges survive a crash from now on.
     *
     * @return the ids, or null if the rows could not be written (logged; the purges are then delivered from memory)
     */
    long[] writeNow(Collection<String> paths) {
        try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            return write(c, paths);
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.ERROR, "Roan could not write the purges of an auto-committed write to its outbox table "
                    + sql.table + "; they are delivered from memory only, and lost if this process dies first", e);
            return null;
        }
    }

    /**
     * The rows' transaction committed: deliver their paths now, and delete the rows once every node confirmed them.
     *
     * @return when they are settled (for read-your-writes), or null if they were submitted untracked
     */
    @Nullable
    CompletionStage<Settled> committed(Collection<String> paths, long[] ids) {
        if (owed.size() + ids.length > maxOwedRows) {
            // A long outage with many transactions: tracking each row would cost memory per transaction, beyond the
            // cap the dispatcher keeps. Delivered from memory as far as it has room; the rows wait for a sweep, which
            // claims them in batches once their lease has run out: a path beyond the dispatcher's room is not lost.
            if (pageIndex != null) {
                pageIndex.submitKept(paths);
            } else {
                dispatcher.submitKept(paths);
            }
            return null;
        }
        List<Long> rows = new ArrayList<>(ids.length);
        for (long id : ids) {
            rows.add(id);
        }
        return track(paths, rows);
    }

    /** Delivers {@code paths}, owing the rows meanwhile; rows the dispatcher did not take are left to a sweep. */
    private CompletableFuture<Settled> track(Collection<String> paths, List<Long> rows) {
        owed.addAll(rows);
        CompletableFuture<Settled> done = new CompletableFuture<>();
        CompletionStage<Settled> delivered = pageIndex != null ? pageIndex.submitTracked(paths)
                : dispatcher.submitTracked(paths);
        delivered.whenComplete((settled, failure) -> {
            if (settled == Settled.DELIVERED || settled == Settled.GIVEN_UP) {
                // GIVEN_UP: the user chose dropping (giveUpAfter), so the row goes too.
                deletable.addAll(rows);
                scheduleDelete();
            }
            // NOT_TAKEN (closed, or no room): the lease runs out and a sweep, of this Roan or another, claims them.
            rows.forEach(owed::remove);
            done.complete(settled == null ? Settled.NOT_TAKEN : settled);
        });
        return done;
    }

    private void scheduleDelete() {
        if (!closed && deleteScheduled.compareAndSet(false, true)) {
            try {
                thread.execute(this::deleteQuietly);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                deleteScheduled.set(false);
            }
        }
    }

    private void deleteQuietly() {
        deleteScheduled.set(false);
        try {
            deleteDelivered();
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "Roan could not delete delivered rows of its outbox table " + sql.table
                    + "; a sweep will purge their paths once more after their lease", e);
        }
    }

    /** Deletes the rows whose purges every node confirmed, {@link #ID_CHUNK} per statement. */
    private void deleteDelivered() throws SQLException {
        if (deletable.isEmpty()) {
            return;
        }
        try (Connection c = autoCommitting()) {
            List<Long> chunk = new ArrayList<>(ID_CHUNK);
            for (Long id = deletable.poll(); id != null; id = deletable.poll()) {
                chunk.add(id);
                if (chunk.size() == ID_CHUNK) {
                    rowsDeleted.addAndGet(byIds(c, sql.delete(chunk.size()), chunk));
                    chunk.clear();
                }
            }
            if (!chunk.isEmpty()) {
                rowsDeleted.addAndGet(byIds(c, sql.delete(chunk.size()), chunk));
            }
        }
    }

    private Connection autoCommitting() throws SQLException {
        Connection c = dataSource.getConnection();
        if (!c.getAutoCommit()) {
            c.setAutoCommit(true);
        }
        return c;
    }

    private static int byIds(Connection c, String statement, List<Long> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setLong(i + 1, ids.get(i));
            }
            return ps.executeUpdate();
        }
    }

    /** Sweeps on the outbox's thread: a database that is down is logged once, not at every sweep. */
    private void sweepQuietly() {
        try {
            sweep();
            if (sweepFailing) {
                sweepFailing = false;
                LOG.log(Level.INFO, () -> "Roan sweeps its outbox table " + sql.table + " again");
            }
        } catch (SQLException | RuntimeException e) {
            if (sweepFailing) {
                LOG.log(Level.DEBUG, "Roan could not sweep its outbox table " + sql.table, e);
            } else {
                sweepFailing = true;
                LOG.log(Level.WARNING, "Roan could not sweep its outbox table " + sql.table + "; rows other"
                        + " processes left wait until it can (tried again every sweep interval, logged at DEBUG"
                        + " until it works)", e);
            }
        }
    }

    /**
     * Renews the leases of the rows this Roan owes, then claims rows whose lease expired, as many as the dispatcher
     * has room for, and delivers them: many rows for one path are one purge per node.
     *
     * @return how many rows were claimed
     */
    int sweep() throws SQLException {
        if (closed) {
            return 0;
        }
        deleteDelivered();
        renew();
        int claimed = 0;
        while (!closed) {
            int room = Math.min(dispatcher.room(), maxOwedRows - owed.size());
            if (room <= 0) {
                break;
            }
            int limit = Math.min(room, CLAIM_CHUNK);
            Map<Long, String> rows = claim(limit);
            if (rows.isEmpty()) {
                break;
            }
            claimed += rows.size();
            rowsClaimed.addAndGet(rows.size());
            Set<String> paths = new java.util.LinkedHashSet<>(rows.values());
            track(paths, new ArrayList<>(rows.keySet()));
            if (rows.size() < limit) {
                break;
            }
        }
        return claimed;
    }

    private void renew() throws SQLException {
        if (owed.isEmpty()) {
            return;
        }
        List<Long> ids = new ArrayList<>(owed);
        try (Connection c = autoCommitting()) {
            for (int from = 0; from < ids.size(); from += ID_CHUNK) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + ID_CHUNK));
                byIds(c, sql.renew(chunk.size()), chunk);
            }
        }
    }

    /** One short transaction: lock rows with an expired lease that no other sweep is locking, and renew them. */
    private Map<Long, String> claim(int limit) throws SQLException {
        Map<Long, String> rows = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement select = c.prepareStatement(sql.claimable(limit))) {
                    select.setLong(1, leaseSeconds);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            rows.put(rs.getLong(1), rs.getString(2));
                        }
                    }
                }
                if (!rows.isEmpty()) {
                    byIds(c, sql.renew(rows.size()), new ArrayList<>(rows.keySet()));
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
        return rows;
    }

    /** Runs a sweep on the outbox's thread and waits for it: for tests and for {@link Roan}'s callers. */
    int sweepNow(Duration timeout) throws InterruptedException, TimeoutException {
        Future<Integer> f = thread.submit(this::sweep);
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Roan's outbox sweep failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** After delivery has stopped: deletes what was confirmed, leaves the rest to the next Roan's sweep. */
    void close(Duration timeout) {
        Future<?> last = thread.submit(this::deleteQuietly);
        closed = true;
        try {
            last.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.DEBUG, "Roan's outbox did not finish deleting delivered rows before closing", e);
        }
        thread.shutdownNow();
        int left = owed.size();
        if (left > 0) {
            LOG.log(Level.INFO, () -> "Roan closed with " + left + " rows of its outbox table " + sql.table
                    + " undelivered; a Roan sweeping the table delivers them after their lease");
        }
    }

    /** The connection of the configuration the writes ran on: the transaction's, for jOOQ and Spring alike. */
    static Connection acquire(ConnectionProvider provider) {
        Connection c = provider.acquire();
        if (c == null) {
            throw new DataAccessException("Roan's outbox: the configuration's ConnectionProvider gave no connection to"
                    + " write the transaction's purges on");
        }
        return c;
    }

    /**
     * The outbox rows of a transaction could not be written: thrown to the writer, so that the transaction does not
     * commit. A jOOQ {@code DataAccessException}, as for the writer's own statements.
     */
    static final class WriteFailed extends DataAccessException {
        private static final long serialVersionUID = 1L;

        WriteFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    String table() {
        return sql.table;
    }

    long rowsWritten() {
        return rowsWritten.get();
    }

    long rowsDeleted() {
        return rowsDeleted.get();
    }

    long rowsClaimed() {
        return rowsClaimed.get();
    }

    int owedRows() {
        return owed.size();
    }

    @Override
    public String toString() {
        return "Outbox[" + sql.table + ", " + sql.family + ", owed=" + owed.size() + "]";
    }
}
