package dev.roan.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.roan.testkit.Postgres;

/**
 * {@link PreRead} paired in one JVM, as {@link Paired} does for the statement overhead: the four modes, each on its own
 * database, run {@link PreRead#updateById} in alternating slices of about 50 ms in a rotating order, so that load from
 * other processes falls on every mode of a round alike; each figure is the median over the rounds.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.roan.benchmarks.PreReadPaired [h2|postgres] [rounds] \
 *     [transaction|store|batch]
 * </pre>
 */
public final class PreReadPaired {

    private static final String[] MODES = {"off", "no-read", "read", "without-reading"};

    private PreReadPaired() {
    }

    public static void main(String[] args) throws Exception {
        String database = args.length > 0 ? args[0] : "h2";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        boolean transaction = args.length > 2 && args[2].equals("transaction");
        boolean store = args.length > 2 && args[2].equals("store");
        boolean batch = args.length > 2 && args[2].equals("batch");
        Postgres postgres = database.equals("postgres") ? Postgres.start() : null;
        List<PreRead> states = new ArrayList<>();
        try {
            for (String mode : MODES) {
                PreRead state = new PreRead();
                state.mode = mode;
                state.database = database;
                state.transaction = transaction;
                state.sharedPostgres = postgres;
                state.setUp();
                states.add(state);
            }
            double[][] micros = new double[MODES.length][rounds];
            double[][] bytes = new double[MODES.length][rounds];
            double[][] cpu = new double[MODES.length][rounds];
            int warmup = Math.max(5, rounds / 5);
            for (int round = -warmup; round < rounds; round++) {
                for (int k = 0; k < MODES.length; k++) {
                    int m = Math.floorMod(k + round, MODES.length);
                    PreRead state = states.get(m);
                    double[] slice = Slices.run(store ? state::storeById : batch ? () -> state.batchStoreById().length : state::updateById);
                    if (round >= 0) {
                        micros[m][round] = slice[0];
                        bytes[m][round] = slice[1];
                        cpu[m][round] = slice[3];
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%s, %s, %d rounds of 50 ms slices (medians)%n", database,
                    transaction ? "a jOOQ transaction per UPDATE" : store ? "UpdatableRecord.store(), auto-commit"
                    : batch ? "batchStore() of 100 records, auto-commit (one JDBC batch; us and B per batch)"
                    : "auto-commit", rounds);
            System.out.println("| Mode | us/op | / off | / no-read | B/op | CPU us/op |");
            System.out.println("|---|---|---|---|---|---|");
            for (int m = 0; m < MODES.length; m++) {
                double[] vsOff = new double[rounds];
                double[] vsNoRead = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    vsOff[r] = micros[m][r] / micros[0][r];
                    vsNoRead[r] = micros[m][r] / micros[1][r];
                }
                System.out.printf(Locale.ROOT, "| %s | %.1f | %.2f | %.2f | %.0f | %.1f |%n", MODES[m],
                        Slices.median(micros[m]), Slices.median(vsOff), Slices.median(vsNoRead),
                        Slices.median(bytes[m]), Slices.median(cpu[m]));
            }
        } finally {
            for (PreRead state : states) {
                state.tearDown();
            }
            if (postgres != null) {
                postgres.close();
            }
        }
    }
}
