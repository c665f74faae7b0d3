package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.jooq.SQLDialect;
import org.jooq.tools.jdbc.JDBCUtils;
import org.jspecify.annotations.Nullable;

/**
 * The page index shared by several instances of an application through its database: a table of (dependency, page)
 * rows ({@link PageIndexSql}), written when a page is rendered and its keys changed, read when a committed write's keys
 * expand to the URLs to purge.
 *
 * <p><b>Writing</b> ({@link #replace}) runs on the rendering thread, before the response leaves: one
 * {@code SELECT ... FOR UPDATE} of the page's rows, and only if the keys differ, a DELETE of those gone and an INSERT of
 * those new, in one short transaction. A page cached forever is rendered rarely, so it is written rarely; a page
 * rendered again with the same keys costs one indexed read. If the database refuses the write, the page's keys are
 * kept in memory (the latest per page) and written by the index's thread before it reads anything again.
 *
 * <p><b>Reading</b> never runs on the writer's thread: the dispatcher's hook ({@code Tracking.expand}) hands a commit's
 * key targets to {@link #expand}, which owes them here; the index's own thread reads them in {@code IN} lists of at
 * most {@link #BATCH} keys and submits the URLs found; page paths go on at once. A failed read keeps every key owed
 * and is tried again, after a wait that doubles up to the dispatcher's {@code maxRetryInterval}; one WARNING per
 * outage, one INFO when it reads again, never a key's value. In durable mode the outbox submits through
 * {@link #submitTracked}, whose stage waits for the keys' pages too, so the rows stay until their URLs are read and
 * delivered, and a crash during an outage loses nothing either.
 *
 * <p><b>Why no interleaving loses a purge.</b>
 * <ul>
 * <li>Two instances render one page at once: the {@code FOR UPDATE} read serialises their replaces; the later one
 *     reads what the earlier left and leaves at least its own keys (an insert skips rows present). Their keys differ
 *     only if a write committed between their reads, and that write's keys are among the earlier page's: its
 *     expansion purges the page (below).</li>
 * <li>A page renders on one instance while another's write commits and expands: the render writes its keys before it
 *     returns, so before the cache can store the response. Either the expansion's read comes after the keys' commit
 *     and finds the page, or it comes before, and misses it. So every write's keys are read again
 *     {@code repurgeAfter} (or {@link #REEXPAND_AFTER}) after the first reading, and the pages indexed in between are
 *     purged. (A response the cache stores after its purge is the stale re-fill race every purge has, which
 *     {@code repurgeAfter} closes.) A render longer than that is covered by <b>the log of committed keys</b>
 *     ({@code <table>_log}), as {@code Tracking}'s in-memory log covers this instance's commits: the index's thread
 *     inserts a write's key hashes there, stamped with the database's clock, and that insert commits (C) before the
 *     keys' first reading (R1); the render, after its keys' transaction (W) has committed, asks (Q) whether one of its
 *     keys was logged since it started. Either W &lt; R1, and R1 finds the page, or C &lt; R1 &lt; W &lt; Q, and Q sees
 *     C: the page is treated as overlapped (no-store, purged at once and after the delay). Q must follow W's commit,
 *     never precede it inside W's transaction: an R1 between Q and that commit would miss both. "Since it started"
 *     needs no two hosts' clocks to agree: the render's duration is measured on this host's monotonic clock and
 *     applied to the database's, the clock that stamped C; C's stamp follows the render's first read (the write
 *     committed after it), so the window reaches back far enough as long as the time between measuring the duration
 *     and the database reading its clock stays under {@link #LOG_MARGIN}. The margin costs a page rendered within it
 *     after a commit of its keys a no-store response and two purges, never a missed one. Rows older than
 *     {@link #LOG_KEEP} are deleted by the index's thread; a render longer than that counts as overlapped.</li>
 * <li>The database is down while a write's keys expand: they stay owed (in durable mode, in the outbox too) and
 *     are read again until the database answers. Renders that could not write their keys meanwhile are written first,
 *     on the same thread, so a write's keys are never read against an index missing a render that came before.</li>
 * </ul>
 */
final class DatabasePageIndex implements PageIndex {

    private static final System.Logger LOG = Log.LOGGER;
    /** Keys per {@code IN} list, read or deleted; rows per INSERT (three binds each). */
    static final int BATCH = 1_000;
    /** Attempts of a page's replace on the rendering thread: two renders of a page may deadlock on MariaDB. */
    private static final int REPLACE_ATTEMPTS = 3;
    /** Pages whose keys are kept in memory, not yet written, at most; beyond, the oldest is dropped and counted. */
    static final int MAX_OWED_PAGES = 10_000;
    /**
     * How long after a write's keys were read they are read again, unless {@code repurgeAfter} says otherwise: longer
     * than a page's render, so that a render that read before the commit has written its keys by then.
     */
    static final Duration REEXPAND_AFTER = Duration.ofSeconds(1);
    /** How often each instance reads the pins other instances learnt. */
    static final Duration PIN_REFRESH = Duration.ofSeconds(1);
    /**
     * How long a pin counts as new: until every instance has read it ({@link #PIN_REFRESH}, with a margin). A page
     * rendered with a key of a new pin is purged again this long after its render, in case another instance
     * committed a write of that key before it knew the pin (its write then produced no such key).
     */
    static final Duration PIN_NEW = Duration.ofSeconds(3);
    /**
     * How much further back than its own duration a render looks in the log of committed keys: covers the time between
     * the render's clock reading and the database's ({@code replace}'s round trip, a wait for a pooled connection), so
     * that a window measured on this host's monotonic clock and applied to the database's clock starts before the
     * render's first read.
     */
    static final Duration LOG_MARGIN = Duration.ofSeconds(1);
    /** How long the log keeps a committed key; a longer render cannot tell and counts as overlapped. */
    static final Duration LOG_KEEP = Duration.ofMinutes(5);
    /** How often the index's thread forgets the log's old rows. */
    static final Duration LOG_PRUNE_EVERY = Duration.ofMinutes(1);

    private final DataSource dataSource;
    private final PageIndexSql sql;
    private final Dispatcher dispatcher;
    /** The dispatcher's clock: the age of pins and of renders, and when the log was last pruned. */
    private final Ticker ticker;
    /** The dispatcher's timer: hands a delayed task (a retry, a second reading, a refresh of the pins) to the thread. */
    private final Scheduler timer;
    /** The index's own thread: every statement but a render's {@code replace} runs on it. */
    private final ExecutorService thread;
    private final long firstRetryNanos;
    private final long maxRetryNanos;
    /**
     * How long after an expansion the same keys are expanded again, for pages indexed meanwhile: {@code repurgeAfter},
     * or {@link #REEXPAND_AFTER}.
     */
    private final long reexpandNanos;
    /**
     * Whether the table holds pages too; false where every cache node purges by tag: the caches take the keys
     * themselves, and the table shares only the pins, without which another instance's write of a pinned column
     * produces no row key and leaves the page stale in the cache.
     */
    private final boolean pages;

    // Guarded by this.
    /** Key targets owed, in order of arrival, each with whoever waits for their delivery. */
    private final List<Owed> owed = new ArrayList<>();
    /** Pages whose keys the database refused; written before the next read. */
    private final LinkedHashMap<String, Set<Dependency>> owedPages = new LinkedHashMap<>();
    private boolean drainScheduled;
    private boolean draining;
    private boolean closed;
    private long retryNanos;
    /** Whether the last statement failed: one WARNING per outage. */
    private boolean failing;
    private boolean warnedCollision;
    /** The pins this instance knows, with when it first knew each (by {@link #ticker}). */
    private final Map<String, Long> pins = new java.util.concurrent.ConcurrentHashMap<>();
    /** Pins learnt here whose rows are not written yet; written by the index's thread. Guarded by this. */
    private final Set<String> owedPins = new LinkedHashSet<>();
    /** Registers a pin another instance learnt with this instance's rules. */
    private volatile java.util.function.Consumer<String> onPin = pin -> { };
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong droppedPages = new AtomicLong();
    /** When the index's thread last pruned the log, by {@link #ticker}; on that thread only. */
    private long prunedNanos;

    /**
     * Keys owed and who waits: {@code done} is null for untracked keys. {@code purged} is null for a write's keys, and
     * for their second reading the URLs the first one purged already.
     */
    private record Owed(Set<String> keys, @Nullable CompletableFuture<Settled> done, boolean kept,
            @Nullable Set<String> purged) {}

    DatabasePageIndex(Settings settings, Dispatcher dispatcher) {
        this(settings, dispatcher, true);
    }

    /** @param pages false to share the pins only, for caches that purge by tag (see {@link #pages}) */
    DatabasePageIndex(Settings settings, Dispatcher dispatcher, boolean pages) {
        this(settings.pageIndex(), settings.pageIndexTable(), settings.createPageIndexTable(), dispatcher,
                settings.repurgeAfter() != null ? settings.repurgeAfter() : REEXPAND_AFTER,
                min(Dispatcher.FIRST_PROBE, settings.maxRetryInterval()),
                settings.maxRetryInterval(), pages);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * @param reexpandAfter how long after a write's keys were read they are read again, for pages indexed meanwhile
     * @param firstRetry the wait before reading again after a failed read; it doubles up to {@code maxRetry}
     */
    DatabasePageIndex(DataSource dataSource, String table, boolean create, Dispatcher dispatcher,
            Duration reexpandAfter, Duration firstRetry, Duration maxRetry) {
        this(dataSource, table, create, dispatcher, reexpandAfter, firstRetry, maxRetry, true);
    }

    private DatabasePageIndex(DataSource dataSource, String table, boolean create, Dispatcher dispatcher,
            Duration reexpandAfter, Duration firstRetry, Duration maxRetry, boolean pages) {
        this.pages = pages;
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
        this.ticker = dispatcher.ticker();
        this.timer = dispatcher.scheduler();
        this.prunedNanos = ticker.read();
        this.firstRetryNanos = Ticker.saturatedNanos(firstRetry);
        this.maxRetryNanos = Math.max(firstRetryNanos, Ticker.saturatedNanos(maxRetry));
        this.retryNanos = firstRetryNanos;
        this.reexpandNanos = Ticker.saturatedNanos(reexpandAfter);
        try (Connection c = dataSource.getConnection()) {
            this.sql = PageIndexSql.of(JDBCUtils.dialect(c), table);
            if (create) {
                create(c);
            } else {
                check(c);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Roan's page index: could not reach the page index table " + table
                    + " through the DataSource given to pageIndex(...): " + e.getMessage(), e);
        }
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "roan-page-index");
            t.setDaemon(true);
            return t;
        });
    }

    private void create(Connection c) throws SQLException {
        OwnTables.create(c, sql.ddl(), this::check);
    }

    private void check(Connection c) {
        try (Statement s = c.createStatement()) {
            s.executeQuery(sql.check()).close();
            s.executeQuery(sql.checkLog()).close();
        } catch (SQLException e) {
            throw new IllegalStateException("Roan's page index table " + sql.table + " is missing or lacks a column ("
                    + e.getMessage() + "), or its log " + sql.log() + " is: create them with the DDL of Roan.pageIndexDdl(SQLDialect, \"" + sql.table
                    + "\") (see the README, \"Automatic dependencies\"), or let Roan create it"
                    + " (createPageIndexTable(true))", e);
        }
    }

    /** The DDL for a database, as {@link Roan#pageIndexDdl(SQLDialect, String)} gives it. */
    static String ddl(SQLDialect dialect, String table) {
        return PageIndexSql.of(dialect, table).ddl();
    }

    // ---- writing: on the rendering thread ----

    @Override
    public void replace(String url, Set<Dependency> keys) {
        replace(url, keys, Long.MIN_VALUE);
    }

    /**
     * Writes the page's keys, then asks the log of committed keys whether one of them committed since the render
     * started (see "the log" above): with {@code startedNanos} {@link Long#MIN_VALUE}, it does not ask.
     */
    @Override
    public boolean replace(String url, Set<Dependency> keys, long startedNanos) {
        if (!pages) {
            // The caches purge by tag: the keys of new pins purge this page (and the others carrying them) again.
            Set<String> fresh = newPinKeys(keys);
            if (!fresh.isEmpty()) {
                dispatcher.submitAfter(fresh, PIN_NEW);
            }
            return false;
        }
        if (newPin(keys)) {
            // Another instance may have committed a write of these keys before it knew the pin: purge the page again
            // once every instance knows it.
            dispatcher.submitAfter(Set.of(url), PIN_NEW);
        }
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (!owedPages.isEmpty()) {
                // An outage: the index's thread writes owed pages in order; one written here now could be overwritten
                // by an older render of the same page still owed.
                owePage(url, keys);
                // Nor can the log be trusted to answer: the page may be stale, and is purged after the response.
                return startedNanos != Long.MIN_VALUE && !keys.isEmpty();
            }
        }
        SQLException last = null;
        for (int attempt = 0; attempt < REPLACE_ATTEMPTS; attempt++) {
            try {
                return write(url, keys, startedNanos);
            } catch (SQLException e) {
                last = e;
            } catch (RuntimeException e) {
                last = new SQLException(e.getMessage(), e);
                break;
            }
        }
        synchronized (this) {
            if (closed) {
                return false;
            }
            owePage(url, keys);
        }
        failed(last, "write the keys of a rendered page to");
        scheduleDrain(firstRetryNanos);
        return startedNanos != Long.MIN_VALUE && !keys.isEmpty();
    }

    /** Under this lock. */
    private void owePage(String url, Set<Dependency> keys) {
        owedPages.remove(url);
        owedPages.put(url, Set.copyOf(keys));
        if (owedPages.size() > MAX_OWED_PAGES) {
            // The page's response may be cached without its keys: it is purged now instead, so that it is
            // rendered, and learnt, again once the database answers.
            String oldest = owedPages.keySet().iterator().next();
            owedPages.remove(oldest);
            droppedPages.incrementAndGet();
            dispatcher.submit(List.of(oldest));
        }
    }

    /**
     * One transaction: the page's rows locked, then only what changed deleted and inserted; then, once committed,
     * whether one of the keys was logged as committed since {@code startedNanos} ({@link Long#MIN_VALUE}: not asked).
     */
    private boolean write(String url, Set<Dependency> keys, long startedNanos) throws SQLException {
        long page = PageIndexSql.hash(url);
        Set<Long> wanted = new LinkedHashSet<>();
        for (Dependency key : keys) {
            wanted.add(PageIndexSql.hash(key.target()));
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                Set<Long> present = new HashSet<>();
                boolean collision = false;
                try (PreparedStatement select = c.prepareStatement(sql.keysOf() + " FOR UPDATE")) {
                    select.setLong(1, page);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            if (url.equals(rs.getString(2))) {
                                present.add(rs.getLong(1));
                            } else {
                                collision = true;
                            }
                        }
                    }
                }
                List<Long> gone = new ArrayList<>();
                for (Long h : present) {
                    if (!wanted.contains(h)) {
                        gone.add(h);
                    }
                }
                List<Long> added = new ArrayList<>();
                for (Long h : wanted) {
                    if (!present.contains(h)) {
                        added.add(h);
                    }
                }
                for (int from = 0; from < gone.size(); from += BATCH) {
                    List<Long> chunk = gone.subList(from, Math.min(gone.size(), from + BATCH));
                    try (PreparedStatement delete = c.prepareStatement(sql.delete(chunk.size()))) {
                        delete.setLong(1, page);
                        delete.setString(2, url);
                        for (int i = 0; i < chunk.size(); i++) {
                            delete.setLong(3 + i, chunk.get(i));
                        }
                        delete.executeUpdate();
                    }
                }
                for (int from = 0; from < added.size(); from += BATCH) {
                    List<Long> chunk = added.subList(from, Math.min(added.size(), from + BATCH));
                    try (PreparedStatement insert = c.prepareStatement(sql.insert(chunk.size()))) {
                        for (int i = 0; i < chunk.size(); i++) {
                            insert.setLong(3 * i + 1, chunk.get(i));
                            insert.setLong(3 * i + 2, page);
                            insert.setString(3 * i + 3, url);
                        }
                        insert.executeUpdate();
                    }
                }
                c.commit();
                if (!gone.isEmpty() || !added.isEmpty()) {
                    writes.incrementAndGet();
                }
                if (collision) {
                    warnCollision();
                }
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
            // After the commit, never inside the transaction: an expansion reading between this check and the commit
            // would miss both the page and this check's sight of its log row.
            return startedNanos != Long.MIN_VALUE && loggedSince(c, wanted, keys, startedNanos);
        }
    }

    /** Whether one of a page's keys was logged since {@code startedNanos}, less {@link #LOG_MARGIN}. */
    private boolean loggedSince(Connection c, Set<Long> hashes, Set<Dependency> keys, long startedNanos)
            throws SQLException {
        if (keys.isEmpty()) {
            return false;
        }
        long micros = TimeUnit.NANOSECONDS.toMicros(ticker.read() - startedNanos) + LOG_MARGIN.toNanos() / 1_000;
        if (micros >= LOG_KEEP.toNanos() / 1_000) {
            // The log may have forgotten a commit that came after the render started.
            return true;
        }
        boolean all = keys.contains(Dependency.EVERYTHING);
        List<Long> list = new ArrayList<>(hashes);
        for (int from = 0; from < (all ? 1 : list.size()); from += BATCH) {
            List<Long> chunk = all ? List.of() : list.subList(from, Math.min(list.size(), from + BATCH));
            try (PreparedStatement select = c.prepareStatement(sql.loggedSince(chunk.size()))) {
                select.setLong(1, micros);
                for (int i = 0; i < chunk.size(); i++) {
                    select.setLong(2 + i, chunk.get(i));
                }
                select.setMaxRows(1);
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * On the index's thread, before the keys' first reading: logs them as committed, in one autocommit INSERT per
     * {@link #BATCH}, and now and then forgets the rows older than {@link #LOG_KEEP}.
     */
    private void logCommitted(Collection<String> targets) throws SQLException {
        List<Long> hashes = new ArrayList<>(new LinkedHashSet<>(hashes(targets)));
        long now = ticker.read();
        boolean prune = now - prunedNanos >= LOG_PRUNE_EVERY.toNanos();
        if (hashes.isEmpty() && !prune) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            for (int from = 0; from < hashes.size(); from += BATCH) {
                List<Long> chunk = hashes.subList(from, Math.min(hashes.size(), from + BATCH));
                try (PreparedStatement insert = c.prepareStatement(sql.logKeys(chunk.size()))) {
                    for (int i = 0; i < chunk.size(); i++) {
                        insert.setLong(i + 1, chunk.get(i));
                    }
                    insert.executeUpdate();
                }
            }
            if (prune) {
                try (PreparedStatement delete = c.prepareStatement(sql.pruneLog())) {
                    delete.setLong(1, LOG_KEEP.toNanos() / 1_000);
                    delete.executeUpdate();
                }
                prunedNanos = now;
            }
        }
    }

    private synchronized void warnCollision() {
        if (!warnedCollision) {
            warnedCollision = true;
            LOG.log(Level.WARNING, "Roan's page index table " + sql.table + ": two pages share a 64-bit hash; where"
                    + " both depend on one key only one of them is purged by it. Give one of the pages another URL"
                    + " (logged once)");
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is broken: the transaction is gone with it.
        }
    }

    // ---- pins: what makes other instances' writes produce the keys of this one's renders ----

    /**
     * Called in the middle of a render, as its statement starts: the pin's row is written by the index's thread, so
     * that a render never waits for a second connection here. {@link #PIN_NEW} counts from now.
     */
    @Override
    public void pinned(String table, @Nullable String column) {
        String pin = column == null ? table.toLowerCase(java.util.Locale.ROOT)
                : table.toLowerCase(java.util.Locale.ROOT) + "." + column.toLowerCase(java.util.Locale.ROOT);
        if (pins.putIfAbsent(pin, ticker.read()) != null) {
            return;
        }
        synchronized (this) {
            owedPins.add(pin);
        }
        scheduleDrain(0);
    }

    private void writePins(Collection<String> pinned) throws SQLException {
        List<String> list = new ArrayList<>(pinned);
        try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            try (PreparedStatement insert = c.prepareStatement(sql.insert(list.size()))) {
                long page = PageIndexSql.hash(PageIndexSql.PINS);
                for (int i = 0; i < list.size(); i++) {
                    insert.setLong(3 * i + 1, PageIndexSql.pinHash(list.get(i)));
                    insert.setLong(3 * i + 2, page);
                    insert.setString(3 * i + 3, list.get(i));
                }
                insert.executeUpdate();
            }
        }
    }

    /**
     * Registers, through {@code register}, the pins other instances learnt: now, on the calling thread, then every
     * {@link #PIN_REFRESH} on the index's thread.
     *
     * @param register takes a pin: {@code "table"}, {@code "table.column"} or {@code "*"}
     */
    void sharePins(java.util.function.Consumer<String> register) {
        this.onPin = register;
        try {
            refreshPins();
        } catch (SQLException e) {
            throw new IllegalStateException("Roan's page index: could not read the pins of tracked reads from "
                    + sql.table + ": " + e.getMessage(), e);
        }
        schedule(this::refreshPinsQuietly, PIN_REFRESH.toNanos());
    }

    /** On the index's thread, every {@link #PIN_REFRESH} from the end of the last reading until the index closes. */
    private void refreshPinsQuietly() {
        try {
            refreshPins();
        } catch (SQLException | RuntimeException e) {
            failed(e, "read the pins of tracked reads from");
        }
        schedule(this::refreshPinsQuietly, PIN_REFRESH.toNanos());
    }

    private void refreshPins() throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            try (PreparedStatement select = c.prepareStatement(sql.keysOf())) {
                select.setLong(1, PageIndexSql.hash(PageIndexSql.PINS));
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getString(2));
                    }
                }
            }
        }
        for (String pin : found) {
            if (pins.putIfAbsent(pin, ticker.read()) == null) {
                onPin.accept(pin);
            }
        }
    }

    /** The targets of {@code keys} whose pin this instance knows since less than {@link #PIN_NEW}. */
    private Set<String> newPinKeys(Set<Dependency> keys) {
        Set<String> fresh = new LinkedHashSet<>();
        long now = ticker.read();
        for (Dependency key : keys) {
            Long since = pins.get(key.isTable() ? key.table() : key.table() + "." + key.column());
            if (since != null && now - since < PIN_NEW.toNanos()) {
                fresh.add(key.target());
            }
        }
        return fresh;
    }

    /** Whether one of {@code keys} belongs to a pin this instance knows since less than {@link #PIN_NEW}. */
    private boolean newPin(Set<Dependency> keys) {
        long now = ticker.read();
        for (Dependency key : keys) {
            String pin = key.isTable() ? key.table() : key.table() + "." + key.column();
            Long since = pins.get(pin);
            if (since != null && now - since < PIN_NEW.toNanos()) {
                return true;
            }
        }
        return false;
    }

    int knownPins() {
        return pins.size();
    }

    // ---- reading: on the index's thread ----

    /**
     * Reads the URLs of the pages depending on {@code keys} now, on the calling thread: for tests and tools. Roan
     * itself expands keys through {@link #expand}, off the writer's thread.
     *
     * @throws IllegalStateException if the database refused the read
     */
    @Override
    public Set<String> urls(Collection<Dependency> keys) {
        List<String> targets = new ArrayList<>(keys.size());
        for (Dependency key : keys) {
            targets.add(key.target());
        }
        try {
            Map<Long, Set<String>> pages = read(targets);
            Set<String> urls = new LinkedHashSet<>();
            pages.values().forEach(urls::addAll);
            return urls;
        } catch (SQLException e) {
            throw new IllegalStateException("Roan could not read its page index table " + sql.table + ": "
                    + e.getMessage(), e);
        }
    }

    /** Pages by dependency hash, read in {@code IN} lists of at most {@link #BATCH}. */
    private Map<Long, Set<String>> read(Collection<String> targets) throws SQLException {
        List<Long> hashes = new ArrayList<>(new LinkedHashSet<>(hashes(targets)));
        Map<Long, Set<String>> pages = new HashMap<>();
        if (hashes.isEmpty()) {
            return pages;
        }
        try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            for (int from = 0; from < hashes.size(); from += BATCH) {
                List<Long> chunk = hashes.subList(from, Math.min(hashes.size(), from + BATCH));
                try (PreparedStatement select = c.prepareStatement(sql.pages(chunk.size()))) {
                    for (int i = 0; i < chunk.size(); i++) {
                        select.setLong(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            pages.computeIfAbsent(rs.getLong(1), h -> new LinkedHashSet<>()).add(rs.getString(2));
                        }
                    }
                }
            }
        }
        reads.incrementAndGet();
        return pages;
    }

    private static List<Long> hashes(Collection<String> targets) {
        List<Long> hashes = new ArrayList<>(targets.size());
        for (String target : targets) {
            hashes.add(PageIndexSql.hash(target));
        }
        return hashes;
    }

    /**
     * The dispatcher's hook ({@code Tracking.expand}), on the releasing thread: the keys are read later, on the
     * index's thread. Inside {@link #submitTracked} their pages' delivery is waited for.
     */
    @Override
    public Collection<String> expand(Set<String> paths, List<Dependency> keys) {
        if (!pages) {
            return paths;
        }
        Set<String> targets = new LinkedHashSet<>();
        for (Dependency key : keys) {
            targets.add(key.target());
        }
        Waiting waiting = tracked.get();
        if (waiting != null && waiting.pages == null) {
            waiting.pages = new CompletableFuture<>();
            owe(new Owed(targets, waiting.pages, false, null), 0);
        } else {
            owe(new Owed(targets, null, false, null), 0);
        }
        return paths;
    }

    /** A tracked submit in progress on this thread: the stage of its keys' pages, once {@link #expand} owed them. */
    private static final class Waiting {
        @Nullable CompletableFuture<Settled> pages;
    }

    private final ThreadLocal<@Nullable Waiting> tracked = new ThreadLocal<>();

    /**
     * Delivers {@code targets}, which the outbox table also holds ({@link Dispatcher#submitKept}): page paths at
     * once, key targets as the URLs of the pages depending on them, once the index's thread has read them.
     */
    void submitKept(Collection<String> targets) {
        // Through the dispatcher, whose hook (Tracking.expand) logs the keys for renders in progress and hands them to
        // expand(); keys it did not take (no hook) are owed here all the same.
        List<String> paths = new ArrayList<>(targets.size());
        Set<String> keys = split(targets, paths);
        Waiting waiting = new Waiting();
        tracked.set(waiting);
        try {
            dispatcher.submitKept(targets);
        } finally {
            tracked.remove();
        }
        if (waiting.pages == null && !keys.isEmpty()) {
            owe(new Owed(keys, null, true, null), 0);
        }
    }

    /**
     * As {@link #submitKept}, telling when every target is delivered: the paths, and the pages of the keys once read
     * and delivered. Durable mode's outbox deletes its rows then, so keys stay in the table while the index cannot be
     * read.
     *
     * @return a stage completing as {@link Dispatcher#submitTracked} does; it stays incomplete while the keys cannot be
     *     read, and completes {@link Settled#NOT_TAKEN} if this index closes first
     */
    CompletionStage<Settled> submitTracked(Collection<String> targets) {
        List<String> paths = new ArrayList<>(targets.size());
        Set<String> keys = split(targets, paths);
        if (keys.isEmpty()) {
            return dispatcher.submitTracked(targets);
        }
        Waiting waiting = new Waiting();
        tracked.set(waiting);
        CompletionStage<Settled> rest;
        try {
            rest = dispatcher.submitTracked(targets);
        } finally {
            tracked.remove();
        }
        CompletableFuture<Settled> pages = waiting.pages;
        if (pages == null) {
            // No hook took the keys: owe them here.
            pages = new CompletableFuture<>();
            if (!owe(new Owed(keys, pages, false, null), 0)) {
                return CompletableFuture.completedFuture(Settled.NOT_TAKEN);
            }
        }
        return rest.thenCombine(pages, DatabasePageIndex::worse);
    }

    private static Settled worse(Settled a, Settled b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The key targets of {@code targets}; the others are added to {@code paths}. */
    private static Set<String> split(Collection<String> targets, List<String> paths) {
        Set<String> keys = new LinkedHashSet<>();
        for (String target : targets) {
            if (Dependency.isTarget(target)) {
                keys.add(target);
            } else {
                paths.add(target);
            }
        }
        return keys;
    }

    /** @return false if closed */
    private boolean owe(Owed entry, long delayNanos) {
        synchronized (this) {
            if (closed) {
                if (entry.done != null) {
                    entry.done.complete(Settled.NOT_TAKEN);
                }
                return false;
            }
            if (delayNanos == 0) {
                owed.add(entry);
            }
        }
        if (delayNanos > 0) {
            schedule(() -> owe(entry, 0), delayNanos);
        } else {
            scheduleDrain(0);
        }
        return true;
    }

    private void scheduleDrain(long delayNanos) {
        synchronized (this) {
            if (drainScheduled || closed) {
                return;
            }
            drainScheduled = true;
        }
        schedule(this::drain, delayNanos);
    }

    /** Runs {@code task} on the index's thread, {@code delayNanos} from now by the dispatcher's timer. */
    private void schedule(Runnable task, long delayNanos) {
        try {
            if (delayNanos == 0) {
                thread.execute(task);
            } else {
                timer.schedule(() -> schedule(task, 0), delayNanos);
            }
        } catch (RejectedExecutionException e) {
            // Closed meanwhile: close() settles what is still owed.
        }
    }

    /** On the index's thread: writes the pages owed, then reads the keys owed and hands their URLs on. */
    private void drain() {
        List<Owed> taken;
        Map<String, Set<Dependency>> pages;
        synchronized (this) {
            drainScheduled = false;
            draining = true;
            taken = new ArrayList<>(owed);
            pages = new LinkedHashMap<>(owedPages);
        }
        try {
            List<String> pinsOwed;
            synchronized (this) {
                pinsOwed = new ArrayList<>(owedPins);
            }
            if (!pinsOwed.isEmpty()) {
                writePins(pinsOwed);
                synchronized (this) {
                    owedPins.removeAll(pinsOwed);
                }
            }
            for (Map.Entry<String, Set<Dependency>> page : pages.entrySet()) {
                write(page.getKey(), page.getValue(), Long.MIN_VALUE);
                synchronized (this) {
                    // A newer render of the page owed meanwhile stays owed.
                    owedPages.remove(page.getKey(), page.getValue());
                }
            }
            Set<String> keys = new LinkedHashSet<>();
            taken.forEach(o -> keys.addAll(o.keys));
            Set<String> first = new LinkedHashSet<>();
            for (Owed o : taken) {
                if (o.purged == null) {
                    first.addAll(o.keys);
                }
            }
            logCommitted(first);
            Map<Long, Set<String>> found = read(keys);
            synchronized (this) {
                if (closed) {
                    return;
                }
                owed.subList(0, taken.size()).clear();
            }
            deliver(taken, found);
            recovered();
            boolean more;
            synchronized (this) {
                retryNanos = firstRetryNanos;
                more = !owed.isEmpty() || !owedPages.isEmpty() || !owedPins.isEmpty();
            }
            if (more) {
                scheduleDrain(0);
            }
        } catch (SQLException | RuntimeException e) {
            failed(e, "read");
            long wait;
            synchronized (this) {
                wait = retryNanos;
                // Doubled while that stays within the longest wait: twice a wait over half of it would be longer.
                retryNanos = retryNanos > maxRetryNanos / 2 ? maxRetryNanos : retryNanos * 2;
            }
            scheduleDrain(wait);
        } finally {
            synchronized (this) {
                draining = false;
                notifyAll();
            }
        }
    }

    private void deliver(List<Owed> taken, Map<Long, Set<String>> found) {
        Set<String> untracked = new LinkedHashSet<>();
        Set<String> untrackedKept = new LinkedHashSet<>();
        Set<String> againKeys = new LinkedHashSet<>();
        Set<String> againPurged = new LinkedHashSet<>();
        for (Owed o : taken) {
            Set<String> urls = new LinkedHashSet<>();
            for (String key : o.keys) {
                Set<String> pages = found.get(PageIndexSql.hash(key));
                if (pages != null) {
                    urls.addAll(pages);
                }
            }
            if (o.purged != null) {
                // The second reading: only pages indexed since the first, by renders that overlapped the commit.
                urls.removeAll(o.purged);
            } else {
                againKeys.addAll(o.keys);
                againPurged.addAll(urls);
            }
            if (o.done != null) {
                dispatcher.submitTracked(urls).whenComplete((settled, failure) ->
                        o.done.complete(settled == null ? Settled.NOT_TAKEN : settled));
            } else if (o.kept) {
                untrackedKept.addAll(urls);
            } else {
                untracked.addAll(urls);
            }
        }
        dispatcher.submit(untracked);
        dispatcher.submitKept(untrackedKept);
        if (!againKeys.isEmpty()) {
            owe(new Owed(againKeys, null, false, againPurged), reexpandNanos);
        }
    }

    /** On the index's thread, or a rendering thread for a refused replace: one WARNING per outage. */
    private void failed(@Nullable Exception e, String what) {
        boolean first;
        synchronized (this) {
            first = !failing;
            failing = true;
        }
        if (first) {
            LOG.log(Level.WARNING, "Roan could not " + what + " its page index table " + sql.table
                    + (e == null ? "" : " (" + e.getMessage() + ")") + "; the keys of committed writes and of rendered"
                    + " pages are kept in memory and tried again until it answers (logged at DEBUG until then)");
        } else {
            LOG.log(Level.DEBUG, "Roan could not " + what + " its page index table " + sql.table, e);
        }
    }

    private void recovered() {
        boolean was;
        synchronized (this) {
            was = failing;
            failing = false;
        }
        if (was) {
            LOG.log(Level.INFO, () -> "Roan reads and writes its page index table " + sql.table + " again");
        }
    }

    /**
     * Waits until no key is owed here: then their URLs are with the dispatcher, whose own flush follows.
     *
     * @return false if the timeout elapsed first
     */
    synchronized boolean flush(Duration timeout) {
        return TimedWait.until(this, System.nanoTime() + Ticker.saturatedNanos(timeout),
                () -> owed.isEmpty() && !draining && owedPages.isEmpty() && owedPins.isEmpty());
    }

    /** Expands what is owed now, then stops: keys the database does not answer for within the timeout are lost. */
    void close(Duration timeout) {
        // At once, even while a drain waits out a retry (scheduleDrain would leave it its time): the database may be
        // back, and this is the last try to read what is owed. A drain still due on the timer finds nothing left.
        schedule(this::drain, 0);
        boolean drained = flush(timeout);
        List<Owed> left;
        synchronized (this) {
            closed = true;
            left = new ArrayList<>(owed);
            owed.clear();
        }
        thread.shutdownNow();
        for (Owed o : left) {
            if (o.done != null) {
                o.done.complete(Settled.NOT_TAKEN);
            }
        }
        if (!drained && !left.isEmpty()) {
            LOG.log(Level.WARNING, () -> "Roan closed before it could read its page index table " + sql.table
                    + " for the keys of " + left.size() + " commits: their pages are not purged"
                    + " (in durable mode their outbox rows stay, and a Roan sweeping the table delivers them)");
        }
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /** Successful reads of the table (batches of keys expanded): for tests. */
    long reads() {
        return reads.get();
    }

    /** Replaces that changed rows: for tests. */
    long writes() {
        return writes.get();
    }

    synchronized int owedKeys() {
        int n = 0;
        for (Owed o : owed) {
            n += o.keys.size();
        }
        return n;
    }

    long droppedPages() {
        return droppedPages.get();
    }

    @Override
    public String toString() {
        return "DatabasePageIndex[" + sql.table + ", " + sql.family + (pages ? "" : ", pins only") + "]";
    }
}
