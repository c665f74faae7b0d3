package dev.roan.jooq;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once after a delay (Caffeine's {@code Scheduler}): the dispatcher's timer for held follow-ups and
 * re-purges, injected so that tests run due tasks by advancing a fake {@link Ticker}.
 */
@FunctionalInterface
interface Scheduler {

    /**
     * Runs {@code task} once, {@code delayNanos} from now, on a thread of the scheduler's choosing.
     *
     * @param delayNanos zero or more, up to {@link Long#MAX_VALUE} (never, in practice)
     * @throws RejectedExecutionException if the scheduler is shutting down and takes no more tasks
     */
    void schedule(Runnable task, long delayNanos);

    /** A scheduler running tasks on {@code executor}, whose delays follow the system ticker. */
    static Scheduler of(ScheduledExecutorService executor) {
        return (task, delayNanos) -> executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }
}
