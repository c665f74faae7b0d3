package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.jooq.DDLQuery;
import org.jooq.ExecuteContext;
import org.jooq.exception.DataAccessException;
import org.jooq.ExecuteListener;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.QOM;
import org.jspecify.annotations.Nullable;

/**
 * The statement path, stage by stage: <b>detect</b> what an executed statement wrote ({@link WriteDetector}, in
 * {@code executeEnd}), <b>match</b> those writes against the rules ({@link Matcher}, in {@code end}, see
 * {@link #route}), then <b>hold</b> the paths until the commit ({@link TransactionScopes}) or <b>send</b> them to
 * delivery ({@link Dispatcher}). Shared by all threads; per-statement state lives on a per-thread stack.
 *
 * <p>Only {@code executeEnd} means a statement ran: the dry run of {@code batchStore()} and friends
 * renders queries without executing them and never reaches it. There Roan reads which tables were
 * written and the connection's auto-commit (the connection may be released by {@code end}); in
 * {@code end}, once a RETURNING result or generated keys have been fetched, it fills path placeholders
 * and routes the purges. Nothing thrown here reaches the caller's statement.
 *
 * <p>Inside a tracked render ({@link Tracking}), {@code executeStart} also hands each read to the render.
 *
 * <p>Three more events matter: {@code prepareEnd}, where the statement of a batch with bind sets is wrapped
 * to read them; and {@code exception}, after which a batch the database refused in part counts as run.
 *
 * <p>Roan puts no record listener on a configuration: jOOQ would call it for every record a read loads. The writes
 * of {@code UpdatableRecord}s are seen as the statements jOOQ executes for them, like any other write.
 */
final class RoanExecuteListener implements ExecuteListener {

    private static final System.Logger LOG = Log.LOGGER;
    /** SQL strings already warned about for unknown rows; bounded, like the parse cache. */
    private static final int MAX_WARNED = 1_000;

    /**
     * What {@code executeEnd} learnt, for {@code end} on the same thread: a stack, in case a statement runs
     * between the two (jOOQ's per-statement data map would cost an allocation per statement). Per listener, so
     * that two Roans attached to one configuration keep their own.
     */
    private final ThreadLocal<PendingStack> pending = ThreadLocal.withInitial(PendingStack::new);
    private static final Set<String> DDL_VERBS = Set.of("CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME");

    private final WriteDetector detector;
    private final Matcher matcher;
    private final RowsBefore rowsBefore;
    private final RelatedRows relatedRows;
    private final TransactionScopes scopes;
    private final Dispatcher dispatcher;
    private final @Nullable Outbox outbox;
    private final AtomicBoolean warnedUnknownTransaction = new AtomicBoolean();
    private final AtomicBoolean warnedFailure = new AtomicBoolean();
    private final AtomicBoolean warnedRelatedFailure = new AtomicBoolean();
    private volatile boolean warnedBatchedAutoCommit;
    private final Set<String> warnedUnknownRows = ConcurrentHashMap.newKeySet();
    /** Rules warned about for values too long or binary, by kind and path; bounded. */
    private final Set<String> warnedRules = ConcurrentHashMap.newKeySet();
    private final LongAdder unknownRows = new LongAdder();

    /** Tracked renders: the reads of each, from {@link #executeStart}. */
    private final Tracking tracking;

    private final ForeignKeys foreignKeys = new ForeignKeys();

    RoanExecuteListener(WriteDetector detector, Matcher matcher, TransactionScopes scopes, Dispatcher dispatcher,
            @Nullable Outbox outbox, Tracking tracking) {
        this.tracking = tracking;
        this.outbox = outbox;
        this.detector = detector;
        this.matcher = matcher;
        this.scopes = scopes;
        this.dispatcher = dispatcher;
        this.rowsBefore = new RowsBefore(matcher.rules());
        this.relatedRows = new RelatedRows(matcher.rules());
    }

    /**
     * A batch of one statement with several bind sets ({@code batch(query).bind(...)}, the Loader API's
     * {@code batchAll()}): its member holds no set, or the first only, so when a rule needs its rows, the sets
     * are captured as jOOQ binds them (see {@link BatchBinds}). One comparison for any other statement.
     */
    @Override
    public void prepareEnd(ExecuteContext ctx) {
        if (ctx.batchMode() != ExecuteContext.BatchMode.SINGLE) {
            return;
        }
        try {
            Query[] members = ctx.batchQueries();
            if (members.length == 1 && members[0] != null
                    && matcher.needsRows(detector.written(members[0], ctx.dialect()))) {
                BatchBinds.capture(ctx);
            }
        } catch (RuntimeException | LinkageError e) {
            failed(e);
        }
    }

    /**
     * Reads the rows an UPDATE or DELETE is about to change when a rule needs values its text does not give (see
     * {@link RowsBefore}): the last moment before it runs, on its connection. One volatile read for any other statement.
     */
    @Override
    public void executeStart(ExecuteContext ctx) {
        // At the read's start, so that a write committing while it runs is seen by the render's race check.
        tracking.read(ctx);
        if (!rowsBefore.any() || WriteDetector.isRead(ctx.query())) {
            return;
        }
        try {
            rowsBefore.readFor(ctx);
        } catch (ReadGuard.Unguarded e) {
            // The read failed in the writer's transaction, which PostgreSQL has aborted: the statement fails with its
            // error, as it would have met it (a lock timeout, a deadlock) itself.
            throw failure(ctx, e);
        } catch (RuntimeException | LinkageError e) {
            failed(e);
        }
    }

    @Override
    public void executeEnd(ExecuteContext ctx) {
        if (WriteDetector.isRead(ctx.query())) {
            return;
        }
        // Before its keys are matched, even of a table no tracked page has read yet: a render may pin it before the
        // commit (see Rules#pinnedSince).
        long pins = scopes.writing();
        try {
            executed(ctx, pins);
        } catch (ReadGuard.Unguarded e) {
            // A related read failed in the writer's transaction, which PostgreSQL has aborted: the statement fails with
            // its error, rather than the next statement with "current transaction is aborted", or the commit
            // silently rolling back.
            throw failure(ctx, e);
        } catch (RuntimeException | LinkageError e) {
            failed(e);
        }
    }

    /**
     * What the statement fails with when Roan's read failed without a savepoint: the read's own exception, its
     * {@code SQLException} set on {@code ctx} as if the statement had met it, so that exception translators (Spring's,
     * which map a lock timeout or a deadlock to the exceptions retry policies know) see it.
     */
    private static RuntimeException failure(ExecuteContext ctx, ReadGuard.Unguarded e) {
        SQLException cause = e.failure instanceof DataAccessException
                ? ((DataAccessException) e.failure).getCause(SQLException.class)
                : null;
        if (cause != null) {
            ctx.sqlException(cause);
        }
        return e.failure;
    }

    /**
     * A batch the database refused in part ({@code BatchUpdateException}) may have applied its other members,
     * committed already with auto-commit on: its pages are purged as if it had run (too many purges cost a
     * cache miss; too few leave a page stale). A single statement that fails changes nothing.
     */
    @Override
    public void exception(ExecuteContext ctx) {
        if (ctx.batchMode() == ExecuteContext.BatchMode.NONE || !(ctx.sqlException() instanceof BatchUpdateException)) {
            return;
        }
        try {
            executed(ctx, scopes.writing());
        } catch (ReadGuard.Unguarded e) {
            // The batch failed already, and with it a PostgreSQL transaction: its related rows fall back.
        } catch (RuntimeException | LinkageError e) {
            failed(e);
        }
    }

    /** @param pins the number of tracked pins before the statement's keys are computed ({@link TransactionScopes#writing}) */
    private void executed(ExecuteContext ctx, long pins) {
        PendingStack stack = pending.get();
        if (stack.top != null && stack.top.ctx == ctx) {
            // A batch sent in chunks (Settings.batchSize) ends each chunk's execution: read it once, at its end. Its
            // related rows, though, only now, while the connection is there: again, with the bind sets so far.
            if (stack.top.related != null) {
                stack.top.related = related(ctx, stack.top.written, null);
            }
            return;
        }
        // MySQL and MariaDB commit the open transaction before any DDL, TRUNCATE included, and run the
        // DDL outside it: a rollback later undoes neither.
        boolean implicitCommit = commitsBeforeDdl(ctx.family()) && isDdl(ctx.query());
        if (implicitCommit) {
            scopes.implicitCommit();
        }
        Pending entry = stack.obtain();
        List<WriteDetector.Written> written = detector.written(ctx, entry.written);
        if (written != null) {
            // Cheapest tests first: this runs for every matched write.
            boolean autoCommit = implicitCommit || autoCommit(ctx);
            if (autoCommit && !warnedBatchedAutoCommit && ctx.rows() == 0 && BatchedConnections.deferred(ctx)) {
                warnBatchedAutoCommit(written);
            }
            // Related rows are read now, on the statement's connection, which end() may find released.
            RelatedRows.Read related = relatedRows.any() ? related(ctx, written, readBefore(ctx)) : null;
            stack.push(entry.of(ctx, autoCommit, related, pins));
            if (matcher.rules().anyTrackedTable()) {
                entry.cascaded = cascaded(ctx, written);
            }
        } else {
            stack.recycle(entry);
            scopes.wroteUnmatched(pins, ctx.configuration().connectionProvider());
        }
    }

    @Override
    public void end(ExecuteContext ctx) {
        if (WriteDetector.isRead(ctx.query())) {
            return;
        }
        PendingStack stack = pending.get();
        Pending mine = stack.take(ctx);
        if (mine == null) {
            return;
        }
        try {
            route(ctx, mine);
        } catch (Outbox.WriteFailed e) {
            // Durable mode: the open transaction must not commit as if its purges were in the table.
            throw e;
        } catch (RuntimeException | LinkageError e) {
            failed(e);
        } finally {
            stack.recycle(mine);
        }
    }

    /**
     * The pipeline for one executed statement, after detection in {@code executeEnd}: match its writes against the
     * rules, then hold the paths until the commit or hand them to delivery.
     */
    private void route(ExecuteContext ctx, Pending pending) {
        Purges purges = match(ctx, pending);
        if (!purges.misses().isEmpty()) {
            unknownRows(ctx.sql(), purges);
        }
        if (!purges.isEmpty()) {
            holdOrSend(ctx, purges.paths(), pending.autoCommit, pending.pins);
        } else if (!pending.autoCommit) {
            scopes.wroteUnmatched(pending.pins, ctx.configuration().connectionProvider());
        }
    }

    /** Match: a batch of one statement with bind sets names its rows by those sets, any other by its own values. */
    private Purges match(ExecuteContext ctx, Pending pending) {
        Purges purges = ctx.batchMode() == ExecuteContext.BatchMode.SINGLE
                ? matcher.match(pending.written, BatchBinds.of(ctx), readBefore(ctx), pending.related)
                : matcher.match(pending.written, ctx.result(), readBefore(ctx), pending.related,
                        pending.purges);
        if (pending.cascaded != null) {
            pending.cascaded.forEach(purges::add);
        }
        return purges;
    }

    /**
     * The keys of the tracked tables the database itself changes through its foreign keys' ON DELETE / ON UPDATE
     * actions when the statement deletes or updates a parent, or empties with it in a {@code TRUNCATE ... CASCADE}
     * (see {@link ForeignKeys}); read now, while the statement's connection is there.
     */
    private @Nullable List<String> cascaded(ExecuteContext ctx, List<WriteDetector.Written> written) {
        // Beneath dsl.batched(...)'s connection: asking that one anything sends the user's pending batch.
        Connection beneath = BatchedConnections.beneath(ctx);
        Connection connection = beneath != null ? beneath : ctx.connection();
        if (connection == null) {
            return null;
        }
        List<String> keys = null;
        Rules rules = matcher.rules();
        for (WriteDetector.Written w : written) {
            boolean delete = (w.kinds & (WriteKinds.DELETE | WriteKinds.TRUNCATE)) != 0;
            boolean update = (w.kinds & (WriteKinds.UPDATE | WriteKinds.MERGE)) != 0;
            String table = Tables.unaliased(w.table).getName();
            boolean emptied = truncatesCascade(w.statement);
            if (!emptied && (!delete && !update || !foreignKeys.mayChange(connection, table))) {
                continue;
            }
            if (keys == null) {
                keys = new ArrayList<>();
            }
            if (emptied) {
                foreignKeys.emptiedKeys(connection, table, rules::isTrackedTable, rules.trackedTables(), keys);
            } else {
                foreignKeys.keys(connection, table, delete, update, update ? setColumns(w.statement) : null,
                        rules::isTrackedTable, rules.trackedTables(), keys);
            }
        }
        return keys;
    }

    /** Whether the statement is a {@code TRUNCATE ... CASCADE}, which empties the tables referencing its own. */
    private static boolean truncatesCascade(@Nullable Query statement) {
        return statement instanceof QOM.Truncate && ((QOM.Truncate<?>) statement).$cascade() == QOM.Cascade.CASCADE;
    }

    /** The columns an UPDATE sets, lower case; null when its model does not tell them (then any may change). */
    private static @Nullable Set<String> setColumns(@Nullable Query statement) {
        if (!(statement instanceof QOM.Update)) {
            return null;
        }
        Set<String> columns = new HashSet<>();
        try {
            for (Object target : ((QOM.Update<?>) statement).$set().keySet()) {
                if (!(target instanceof Field)) {
                    return null;
                }
                columns.add(((Field<?>) target).getName().toLowerCase(Locale.ROOT));
            }
        } catch (RuntimeException e) {
            return null;
        }
        return columns.isEmpty() ? null : columns;
    }

    /**
     * The related rows of the statement's writes; null, so that the rules with {@code via} fall back, if reading them
     * failed outside the guarded read itself (a bug of Roan's, a value it cannot bind): the statement's other rules
     * still purge.
     */
    private RelatedRows.@Nullable Read related(ExecuteContext ctx, List<WriteDetector.Written> written,
            RowsBefore.@Nullable Read before) {
        try {
            return relatedRows.readFor(ctx, written, before);
        } catch (ReadGuard.Unguarded e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            if (warnedRelatedFailure.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Roan failed to read the rows related to a statement's writes; its rules with"
                        + " via purge their fallback paths instead, its other rules as usual, and the statement itself"
                        + " is unaffected. Please report this with the stack trace (logged once).", e);
            }
            return null;
        }
    }

    /** The rows {@link #executeStart} read, if it read any. */
    private RowsBefore.@Nullable Read readBefore(ExecuteContext ctx) {
        return rowsBefore.any() ? (RowsBefore.Read) ctx.data(RowsBefore.KEY) : null;
    }

    /**
     * Hold until commit, or send: auto-committed work is delivered now; other work waits for its jOOQ transaction
     * or the {@link TransactionBoundary}'s; work whose commit Roan cannot see is sent now, with one warning.
     */
    private void holdOrSend(ExecuteContext ctx, Set<String> paths, boolean autoCommit, long pins) {
        if (autoCommit) {
            // No pin-count check: a render pins before it reads (Tracking#read), so a read of the rows before this
            // commit pinned before the statement's keys were computed (TrackAutoCommitTest).
            scopes.sendCommitted(paths);
        } else if (!scopes.hold(paths)
                && !scopes.release(paths, false, ctx.configuration().connectionProvider(), pins)) {
            // Sent first, so that a failing outbox write cannot lose the purge. Durable mode: the rows commit with the
            // statement's transaction, and a sweep delivers them once more after it.
            warnUnknownTransaction(paths);
            scopes.send(paths);
            scopes.writeUntracked(paths, ctx.configuration().connectionProvider());
        }
    }

    private void warnBatchedAutoCommit(List<WriteDetector.Written> written) {
        warnedBatchedAutoCommit = true;
        LOG.log(Level.WARNING, () -> "Roan saw a write to " + written.get(0).table.getName() + " collected by jOOQ's"
                + " batched connection (dsl.batched(...)) with auto-commit on. jOOQ sends such batches later (at the"
                + " latest when batched(...) returns), where no listener sees it (jOOQ #14964), so Roan purges their"
                + " pages as each statement is collected, before the database has the rows: a reader in between may"
                + " cache the old page again. Run dsl.batched(...) inside dsl.transaction(...), and Roan purges after"
                + " the commit. (Logged once.)");
    }

    /**
     * Logs what the rows of a statement could not fill: unknown values once per SQL string (and counted),
     * values too long for a purge request or binary once per rule. A row whose key is SQL NULL has no page,
     * which is no news: it is not logged.
     */
    private void unknownRows(@Nullable String sql, Purges purges) {
        List<Purges.Miss> unknown = new ArrayList<>(1);
        for (Purges.Miss miss : purges.misses()) {
            if (miss.unknown > miss.readFailed) {
                unknown.add(miss);
            }
            if (miss.tooLong > 0 && warnedRules.size() < MAX_WARNED && warnedRules.add("long " + miss.rule.path())) {
                int length = miss.tooLong;
                LOG.log(Level.WARNING, () -> "Roan filled \"" + miss.rule.path() + "\" with a value that makes a path of "
                        + length + " characters, too long for a purge request to every cache node (at most "
                        + miss.rule.maxPathLength() + " with your purge URLs; nginx answers 414 beyond 8 KB), so it purges"
                        + " the rule's fallback paths instead" + fallbacks(miss.rule) + ". (Logged once per rule.)");
            }
            if (miss.binary > 0 && warnedRules.size() < MAX_WARNED && warnedRules.add("binary " + miss.rule.path())) {
                LOG.log(Level.WARNING, () -> "Roan cannot fill \"" + miss.rule.path() + "\" with bytes (a binary"
                        + " column), so it purges the rule's fallback paths instead" + fallbacks(miss.rule)
                        + ": use a text or number column that names the page. (Logged once per rule.)");
            }
        }
        if (unknown.isEmpty()) {
            if (!purges.unknownRows().isEmpty()) {
                unknownRows.increment(); // only reads of related rows failed: counted, and logged where they failed
            }
            return;
        }
        unknownRows.increment();
        String key = sql == null ? "(batch)" : sql;
        if (warnedUnknownRows.size() < MAX_WARNED && warnedUnknownRows.add(key)) {
            LOG.log(Level.WARNING, () -> unknownRowsMessage(key, unknown));
        }
    }

    /** Statements executed on this thread whose end has not come yet: none between two statements. */
    int pendingOnThisThread() {
        int count = 0;
        for (Pending p = pending.get().top; p != null; p = p.below) {
            count++;
        }
        return count;
    }

    private static String unknownRowsMessage(String sql, List<Purges.Miss> unknown) {
        StringBuilder rules = new StringBuilder();
        int filled = 0;
        boolean insert = false;
        boolean anyFallback = false;
        boolean noFallback = false;
        for (Purges.Miss miss : unknown) {
            rules.append(rules.length() == 0 ? "" : ", ").append(miss.rule.path());
            filled += miss.filled;
            insert |= miss.insert;
            anyFallback |= !miss.rule.fallbacks().isEmpty();
            noFallback |= miss.rule.fallbacks().isEmpty();
        }
        String fallback = !anyFallback ? "no " + (filled == 0 ? "" : "other ") + "page of "
                + (unknown.size() == 1 ? "that rule" : "those rules") + " (declare a fallback with whenRowsUnknown(...))"
                : noFallback ? "the fallback paths of the rules that declare one" : "the rules' fallback paths";
        StringBuilder m = new StringBuilder("Roan cannot tell which rows this statement wrote, so it cannot fill [")
                .append(rules).append(']');
        if (filled == 0) {
            m.append(" and purges ").append(fallback).append(anyFallback && !noFallback ? " only" : "");
        } else {
            m.append(" for every row: it purges the ").append(filled).append(filled == 1 ? " path" : " paths")
                    .append(" it could fill and ").append(fallback);
        }
        m.append(": ").append(PurgePaths.abbreviate(sql)).append(". ");
        if (insert) {
            m.append("The INSERT does not give the value of ").append(placeholders(unknown)).append(" (a key the"
                    + " database generates, a default, or INSERT ... SELECT): add RETURNING for it"
                    + " (insertInto(...).returning(...)), or insert through a record (record.store()), whose generated"
                    + " key Roan reads.");
        } else {
            m.append("Name the rows by key in the WHERE clause (=, IN), add RETURNING with ").append(placeholders(unknown))
                    .append(", or declare a fallback.");
        }
        return m.append(" (Logged once per statement.)").toString();
    }

    private static String placeholders(List<Purges.Miss> unknown) {
        Set<String> names = new java.util.LinkedHashSet<>();
        for (Purges.Miss miss : unknown) {
            for (String placeholder : miss.placeholders) {
                names.add("{" + placeholder + "}");
            }
        }
        return String.join(", ", names);
    }

    private static String fallbacks(Rule rule) {
        return rule.fallbacks().isEmpty() ? " (none: declare them with whenRowsUnknown(...))" : " " + rule.fallbacks();
    }

    /** The shapes of related reads rendered, since Roan was built ({@link RelatedRows#shapesRendered}). */
    long relatedShapesRendered() {
        return relatedRows.shapesRendered();
    }

    /** Writes whose rows could not be known for a templated rule, since Roan was built. */
    long unknownRowsCount() {
        return unknownRows.sum();
    }

    private void failed(Throwable e) {
        if (warnedFailure.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "Roan failed to read a statement and purged nothing for it; the statement"
                    + " itself is unaffected. Please report this with the stack trace (logged once).", e);
        }
    }

    private static boolean commitsBeforeDdl(SQLDialect family) {
        return family == SQLDialect.MYSQL || family == SQLDialect.MARIADB;
    }

    /** DDL, TRUNCATE included; not {@code ctx.type()}, which matches plain SQL against regular expressions. */
    private static boolean isDdl(@Nullable Query query) {
        if (query instanceof DDLQuery) {
            return true;
        }
        if (query == null || !SqlText.isPlainSql(query)) {
            return false;
        }
        String verb = SqlText.verb(query.getSQL());
        return verb != null && DDL_VERBS.contains(verb);
    }

    /** Whether the statement's connection commits each statement; read beneath dsl.batched(...)'s connection. */
    private static boolean autoCommit(ExecuteContext ctx) {
        Connection beneath = BatchedConnections.beneath(ctx);
        if (beneath != null) {
            return autoCommit(beneath);
        }
        // The executed statement's own connection: jOOQ wraps its connection anew on each ctx.connection().
        java.sql.Statement statement = ctx.statement();
        if (statement != null) {
            try {
                return autoCommit(statement.getConnection());
            } catch (SQLException e) {
                // A closed statement: ask jOOQ's connection below.
            }
        }
        return autoCommit(ctx.connection());
    }

    private static boolean autoCommit(@Nullable Connection connection) {
        try {
            return connection == null || connection.getAutoCommit();
        } catch (SQLException e) {
            // Cannot tell: release now rather than hold for a commit that may never be seen.
            return true;
        }
    }

    private void warnUnknownTransaction(Set<String> paths) {
        if (warnedUnknownTransaction.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, () -> "Roan saw a write on a connection with auto-commit off outside any jOOQ"
                    + " transaction (e.g. Spring's @Transactional), so it purges " + paths + " right after the"
                    + " statement, before the commit it cannot see: a reader may cache the old page again."
                    + " Run such writes in dsl.transaction(...) on the attached configuration, or give Roan a"
                    + " TransactionBoundary for your transaction manager, so Roan purges after the commit."
                    + " (Logged once.)");
        }
    }

    @Override
    public String toString() {
        return "RoanExecuteListener";
    }

    /**
     * What {@code executeEnd} learnt, for {@code end}. Reused by the thread's next statements once its statement has
     * ended (see {@link PendingStack#recycle}), so that a matched write allocates neither it nor its list.
     */
    static final class Pending {
        @Nullable ExecuteContext ctx;
        final List<WriteDetector.Written> written = new ArrayList<>(2);
        /** What the statement owes; its set of paths, once handed on, is never reused. */
        final Purges purges = new Purges();
        boolean autoCommit;
        /** The number of tracked pins before its keys were computed. */
        long pins;
        RelatedRows.@Nullable Read related;
        /** The keys of tracked tables the database's referential actions change, if any. */
        @Nullable List<String> cascaded;
        @Nullable Pending below;

        Pending of(ExecuteContext ctx, boolean autoCommit, RelatedRows.@Nullable Read related, long pins) {
            this.pins = pins;
            this.ctx = ctx;
            this.autoCommit = autoCommit;
            this.related = related;
            return this;
        }
    }

    static final class PendingStack {
        /** Entries kept for reuse; a statement run while another's is pending (a nested one) takes another. */
        static final int KEPT = 4;
        /** The most writes an entry kept for reuse held. */
        static final int KEPT_WRITES = 16;

        @Nullable Pending top;
        private @Nullable Pending free;
        private int freeCount;

        Pending obtain() {
            Pending p = free;
            if (p == null) {
                return new Pending();
            }
            free = p.below;
            p.below = null;
            freeCount--;
            return p;
        }

        void push(Pending p) {
            p.below = top;
            top = p;
        }

        /** Forgets what {@code p} held, once its statement has ended, and keeps it for the next one. */
        void recycle(Pending p) {
            p.ctx = null;
            p.related = null;
            p.cascaded = null;
            // A big batch's list is not kept: its array would stay with the thread.
            boolean small = p.written.size() <= KEPT_WRITES;
            p.written.clear();
            p.purges.reset();
            if (small && freeCount < KEPT) {
                p.below = free;
                free = p;
                freeCount++;
            } else {
                p.below = null;
            }
        }

        /** Removes and returns the entry of {@code ctx}, usually the top one. */
        @Nullable
        Pending take(ExecuteContext ctx) {
            Pending previous = null;
            for (Pending p = top; p != null; previous = p, p = p.below) {
                if (p.ctx == ctx) {
                    if (previous == null) {
                        top = p.below;
                    } else {
                        previous.below = p.below;
                    }
                    return p;
                }
            }
            return null;
        }
    }

}
