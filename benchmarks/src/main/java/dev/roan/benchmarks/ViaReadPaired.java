package dev.roan.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.roan.testkit.Postgres;

/**
 * {@link ViaRead} paired in one JVM, as {@link PreReadPaired} does for the read before an UPDATE: the three modes, each
 * on its own database, run {@link ViaRead#insertVisit} in alternating slices of about 50 ms in a rotating order, so
 * that load from other processes falls on every mode of a round alike; each figure is the median over the rounds.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.roan.benchmarks.ViaReadPaired [h2|postgres] [rounds] [transaction]
 * </pre>
 */
public final class ViaReadPaired {

    private static final String[] MODES = ViaRead.MODES;

    private ViaReadPaired() {
    }

    public static void main(String[] args) throws Exception {
        String database = args.length > 0 ? args[0] : "h2";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        boolean transaction = args.length > 2 && args[2].equals("transaction");
        Postgres postgres = database.equals("postgres") ? Postgres.start() : null;
        List<ViaRead> states = new ArrayList<>();
        try {
            for (String mode : MODES) {
                ViaRead state = new ViaRead();
                state.mode = mode;
                state.database = database;
                state.transaction = transaction;
                state.sharedPostgres = postgres;
                state.setUp();
                states.add(state);
            }
            double[][] micros = new double[MODES.length][rounds];
            double[][] bytes = new double[MODES.length][rounds];
            // The writer thread's CPU time too: on a loaded machine wall time also counts waiting for a core.
            double[][] cpu = new double[MODES.length][rounds];
            int warmup = Math.max(5, rounds / 5);
            for (int round = -warmup; round < rounds; round++) {
                for (int k = 0; k < MODES.length; k++) {
                    int m = Math.floorMod(k + round, MODES.length);
                    ViaRead state = states.get(m);
                    double[] slice = Slices.run(state::insertVisit);
                    if (round >= 0) {
                        micros[m][round] = slice[0];
                        bytes[m][round] = slice[1];
                        cpu[m][round] = slice[3];
                    }
                    state.trim(); // keeps the visit table small, outside the measured slice
                }
            }
            System.out.printf(Locale.ROOT, "%s, %s, %d rounds of 50 ms slices (medians)%n", database,
                    transaction ? "a jOOQ transaction per INSERT" : "auto-commit", rounds);
            System.out.println("| Mode | us/op | / off | / direct | CPU us/op | B/op |");
            System.out.println("|---|---|---|---|---|---|");
            for (int m = 0; m < MODES.length; m++) {
                double[] vsOff = new double[rounds];
                double[] vsDirect = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    vsOff[r] = micros[m][r] / micros[0][r];
                    vsDirect[r] = micros[m][r] / micros[1][r];
                }
                System.out.printf(Locale.ROOT, "| %s | %.1f | %.2f | %.2f | %.1f | %.0f |%n", MODES[m],
                        Slices.median(micros[m]), Slices.median(vsOff), Slices.median(vsDirect),
                        Slices.median(cpu[m]), Slices.median(bytes[m]));
            }
        } finally {
            for (ViaRead state : states) {
                state.tearDown();
            }
            if (postgres != null) {
                postgres.close();
            }
        }
    }
}
