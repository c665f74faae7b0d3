package dev.roan.jooq;

import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A ticker and timer in one, safe for the delivery threads that schedule on it: time moves only when the test
 * advances it, and each timer runs on the test's thread when its time comes. Given to a {@link Delivery}, it drives
 * the dispatcher's coalescing window, probes and re-purges, while requests, retries and flush stay in real time: a
 * test of real HTTP waits for a probe by advancing the clock instead of sleeping through the backoff.
 */
final class FakeClock implements Ticker, Scheduler {
    private long now = 1_000_000_000L;
    private long sequence;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(
            Comparator.comparingLong(Timer::due).thenComparingLong(Timer::sequence));

    @Override
    public synchronized long read() {
        return now;
    }

    @Override
    public synchronized void schedule(Runnable task, long delayNanos) {
        long due = delayNanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + delayNanos;
        timers.add(new Timer(due, sequence++, task));
    }

    /** Moves time on, running each timer due by then, at its time, in order. */
    void advance(Duration duration) {
        long end;
        synchronized (this) {
            end = now + duration.toNanos();
        }
        while (true) {
            Timer next;
            synchronized (this) {
                next = timers.peek();
                if (next == null || next.due() > end) {
                    now = end;
                    return;
                }
                timers.poll();
                now = Math.max(now, next.due());
            }
            next.task().run();
        }
    }

    /** How many timers wait for their time: a test waits for one to be set before it moves the clock past it. */
    synchronized int timers() {
        return timers.size();
    }

    /** When the next timer is due, by this clock: how long the task that set it asked to wait. */
    synchronized long nextDue() {
        Timer next = timers.peek();
        if (next == null) {
            throw new IllegalStateException("no timer is set");
        }
        return next.due();
    }

    /**
     * A Roan as {@code builder} would build it, whose dispatcher keeps time by this clock: its probes, re-purges and
     * follow-ups held for the coalescing window wait until the test advances the clock.
     */
    Roan build(Roan.Builder builder) {
        Settings settings = builder.settings();
        return new Roan(settings, new Delivery(settings, this, this));
    }

    private record Timer(long due, long sequence, Runnable task) {}
}
