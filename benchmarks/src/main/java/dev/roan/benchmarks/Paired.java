package dev.roan.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;

import dev.roan.testkit.Postgres;

/**
 * 1b. Statement overhead, paired: the configurations compared (without Roan, with a no-op listener only, with Roan
 * purging to a closed port) live in one JVM, each on its own database, and run in alternating slices of about 50 ms,
 * in a rotating order; each figure is the median over the rounds of the per-round ratio. Load from other processes on
 * the machine then falls on every side of each ratio alike, which separately forked JMH runs cannot promise on a
 * shared 2-core machine. Bytes per operation come from the thread's allocation counter. The same statements then
 * run on a real PostgreSQL (started by the test kit) when its binaries are installed.
 */
final class Paired {

    private static final String[] H2_BENCHMARKS = {"updateMatched", "insertMatched", "selectByKey", "select100",
        "updateUnregistered", "batchInsert100", "plainSqlUpdate"};
    private static final String[] POSTGRES_BENCHMARKS = {"updateMatched", "insertMatched", "selectByKey", "select100",
        "plainSqlUpdate"};

    private final boolean quick;
    private final Report report;

    Paired(boolean quick, Report report) {
        this.quick = quick;
        this.report = report;
    }

    /**
     * The H2 table alone, for a quick look at a change: {@code java -cp benchmarks.jar dev.roan.benchmarks.Paired
     * [rounds] [benchmark,...|all]}; {@code select100-rows} is the last row (rule {@code /posts/{id}}).
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        String[] benchmarks = args.length > 1 && !args[1].equals("all") ? args[1].split(",") : H2_BENCHMARKS;
        Paired paired = new Paired(rounds < 100, new Report());
        paired.table(null, benchmarks, rounds);
        System.exit(0);
    }

    void run() throws Exception {
        int rounds = quick ? 40 : 200;
        report.section("1b. Statement overhead, paired in one JVM, H2 in memory (alternating 50 ms slices, " + rounds
                + " rounds, medians of per-round ratios)");
        table(null, H2_BENCHMARKS, rounds);
        report.line("");
        report.line("`off`: no listener. `listener`: only a no-op `ExecuteListener`, i.e. what jOOQ costs once any"
                + " listener is attached. Roan: rule `/posts` on POST, purging to a closed port. \"Roan own\" is"
                + " Roan / listener. The last row has the rule `/posts/{id}` instead: until 0.1.0's"
                + " last changes that rule made Roan add a record listener, which jOOQ called for every row it loaded;"
                + " now it must cost a read nothing.");
        Postgres started;
        try {
            started = Postgres.start();
        } catch (RuntimeException e) {
            report.line("");
            report.line("PostgreSQL rows skipped: " + e.getMessage());
            return;
        }
        try (Postgres postgres = started) {
            report.section("1b'. The same, on PostgreSQL " + postgres.version() + " over loopback (" + rounds
                    + " rounds)");
            table(postgres, POSTGRES_BENCHMARKS, rounds);
        }
    }

    private void table(Postgres postgres, String[] benchmarks, int rounds) throws Exception {
        report.line("| Statement | off us/op | listener us/op | Roan us/op | Roan / off | Roan own (Roan / listener)"
                + " | Roan / off p25..p75 | Extra B/op vs off | Roan own B/op |");
        report.line("|---|---:|---:|---:|---:|---:|---|---:|---:|");
        List<String[]> runs = new ArrayList<>();
        for (String benchmark : benchmarks) {
            if (benchmark.equals("select100-rows")) {
                runs.add(new String[] {"select100", "roan-rows"});
            } else {
                runs.add(new String[] {benchmark, "roan"});
            }
        }
        if (benchmarks == H2_BENCHMARKS || benchmarks == POSTGRES_BENCHMARKS) {
            runs.add(new String[] {"select100", "roan-rows"});
        }
        for (String[] run : runs) {
            String benchmark = run[0];
            String[] modes = {"off", "listener", run[1]};
            StatementOverhead[] states = new StatementOverhead[modes.length];
            for (int m = 0; m < modes.length; m++) {
                states[m] = state(modes[m], postgres);
            }
            ToIntFunction<StatementOverhead> op = op(benchmark);
            for (int i = 0; i < (quick ? 20 : 60); i++) {          // warm-up: compile every path
                for (StatementOverhead s : states) {
                    slice(s, op);
                }
            }
            double[][] us = new double[modes.length][rounds];
            double[] bytes = new double[modes.length];
            double[] roanOff = new double[rounds];
            double[] roanOwn = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < modes.length; k++) {
                    int m = (r + k) % modes.length;                 // rotate who goes first
                    double[] result = slice(states[m], op);
                    us[m][r] = result[0];
                    bytes[m] += result[1] / rounds;
                }
                roanOff[r] = us[2][r] / us[0][r];
                roanOwn[r] = us[2][r] / us[1][r];
            }
            for (StatementOverhead s : states) {
                s.tearDown();
            }
            String name = run[1].equals("roan-rows") ? benchmark + ", rule `/posts/{id}`" : benchmark;
            report.line(String.format(Locale.ROOT,
                    "| %s | %.3f | %.3f | %.3f | %.3fx | %.3fx | %.3f..%.3f | %+.0f | %+.0f |", name,
                    Slices.median(us[0]), Slices.median(us[1]), Slices.median(us[2]), Slices.median(roanOff), Slices.median(roanOwn),
                    Slices.quantile(roanOff, 0.25), Slices.quantile(roanOff, 0.75), bytes[2] - bytes[0], bytes[2] - bytes[1]));
        }
    }

    private static StatementOverhead state(String mode, Postgres postgres) throws Exception {
        StatementOverhead s = new StatementOverhead();
        s.mode = mode;
        s.postgres = postgres;
        s.setUp();
        return s;
    }

    /** Runs the operation for about 50 ms; returns microseconds and bytes allocated per operation. */
    private static double[] slice(StatementOverhead state, ToIntFunction<StatementOverhead> op) throws Exception {
        double[] result = Slices.run(() -> op.applyAsInt(state));
        state.trim();
        return result;
    }

    private static ToIntFunction<StatementOverhead> op(String benchmark) {
        switch (benchmark) {
            case "updateMatched":
                return StatementOverhead::updateMatched;
            case "insertMatched":
                return StatementOverhead::insertMatched;
            case "selectByKey":
                return s -> s.selectByKey() == null ? 0 : 1;
            case "select100":
                return s -> s.select100().size();
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
}
