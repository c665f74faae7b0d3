package dev.roan.benchmarks;

/**
 * A long loop of one {@link StatementOverhead} benchmark, to run under a profiler:
 * {@code java -XX:StartFlightRecording=filename=u.jfr,settings=profile -cp benchmarks.jar dev.roan.benchmarks.Profile
 * updateMatched roan 30}.
 */
public final class Profile {

    private Profile() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        String benchmark = args[0];
        StatementOverhead state = new StatementOverhead();
        state.mode = args[1];
        long seconds = Long.parseLong(args[2]);
        state.setUp();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long ops = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 1_000; i++) {
                switch (benchmark) {
                    case "updateMatched":
                        state.updateMatched();
                        break;
                    case "plainSqlUpdate":
                        state.plainSqlUpdate();
                        break;
                    case "insertMatched":
                        state.insertMatched();
                        break;
                    default:
                        throw new IllegalArgumentException(benchmark);
                }
            }
            ops += 1_000;
            if (benchmark.equals("insertMatched") && ops % 100_000 == 0) {
                state.trim();
            }
        }
        System.out.printf("%s %s: %.3f us/op%n", benchmark, state.mode, seconds * 1e6 / ops);
        state.tearDown();
        System.exit(0);
    }
}
