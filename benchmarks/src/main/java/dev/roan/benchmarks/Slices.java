package dev.roan.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.IntSupplier;

/** The paired runs' measuring: slices of about 50 ms on the calling thread, and quantiles of their ratios. */
final class Slices {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Slices() {
    }

    /**
     * Runs {@code op} for about 50 ms. Returns microseconds per operation, bytes allocated per operation by this
     * thread, the mean of what {@code op} returned (which also keeps its result alive), and this thread's CPU
     * microseconds per operation (on a loaded machine wall time also counts waiting for a core).
     */
    static double[] run(IntSupplier op) {
        long thread = Thread.currentThread().getId();
        long bytes0 = THREADS.getThreadAllocatedBytes(thread);
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long deadline = t0 + 50_000_000L;
        int ops = 0;
        long sink = 0;
        long now;
        do {
            for (int i = 0; i < 16; i++) {
                sink += op.getAsInt();
            }
            ops += 16;
            now = System.nanoTime();
        } while (now < deadline);
        long bytes = THREADS.getThreadAllocatedBytes(thread) - bytes0;
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        return new double[] {(now - t0) / 1e3 / ops, (double) bytes / ops, (double) sink / ops, cpu / 1e3 / ops};
    }

    static double median(double[] values) {
        return quantile(values, 0.5);
    }

    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }
}
