package dev.roan.jooq;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting on a monitor the caller holds until a condition holds or a deadline passes. */
final class TimedWait {

    private TimedWait() {}

    /**
     * Waits on {@code monitor}, whose lock the caller holds, until {@code done} is true or {@link System#nanoTime()}
     * reaches {@code deadline}; the thread that changes the condition calls {@code notifyAll} on it.
     *
     * @return true if {@code done} holds; false on the deadline or an interrupt (whose flag is set again)
     */
    static boolean until(Object monitor, long deadline, BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
