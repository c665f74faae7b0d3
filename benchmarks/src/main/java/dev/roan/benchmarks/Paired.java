package dev.roan.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * 1b. Statement overhead, paired: both configurations (without Roan, with Roan purging to a closed port) live in one
 * JVM, each on its own H2 database, and run in alternating slices of about 50 ms; the figure is the median over the
 * rounds of the per-round ratio. Load from other processes on the machine then falls on both sides of each ratio
 * alike, which separately forked JMH runs cannot promise on a shared 2-core machine. Bytes per operation come from
 * the thread's allocation counter.
 */
final class Paired {

    private static final String[] BENCHMARKS = {"updateMatched", "insertMatched", "selectByKey", "updateUnregistered",
        "batchInsert100", "plainSqlUpdate"};

    private final boolean quick;
    private final Report report;
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    Paired(boolean quick, Report report) {
        this.quick = quick;
        this.report = report;
    }

    void run() throws Exception {
        int rounds = quick ? 40 : 200;
        report.section("1b. Statement overhead, paired in one JVM (alternating 50 ms slices, " + rounds
                + " rounds, median of per-round ratios)");
        report.line("| Statement | off us/op (median) | Roan us/op (median) | Roan - off us | Ratio (median) | Ratio p25..p75 | Extra B/op |");
        report.line("|---|---:|---:|---:|---:|---|---:|");
        for (String benchmark : BENCHMARKS) {
            StatementOverhead off = state("off");
            StatementOverhead on = state("roan");
            ToIntFunction<StatementOverhead> op = op(benchmark);
            for (int i = 0; i < (quick ? 20 : 60); i++) {          // warm-up: compile both paths
                slice(off, op);
                slice(on, op);
            }
            double[] offUs = new double[rounds];
            double[] onUs = new double[rounds];
            double[] ratio = new double[rounds];
            double offBytes = 0;
            double onBytes = 0;
            for (int r = 0; r < rounds; r++) {
                double[] a = (r % 2 == 0) ? slice(off, op) : null;
                double[] b = slice(on, op);
                if (a == null) {
                    a = slice(off, op);
                }
                offUs[r] = a[0];
                onUs[r] = b[0];
                ratio[r] = b[0] / a[0];
                offBytes += a[1];
                onBytes += b[1];
            }
            off.tearDown();
            on.tearDown();
            double offMedian = median(offUs);
            double onMedian = median(onUs);
            report.line(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %+.3f | %.3fx | %.3f..%.3f | %+.0f |", benchmark,
                    offMedian, onMedian, onMedian - offMedian, median(ratio), quantile(ratio, 0.25), quantile(ratio, 0.75),
                    (onBytes - offBytes) / rounds));
        }
    }

    private static StatementOverhead state(String mode) throws Exception {
        StatementOverhead s = new StatementOverhead();
        s.mode = mode;
        s.setUp();
        return s;
    }

    /** Runs the operation for about 50 ms; returns microseconds and bytes allocated per operation. */
    private double[] slice(StatementOverhead state, ToIntFunction<StatementOverhead> op) throws Exception {
        long thread = Thread.currentThread().getId();
        long bytes0 = threads.getThreadAllocatedBytes(thread);
        long t0 = System.nanoTime();
        long deadline = t0 + 50_000_000L;
        int ops = 0;
        int sink = 0;
        long now;
        do {
            for (int i = 0; i < 16; i++) {
                sink += op.applyAsInt(state);
            }
            ops += 16;
            now = System.nanoTime();
        } while (now < deadline);
        long bytes = threads.getThreadAllocatedBytes(thread) - bytes0;
        state.trim();
        if (sink == Integer.MIN_VALUE) {
            System.out.print("");
        }
        return new double[] {(now - t0) / 1e3 / ops, (double) bytes / ops};
    }

    private static ToIntFunction<StatementOverhead> op(String benchmark) {
        switch (benchmark) {
            case "updateMatched":
                return StatementOverhead::updateMatched;
            case "insertMatched":
                return StatementOverhead::insertMatched;
            case "selectByKey":
                return s -> s.selectByKey() == null ? 0 : 1;
            case "updateUnregistered":
                return StatementOverhead::updateUnregistered;
            case "batchInsert100":
                return s -> s.batchInsert100().length;
            case "plainSqlUpdate":
                return StatementOverhead::plainSqlUpdate;
            default:
                throw new IllegalArgumentException(benchmark);
        }
    }

    private static double median(double[] values) {
        return quantile(values, 0.5);
    }

    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }
}
