package dev.roan.jooq;

import java.time.Duration;

/**
 * A source of nanosecond time for measuring intervals, as {@link System#nanoTime()} (Caffeine's {@code Ticker}):
 * injected so that tests of time-based behaviour move time by hand instead of sleeping.
 */
@FunctionalInterface
interface Ticker {

    /** Nanoseconds since an arbitrary origin; only differences between two readings mean anything. */
    long read();

    /** The ticker of the JVM, {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }

    /**
     * The duration in nanoseconds, or {@link Long#MAX_VALUE} (about 292 years, as good as forever) when it is longer:
     * {@link Duration#toNanos()} throws {@link ArithmeticException} there, and a user who sets a timeout of
     * {@code Duration.ofSeconds(Long.MAX_VALUE)} means "wait forever".
     */
    static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
