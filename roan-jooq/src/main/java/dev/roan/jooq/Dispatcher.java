package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;
import java.util.function.UnaryOperator;

import dev.roan.jooq.NodeBacklog.Entry;
import dev.roan.jooq.NodeBacklog.State;
import org.jspecify.annotations.Nullable;

/**
 * Coalesce and deliver: the pending purges of every cache node.
 *
 * <p>Each (node, path) is one entry: idle, queued, in flight, held (a follow-up waiting for the coalescing
 * window), or delayed (waiting for its re-purge). A path submitted while queued or held is not queued
 * twice; a path submitted while its purge is in flight owes one follow-up purge, sent once that purge has
 * completed and the coalescing window has passed since it was sent (at completion, if the round trip
 * already took longer), so the last purge of a path always starts after the last commit that asked for
 * it, and a path written faster than its purges complete is purged about once per window. A path submitted while
 * idle or delayed is queued at once: sparse writes never wait for the window. With a re-purge delay, a
 * purge asked for by a commit is followed by one more purge of the path that long after it completed; a
 * commit in the meantime replaces the pending re-purge with a purge now (and a re-purge after that one).
 * {@link #stopAccepting} releases held follow-ups at once, so closing never waits for a window. Durations too
 * long to count in nanoseconds mean forever.
 *
 * <p>{@link #submit} runs on the writer's thread: it only updates this in-memory state under a short
 * lock and, at most once per burst, hands the sending to the delivery executor. It never touches the
 * network, even for DNS.
 *
 * <p>A purge stays owed until its node confirms it. A failed purge (refused, timed out, 5xx, 429, 403...) goes back
 * to the end of its node's queue and the node goes down: while down, one purge at a time is sent as a probe (a single
 * attempt), after a wait that doubles from {@link #FIRST_PROBE} with jitter up to {@code maxRetryInterval} (or what a
 * {@code Retry-After} asked for, within that cap); the first delivered purge brings the node up and its backlog
 * drains at the in-flight limit. One WARNING when a node goes down, one INFO when it recovers. With
 * {@code giveUpAfter}, a purge owed that long on a node that is down is dropped at the next probe and counted. Each
 * node holds at most {@code maxOwedPaths} entries: beyond that, a new path makes the node owe the overflow purge
 * instead, or without one is dropped and counted.
 *
 * <p>Why not Resilience4j's CircuitBreaker for the down state: it decides from failure rates over a window of calls
 * and only refuses calls while open, on its own clock; here one failure is enough (the failed purge is kept, so
 * stopping at once costs nothing), the probe must be scheduled by this class anyway (nothing else would call), and
 * the state must move with the injected {@link Ticker} and {@link Scheduler} under this class's lock, where the
 * queue it gates lives. The state is three fields per node. Resilience4j's Retry still makes the quick attempts of
 * one purge while its node is up.
 *
 * <p>What each node owes, its queue and its down state are a {@link NodeBacklog}; this class coalesces, hands purges
 * to the nodes, and decides, schedules and logs under its one lock.
 *
 * <p>Time comes from a {@link Ticker} and timers from a {@link Scheduler}, and purges go to {@link PurgeTarget}s,
 * so that the rules above are tested by moving a fake clock, not by sleeping.
 */
final class Dispatcher {

    private static final System.Logger LOG = Log.LOGGER;

    /** The wait before the first probe of a node that went down; each failed probe doubles it, up to the cap. */
    static final Duration FIRST_PROBE = NodeBacklog.FIRST_PROBE;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private final List<NodeBacklog> nodes = new ArrayList<>();
    private final Executor executor;
    /** Where a purge's end is handled when its stage completes later: the delivery executor, unless the stages
     * complete on Roan's own threads already. */
    private final Executor completions;
    private final Scheduler scheduler;
    private final Ticker ticker;
    private final boolean repurges;
    private final long repurgeNanos;
    /** The least time between the starts of two purges of a path on a node, when the second is a follow-up. */
    private final long windowNanos;
    private final long maxRetryNanos;
    /** How long a node that is down may owe a purge before it is dropped; 0 for never. */
    private final long giveUpNanos;
    private final int maxOwedPaths;
    private final List<String> overflowPurge;
    private boolean drainScheduled;
    private boolean closed;
    private boolean warnedClosed;
    /** Purges dropped: given up after {@code giveUpAfter}, or refused at the memory cap. */
    private long dropped;
    /** Tracked submits settled under the lock, to be told outside it: their callers' code must not run under it. */
    private List<Tracker> settled = new ArrayList<>();
    /**
     * Log lines and drop reports decided under the lock, to be written once it is released: formatting a line and a
     * log handler's I/O, or a listener's code, would hold up every writer and delivery thread waiting for it.
     */
    private List<Runnable> notes = new ArrayList<>();

    /** Roan's: the builder's settings, random jitter. */
    Dispatcher(List<? extends PurgeTarget> targets, Executor executor, Scheduler scheduler, Ticker ticker,
            Settings settings) {
        this(targets, executor, executor, scheduler, ticker, settings);
    }

    /**
     * Roan's, whose targets' stages complete on threads of its own: {@code completions} then handles their ends
     * without a hand-off.
     *
     * @param completions where a purge's end is handled, when its stage was not complete yet as it started
     */
    Dispatcher(List<? extends PurgeTarget> targets, Executor executor, Executor completions, Scheduler scheduler,
            Ticker ticker, Settings settings) {
        this(targets, executor, completions, scheduler, ticker, new Policy(settings.repurgeAfter(),
                settings.coalesceWindow(), settings.maxRetryInterval(), settings.giveUpAfter(),
                settings.maxOwedPaths(), settings.overflowPurge()), () -> ThreadLocalRandom.current().nextDouble());
    }

    /** With the default delivery policy: no cap, no giving up, probes up to 30 s apart without jitter. */
    Dispatcher(List<? extends PurgeTarget> targets, Executor executor, Scheduler scheduler, Ticker ticker,
            @Nullable Duration repurgeAfter, Duration coalesceWindow) {
        this(targets, executor, scheduler, ticker, new Policy(repurgeAfter, coalesceWindow,
                Defaults.MAX_RETRY_INTERVAL, null, Integer.MAX_VALUE, List.of()), () -> 1.0);
    }

    /**
     * @param ticker the clock of the scheduler's delays and of the times handed to the targets
     * @param jitter where a probe's wait falls between half and all of its doubled value, from 0 to 1
     */
    Dispatcher(List<? extends PurgeTarget> targets, Executor executor, Scheduler scheduler, Ticker ticker,
            Policy policy, DoubleSupplier jitter) {
        this(targets, executor, executor, scheduler, ticker, policy, jitter);
    }

    private Dispatcher(List<? extends PurgeTarget> targets, Executor executor, Executor completions,
            Scheduler scheduler, Ticker ticker, Policy policy, DoubleSupplier jitter) {
        long maxRetry = Ticker.saturatedNanos(policy.maxRetryInterval());
        for (PurgeTarget target : targets) {
            nodes.add(new NodeBacklog(target, policy.maxOwedPaths(), maxRetry, jitter));
        }
        this.executor = executor;
        this.completions = completions;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.repurges = policy.repurgeAfter() != null;
        this.repurgeNanos = policy.repurgeAfter() == null ? 0 : Ticker.saturatedNanos(policy.repurgeAfter());
        this.windowNanos = Ticker.saturatedNanos(policy.coalesceWindow());
        this.maxRetryNanos = Ticker.saturatedNanos(policy.maxRetryInterval());
        this.giveUpNanos = policy.giveUpAfter() == null ? 0 : Ticker.saturatedNanos(policy.giveUpAfter());
        this.maxOwedPaths = policy.maxOwedPaths();
        this.overflowPurge = List.copyOf(policy.overflowPurge());
    }

    /**
     * How purges are coalesced and kept owed.
     *
     * @param repurgeAfter the re-purge delay, or null for no re-purges
     * @param giveUpAfter how long a node may owe a purge before it is dropped, or null for never
     * @param maxOwedPaths how many entries a node may hold; {@link Integer#MAX_VALUE} for no cap
     * @param overflowPurge the paths owed instead of those beyond the cap; empty to drop them
     */
    record Policy(@Nullable Duration repurgeAfter, Duration coalesceWindow, Duration maxRetryInterval,
            @Nullable Duration giveUpAfter, int maxOwedPaths, List<String> overflowPurge) {}

    /**
     * What turns the keys of tracked reads ({@link Dependency#target()}) among the submitted targets into the page
     * paths to purge, before they are owed: set by {@link Tracking} when a page is tracked (caches without tags);
     * the identity until then.
     */
    private volatile UnaryOperator<Collection<String>> keys = UnaryOperator.identity();

    void keys(UnaryOperator<Collection<String>> keys) {
        this.keys = keys;
    }

    /**
     * Asks for a purge of each path on every node that {@linkplain PurgeTarget#takes takes} it (a page path, or a
     * dependency for a node purging by tag). Never blocks on the network.
     */
    void submit(Collection<String> paths) {
        submit(paths, false);
    }

    /** Asks for a purge of each path on every node once {@code delay} has passed, on the dispatcher's timer. */
    void submitAfter(Collection<String> paths, Duration delay) {
        try {
            scheduler.schedule(() -> submit(paths), delay.toNanos());
        } catch (RejectedExecutionException e) {
            submit(paths);
        }
    }

    /**
     * As {@link #submit}, for paths whose purges the outbox table also holds: a path beyond the cap is left to the
     * table's sweep, so it is neither dropped nor counted, and the node is not reported down for it.
     */
    void submitKept(Collection<String> paths) {
        submit(paths, true);
    }

    private void submit(Collection<String> targets, boolean kept) {
        Collection<String> paths = keys.apply(targets);
        if (paths.isEmpty()) {
            return;
        }
        boolean schedule;
        List<Runnable> written;
        lock.lock();
        try {
            if (closed) {
                if (!warnedClosed) {
                    warnedClosed = true;
                    // A copy: the caller may reuse its collection once this returns.
                    String dropped = paths.toString();
                    note(() -> LOG.log(Level.WARNING, () -> "Roan is closed: dropped purges of " + dropped
                            + " (and of any later write). Close Roan after the DSLContext that uses it."));
                }
                schedule = false;
            } else {
                long now = ticker.read();
                for (NodeBacklog node : nodes) {
                    for (String path : paths) {
                        if (!node.target.takes(path)) {
                            continue;
                        }
                        if (node.offer(path, now) == null) {
                            overflow(node, path, now, kept);
                        }
                    }
                }
                // Wake a delivery thread only when there is something it can start: a path already queued or in
                // flight costs the writer no hand-off.
                schedule = claimDrain();
            }
            written = takeNotes();
        } finally {
            lock.unlock();
        }
        unlocked(written, null, schedule);
    }

    /**
     * Asks for a purge of each path on every node, like {@link #submit}, and tells when they are settled: for the
     * outbox, which deletes its rows once they are delivered and keeps them otherwise.
     *
     * @return a stage completing with {@link Settled#DELIVERED} once every node has delivered a purge of every one of
     *     these paths that started after this call, {@link Settled#GIVEN_UP} once one of them was dropped instead
     *     ({@code giveUpAfter}), or at once {@link Settled#NOT_TAKEN} if closed or without {@link #room()} for them.
     *     It completes on a delivery or timer thread, never under the dispatcher's lock.
     */
    CompletionStage<Settled> submitTracked(Collection<String> paths) {
        return submitTracked(paths, false);
    }

    /**
     * {@link #submitTracked(Collection)}, or, with {@code orOverflow} and an overflow purge set, taken even without
     * room: a path that does not fit on a node makes it owe the overflow purge, as {@link #submit} does, and the
     * tracker then waits for that purge instead, which covers the path. Without an overflow purge it is refused
     * ({@link Settled#NOT_TAKEN}) as without {@code orOverflow}: nothing is submitted.
     */
    CompletionStage<Settled> submitTracked(Collection<String> targets, boolean orOverflow) {
        Collection<String> paths = keys.apply(targets);
        Tracker tracker = new Tracker();
        boolean schedule;
        @Nullable List<Tracker> settledNow;
        List<Runnable> written;
        lock.lock();
        try {
            boolean overflowing = roomLocked() < paths.size();
            if (closed || overflowing && !(orOverflow && !overflowPurge.isEmpty())) {
                return CompletableFuture.completedFuture(Settled.NOT_TAKEN);
            }
            long now = ticker.read();
            for (NodeBacklog node : nodes) {
                boolean overflowTracked = false;
                for (String path : paths) {
                    if (!node.target.takes(path)) {
                        continue;
                    }
                    Entry entry = node.offer(path, now);
                    // The purge owed from now on is the requested one: queued, held, or the follow-up of one on
                    // the wire; delivering it settles this path on this node.
                    if (entry != null) {
                        entry.await(tracker, entry.requested);
                    } else {
                        // No room (only with an overflow purge, checked above): the node owes the overflow purge.
                        overflow(node, path, now, false);
                        if (!overflowTracked) {
                            overflowTracked = true;
                            for (String broad : overflowPurge) {
                                Entry covering = node.entries.get(broad);
                                covering.await(tracker, covering.requested);
                            }
                        }
                    }
                }
            }
            // Read under the lock: once it is released, a delivery thread may settle the tracker itself. Nothing to
            // wait for (no paths): settled at once, outside the lock like any other.
            settledNow = tracker.remaining == 0 ? List.of(tracker) : null;
            schedule = claimDrain();
            written = takeNotes();
        } finally {
            lock.unlock();
        }
        unlocked(written, settledNow, schedule);
        return tracker.future;
    }

    /** How many more distinct paths the dispatcher can hold now: {@link Integer#MAX_VALUE} without a cap. */
    int room() {
        lock.lock();
        try {
            return roomLocked();
        } finally {
            lock.unlock();
        }
    }

    private int roomLocked() {
        if (closed) {
            return 0;
        }
        if (maxOwedPaths == Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        int room = Integer.MAX_VALUE;
        for (NodeBacklog node : nodes) {
            room = Math.min(room, Math.max(0, maxOwedPaths - node.entries.size()));
        }
        return room;
    }

    /**
     * Under the lock: a new path did not fit under the cap on this node. The node owes the overflow purge instead,
     * which covers it; without one the purge is dropped, and the node reports down until it owes nothing, unless the
     * outbox table keeps it ({@code kept}) for a later sweep.
     */
    private void overflow(NodeBacklog node, String path, long now, boolean kept) {
        if (!overflowPurge.isEmpty()) {
            for (String covering : overflowPurge) {
                node.offerUncapped(covering, now);
            }
            if (!node.overflowLogged) {
                node.overflowLogged = true;
                String hint = downHint(node);
                note(() -> LOG.log(Level.WARNING, () -> "Cache node " + node.target + " owes purges of "
                        + maxOwedPaths + " distinct paths (maxOwedPaths): it will purge " + overflowPurge
                        + " instead of the paths beyond that, until its backlog is delivered" + hint));
            }
            return;
        }
        if (kept) {
            if (!node.overflowLogged) {
                node.overflowLogged = true;
                String hint = downHint(node);
                note(() -> LOG.log(Level.WARNING, () -> "Cache node " + node.target + " owes purges of "
                        + maxOwedPaths + " distinct paths (maxOwedPaths): purges of further paths wait in the outbox"
                        + " table until a sweep finds room for them (logged once until its backlog is delivered)"
                        + hint));
            }
            return;
        }
        dropped++;
        node.lost = true;
        PurgeTarget target = node.target;
        note(() -> target.dropped(path, now, "owed beyond maxOwedPaths (" + maxOwedPaths + ")"));
        if (!node.overflowLogged) {
            node.overflowLogged = true;
            String hint = downHint(node);
            note(() -> LOG.log(Level.ERROR, () -> "Cache node " + node.target + " owes purges of " + maxOwedPaths
                    + " distinct paths (maxOwedPaths): purges of further paths are dropped, their pages may stay stale"
                    + " (counted in Roan.droppedPurges(); logged once until its backlog is delivered)" + hint
                    + ". Set onOverflowPurge(\"/\") to purge broadly instead, or raise maxOwedPaths."));
        }
    }

    private static String downHint(NodeBacklog node) {
        return node.down ? "; it is down: " + node.lastFailure : "";
    }

    /** The clock of this dispatcher's timers, for those who measure intervals it schedules against. */
    Ticker ticker() {
        return ticker;
    }

    /** This dispatcher's timer, which follows {@link #ticker()}: for those whose delays must follow it too. */
    Scheduler scheduler() {
        return scheduler;
    }

    /** Purges dropped so far: given up after {@code giveUpAfter}, or refused at the memory cap. */
    long droppedPurges() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of each node's state, in the order of the targets. */
    List<CacheNodeStatus> status() {
        lock.lock();
        try {
            long now = ticker.read();
            List<CacheNodeStatus> list = new ArrayList<>();
            for (NodeBacklog node : nodes) {
                long oldest = now;
                for (Entry entry : node.entries.values()) {
                    if (entry.state != State.DELAYED) {
                        oldest = Math.min(oldest, entry.state == State.IN_FLIGHT ? entry.sendingSince : entry.pendingSince);
                    }
                }
                boolean down = (node.down && !node.entries.isEmpty()) || node.lost;
                list.add(new CacheNodeStatus(Checks.maskUrl(node.target.toString()), node.entries.size(),
                        Duration.ofNanos(Math.max(0, now - oldest)), down, node.lastFailure));
            }
            return list;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the trackers settled since the last call, to tell once the lock is released; or null. */
    private @Nullable List<Tracker> takeSettled() {
        return settled.isEmpty() ? null : swapSettled();
    }

    private List<Tracker> swapSettled() {
        List<Tracker> done = settled;
        settled = new ArrayList<>();
        return done;
    }

    /** Under the lock: a log line or report to make once the lock is released. */
    private void note(Runnable note) {
        notes.add(note);
    }

    /**
     * Under the lock: the notes made since the last call, to run once the lock is released. Without notes, the shared
     * empty list rather than null: nothing to allocate, and no second answer meaning the same (which mutation testing
     * could not tell apart).
     */
    private List<Runnable> takeNotes() {
        if (notes.isEmpty()) {
            return List.of();
        }
        List<Runnable> taken = notes;
        notes = new ArrayList<>();
        return taken;
    }

    /** Runs notes taken under the lock; never under it. */
    private static void run(List<Runnable> taken) {
        for (Runnable note : taken) {
            note.run();
        }
    }

    /** Completes settled trackers; never under the lock, as their callers' code runs here. */
    private static void tell(@Nullable List<Tracker> done) {
        if (done == null) {
            return;
        }
        for (Tracker tracker : done) {
            tracker.future.complete(tracker.gaveUp ? Settled.GIVEN_UP : Settled.DELIVERED);
        }
    }

    /**
     * Runs a change of state under the lock, then hands the sending to a delivery thread if the change made a purge
     * startable and no drain is scheduled yet. For the delivery and timer threads; {@link #submit}, on the writer's
     * thread, does the same without allocating a lambda.
     */
    private void update(Runnable change) {
        boolean schedule;
        List<Tracker> done;
        List<Runnable> written;
        lock.lock();
        try {
            change.run();
            schedule = claimDrain();
            done = takeSettled();
            written = takeNotes();
        } finally {
            lock.unlock();
        }
        unlocked(written, done, schedule);
    }

    /**
     * What follows every change of state, once the lock is released: its notes run, the trackers it settled are told,
     * and a drain is scheduled if the change claimed one.
     */
    private void unlocked(List<Runnable> written, @Nullable List<Tracker> done, boolean schedule) {
        run(written);
        tell(done);
        if (schedule) {
            scheduleDrain();
        }
    }

    private void scheduleDrain() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            lock.lock();
            try {
                drainScheduled = false;
            } finally {
                lock.unlock();
            }
            LOG.log(Level.WARNING, () -> "Roan could not schedule purges: " + e);
        }
    }

    /** Starts every purge the in-flight limits allow. Runs on the delivery executor. */
    private void drain() {
        List<Entry> starting = new ArrayList<>();
        lock.lock();
        try {
            drainScheduled = false;
            takeStartable(starting);
        } finally {
            lock.unlock();
        }
        send(starting);
    }

    /** Under the lock: takes from every node the purges its in-flight limit lets start now. */
    private void takeStartable(List<Entry> starting) {
        long now = ticker.read();
        for (NodeBacklog node : nodes) {
            node.takeStartable(starting, now);
        }
    }

    /** Sends purges taken from the queues; not under the lock. */
    private void send(List<Entry> starting) {
        for (Entry entry : starting) {
            CompletionStage<PurgeTarget.Outcome> stage;
            List<Entry> batch = entry.batch;
            try {
                stage = batch == null ? entry.node.target.purge(entry.path, entry.sendingSince, entry.probe)
                        : entry.node.target.purge(paths(batch), since(batch));
            } catch (RuntimeException e) {
                stage = CompletableFuture.completedFuture(PurgeTarget.Outcome.failed(e.toString(), -1));
            }
            // A stage complete already goes through the delivery executor: handled here, its end would start the
            // next purge, whose stage may be complete already too, nesting as deep as the backlog.
            Executor handler = stage.toCompletableFuture().isDone() ? executor : completions;
            stage.whenCompleteAsync((outcome, error) -> completed(entry, outcome != null ? outcome
                    : PurgeTarget.Outcome.failed(String.valueOf(error), -1)), handler);
        }
    }

    private static List<String> paths(List<Entry> batch) {
        List<String> paths = new ArrayList<>(batch.size());
        for (Entry entry : batch) {
            paths.add(entry.path);
        }
        return paths;
    }

    private static long[] since(List<Entry> batch) {
        long[] since = new long[batch.size()];
        for (int i = 0; i < since.length; i++) {
            since[i] = batch.get(i).sendingSince;
        }
        return since;
    }

    /**
     * A purge ended. The delivery thread that learns it also starts what that made startable, unless a drain is
     * scheduled already: a backlog drains with one hand-off and one lock per purge, not two.
     */
    private void completed(Entry entry, PurgeTarget.Outcome outcome) {
        List<Entry> starting = null;
        List<Tracker> done;
        List<Runnable> written;
        lock.lock();
        try {
            complete(entry, outcome);
            if (!drainScheduled && hasStartable()) {
                starting = new ArrayList<>();
                takeStartable(starting);
            }
            done = takeSettled();
            written = takeNotes();
        } finally {
            lock.unlock();
        }
        run(written);
        tell(done);
        if (starting != null) {
            send(starting);
        }
    }

    /**
     * Under the lock: the state change of a request that ended, for the entry that led it and each entry of its
     * batch: one answer for all of them, so a batch that failed keeps every one of its targets owed.
     */
    private void complete(Entry lead, PurgeTarget.Outcome outcome) {
        lead.node.inFlight--;
        List<Entry> batch = lead.batch;
        if (batch == null) {
            completeOne(lead, outcome);
            return;
        }
        lead.batch = null;
        if (outcome.undeliverable()) {
            // Only the request was refused, not a target: each goes again on its own, judged by its own answer.
            lead.node.sendAlone(batch);
            return;
        }
        for (Entry entry : batch) {
            completeOne(entry, outcome);
        }
    }

    /** Under the lock: the state change of one target of a request that ended. */
    private void completeOne(Entry entry, PurgeTarget.Outcome outcome) {
        NodeBacklog node = entry.node;
        boolean probe = entry.probe;
        entry.probe = false;
        if (probe) {
            node.probing = false;
        }
        long now = ticker.read();
        if (outcome.undeliverable()) {
            String failure = outcome.failure();
            note(() -> LOG.log(Level.ERROR, () -> "Roan dropped the purge of " + entry.path + " on " + node.target
                    + ", which no request can carry: " + failure));
            if (probe && node.down) {
                // The probe told nothing of the node: the next owed purge probes it at once, or none would ever go.
                node.probeDue = true;
            }
            drop(entry, entry.sendingSince, "no request can carry it: " + failure);
            return;
        }
        if (!outcome.delivered()) {
            // Still owed: nothing a flush waits for has changed.
            failed(entry, outcome, probe, now);
            return;
        }
        if (node.down) {
            recovered(node, now);
        }
        entry.completed = entry.sending;
        entry.settleWaiters(settled);
        if (entry.requested > entry.sending) {
            long wait = windowNanos - (now - entry.sentNanos);
            if (closed || wait <= 0 || !hold(entry, wait)) {
                entry.state = State.QUEUED;
                node.queue.add(entry);
            }
        } else if (entry.sendingCommitted && repurges) {
            delayRepurge(entry);
        } else {
            entry.state = State.IDLE;
            node.remove(entry);
        }
        progress.signalAll();
    }

    /**
     * Under the lock: the entry's purge failed. It stays owed, at the end of the queue so that a path that keeps
     * failing does not stand before the others; the node goes down, or stays down with the next probe later.
     */
    private void failed(Entry entry, PurgeTarget.Outcome outcome, boolean probe, long now) {
        NodeBacklog node = entry.node;
        if (node.failed(entry, outcome.failure(), now)) {
            // The other purges in flight need not wait out their retries' backoff: the probe decides when they go.
            node.target.nodeDown(true);
            int owed = node.entries.size();
            note(() -> LOG.log(Level.WARNING, () -> "Cache node " + node.target + " is down, its pages may be stale"
                    + " until it recovers: a purge of " + entry.path + " failed: " + outcome.failure() + ". Roan keeps"
                    + " the " + owed + " purge(s) it owes and probes it with one purge at a time, at most "
                    + maxRetryNanos / 1_000_000 + " ms apart; check that the cache runs and is reachable from this"
                    + " host. Logged once until it recovers."));
            scheduleProbe(node, node.nextProbeWait(outcome.retryAfterNanos()));
        } else if (probe) {
            node.failedProbes++;
            scheduleProbe(node, node.nextProbeWait(outcome.retryAfterNanos()));
        }
    }

    /** Under the lock: a purge on a node that was down was delivered; its backlog may drain at full speed. */
    private void recovered(NodeBacklog node, long now) {
        long downMillis = node.recover(now) / 1_000_000;
        node.target.nodeDown(false);
        int owed = node.entries.size();
        long droppedWhileDown = node.droppedWhileDown;
        note(() -> LOG.log(Level.INFO, () -> "Cache node " + node.target + " recovered after " + downMillis
                + " ms down: delivering the " + owed + " purge(s) it owes" + (droppedWhileDown == 0 ? ""
                        : " (" + droppedWhileDown + " dropped after giveUpAfter while it was down)")));
    }

    /** Under the lock: the node may send its next probe after {@code nanos}, at most the cap. */
    private void scheduleProbe(NodeBacklog node, long nanos) {
        Object token = node.armProbe();
        try {
            scheduler.schedule(() -> probeDue(node, token), nanos);
        } catch (RejectedExecutionException e) {
            // Closing: no more probes; flush() times out on what stays owed.
        }
    }

    private void probeDue(NodeBacklog node, Object token) {
        update(() -> {
            if (node.probeFired(token)) {
                giveUpOld(node, ticker.read());
            }
        });
    }

    /** Under the lock: drops the queued purges a node that is down has owed longer than {@code giveUpAfter}. */
    private void giveUpOld(NodeBacklog node, long now) {
        if (giveUpNanos == 0) {
            return;
        }
        String reason = "owed longer than giveUpAfter (" + giveUpNanos / 1_000_000 + " ms) while the node is down";
        List<Entry> old = node.takeOwedLongerThan(giveUpNanos, now);
        for (Entry entry : old) {
            drop(entry, entry.pendingSince, reason);
        }
        int count = old.size();
        if (count > 0 && !node.giveUpLogged) {
            node.giveUpLogged = true;
            String failure = node.lastFailure;
            note(() -> LOG.log(Level.ERROR, () -> "Roan dropped " + count + " purge(s) that cache node " + node.target
                    + " owed longer than giveUpAfter (" + giveUpNanos / 1_000_000 + " ms): their pages may stay stale."
                    + " It is down: " + failure + ". Further drops in this outage are counted in"
                    + " Roan.droppedPurges() and logged when it recovers."));
        }
    }

    /**
     * Under the lock: the entry's owed purge will never be sent. It leaves its node; flush and tracked submits
     * waiting for it learn it was dropped, and its target (listeners) once the lock is released.
     *
     * @param requestedNanos when the earliest write the dropped purge covered asked for it
     */
    private void drop(Entry entry, long requestedNanos, String reason) {
        PurgeTarget target = entry.node.target;
        String path = entry.path;
        note(() -> target.dropped(path, requestedNanos, reason));
        entry.dropped = true;
        entry.state = State.IDLE;
        entry.giveUpWaiters(settled);
        entry.node.remove(entry);
        dropped++;
        progress.signalAll();
    }

    /**
     * Holds the follow-up the entry owes for {@code nanos}, the rest of its coalescing window; writes meanwhile join
     * it. Returns false if the scheduler refused the task (shutting down): the caller then queues it at once.
     */
    private boolean hold(Entry entry, long nanos) {
        try {
            scheduler.schedule(() -> holdDue(entry), nanos);
        } catch (RejectedExecutionException e) {
            return false;
        }
        entry.state = State.HELD;
        return true;
    }

    private void holdDue(Entry entry) {
        update(() -> {
            // A hold ends here or in stopAccepting(), after which nothing is held again: a task finding its entry
            // no longer held is the one stopAccepting() overtook.
            if (entry.state != State.HELD) {
                return;
            }
            entry.state = State.QUEUED;
            entry.node.queue.add(entry);
        });
    }

    /** Owes one more purge of the entry's path after the re-purge delay; flush waits for it like any purge. */
    private void delayRepurge(Entry entry) {
        entry.requested++;
        entry.state = State.DELAYED;
        // A new object, not a counter: the task compares it by identity.
        Object token = new Object();
        entry.repurgeToken = token;
        try {
            scheduler.schedule(() -> repurgeDue(entry, token), repurgeNanos);
        } catch (RejectedExecutionException e) {
            // Closing: the re-purge cannot happen any more; do not leave flush() waiting for it.
            entry.completed = entry.requested;
            entry.state = State.IDLE;
            entry.node.remove(entry);
        }
    }

    private void repurgeDue(Entry entry, Object token) {
        update(() -> {
            // A write while delayed sends the purge at once, and that purge's re-purge is a new task: the old one
            // finds the entry delayed again, but with another token.
            if (entry.state != State.DELAYED || entry.repurgeToken != token) {
                return;
            }
            entry.state = State.QUEUED;
            entry.pendingSince = ticker.read();
            entry.node.queue.add(entry);
        });
    }

    /**
     * Under the lock: whether the caller must schedule a drain, because something can start and none is
     * scheduled yet; if so, it counts as scheduled from now on.
     */
    private boolean claimDrain() {
        if (drainScheduled || !hasStartable()) {
            return false;
        }
        drainScheduled = true;
        return true;
    }

    private boolean hasStartable() {
        for (NodeBacklog node : nodes) {
            if (node.canStart()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until every purge asked for before this call has been delivered, including the re-purges they owe.
     *
     * @param timeout how long to wait at most; one too long to count in nanoseconds waits forever
     * @return false if the timeout elapsed first, one of them was dropped, or the thread was interrupted
     */
    boolean flush(Duration timeout) {
        // Real time, whatever the ticker: this thread waits for others. Only differences count, so the sum may
        // overflow for a timeout of forever.
        long deadline = System.nanoTime() + Ticker.saturatedNanos(timeout);
        lock.lock();
        try {
            return awaitOwed(deadline);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: flush's waiting, until the deadline (by {@link System#nanoTime()}). */
    private boolean awaitOwed(long deadline) {
        List<Entry> waiting = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        for (NodeBacklog node : nodes) {
            for (Entry entry : node.entries.values()) {
                waiting.add(entry);
                targets.add(entry.requested + (owesRepurge(entry) ? 1 : 0));
            }
        }
        boolean timedOut = false;
        for (int i = 0; i < waiting.size(); i++) {
            while (waiting.get(i).completed < targets.get(i)) {
                if (timedOut || waiting.get(i).dropped) {
                    return false;
                }
                try {
                    timedOut = !progress.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether the purges requested of this entry will earn a re-purge not yet counted in {@code requested}: a purge
     * not yet started does when a commit asked for it, a purge in flight also when a commit asked for the one sent.
     * (A delayed entry already counts its re-purge, and a write to it makes it queued.)
     */
    private boolean owesRepurge(Entry entry) {
        return repurges && (entry.committedSinceSend || (entry.state == State.IN_FLIGHT && entry.sendingCommitted));
    }

    /**
     * Stops taking purges; those already asked for are still delivered. Held follow-ups are queued at once, and
     * follow-ups owed from now on are not held, so that closing never waits for a coalescing window; a node that is
     * down is probed at once, so that closing does not wait for its backoff.
     */
    void stopAccepting() {
        update(() -> {
            closed = true;
            for (NodeBacklog node : nodes) {
                // Closing waits a bounded time: probe a node that is down now rather than after its backoff.
                node.probeNow();
                for (Entry entry : node.entries.values()) {
                    if (entry.state == State.HELD) {
                        entry.state = State.QUEUED;
                        node.queue.add(entry);
                    }
                }
            }
        });
    }

    /**
     * Probes each node that is down now rather than after its backoff, still taking purges: for the shutdown hook,
     * which waits a bounded time while the application may still commit.
     */
    void probeDownNodesNow() {
        update(() -> {
            for (NodeBacklog node : nodes) {
                node.probeNow();
            }
        });
    }

    /** Paths not yet delivered, per node, for messages. */
    Map<String, List<String>> pending() {
        lock.lock();
        try {
            Map<String, List<String>> pending = new HashMap<>();
            for (NodeBacklog node : nodes) {
                if (!node.entries.isEmpty()) {
                    pending.put(node.target.toString(), new ArrayList<>(node.entries.keySet()));
                }
            }
            return pending;
        } finally {
            lock.unlock();
        }
    }

    int pendingCount() {
        lock.lock();
        try {
            int count = 0;
            for (NodeBacklog node : nodes) {
                count += node.entries.size();
            }
            return count;
        } finally {
            lock.unlock();
        }
    }
}
