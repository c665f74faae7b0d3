package dev.roan.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark and prints one Markdown report (see BENCHMARKS.md).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [-quick] [-only overhead,paired,durable,spring,naive,latency,throughput,coalescing,drain,load,shape] [-out FILE]
 * </pre>
 *
 * <p>{@code spring} is 1c., {@link SpringBootOverhead}: the statements through Spring Boot's jOOQ and the starter, paired
 * as {@code paired} (1b.) pairs them.
 *
 * {@code -quick} is a few minutes on 2 cores; without it, more forks, iterations and samples. Plain JMH runs work too:
 * {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main StatementOverhead -prof gc}.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        boolean quick = false;
        Set<String> only = Set.of("overhead", "paired", "spring", "naive", "latency", "throughput", "coalescing",
                "durable", "drain", "load", "shape");
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-quick":
                    quick = true;
                    break;
                case "-only":
                    only = Set.of(args[++i].split(","));
                    break;
                case "-out":
                    out = Path.of(args[++i]);
                    break;
                default:
                    System.err.println("usage: [-quick] [-only overhead,paired,durable,spring,naive,latency,throughput,coalescing,drain,load,shape] [-out FILE]");
                    System.exit(2);
            }
        }
        Report report = new Report();
        report.line("## Run of " + LocalDate.now() + (quick ? " (quick mode)" : ""));
        report.line("");
        report.line("- Machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + cpuModel() + ", " + (ManagementFactory.getOperatingSystemMXBean() instanceof
                        com.sun.management.OperatingSystemMXBean
                        ? ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                                .getTotalMemorySize() / (1 << 30) + " GiB RAM, "
                        : "")
                + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        report.line("- JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        report.line("- JMH 1.37; H2 " + org.h2.engine.Constants.FULL_VERSION + "; jOOQ " + jooqVersion());

        if (only.contains("overhead")) {
            overhead(quick, report);
        }
        if (only.contains("paired")) {
            new Paired(quick, report).run();
        }
        if (only.contains("durable")) {
            new DurableOverhead.Run(quick, report).run();
        }
        if (only.contains("spring")) {
            new SpringBootOverhead(quick, report).run();
        }
        if (only.contains("naive")) {
            naive(quick, report);
        }
        Harness harness = new Harness(quick, report);
        if (only.contains("latency")) {
            harness.latency();
        }
        if (only.contains("throughput")) {
            harness.throughput();
        }
        if (only.contains("coalescing")) {
            harness.coalescing();
        }
        Outages outages = new Outages(quick, report);
        if (only.contains("drain")) {
            outages.drain();
        }
        if (only.contains("load")) {
            outages.underLoad();
        }
        if (only.contains("shape")) {
            outages.shape();
        }
        if (out != null) {
            report.writeTo(out);
        }
        System.exit(0);     // nginx and HttpClient threads are daemons; JMH's are not always
    }

    /**
     * The jOOQ on the class path, read at run time: {@code org.jooq.Constants.FULL_VERSION} is a compile-time constant,
     * so it names the jOOQ these classes were compiled against.
     */
    private static String jooqVersion() {
        try (java.io.InputStream in = Main.class.getResourceAsStream("/META-INF/maven/org.jooq/jooq/pom.properties")) {
            java.util.Properties properties = new java.util.Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static ChainedOptionsBuilder jmh(boolean quick) {
        return new OptionsBuilder()
                .forks(quick ? 1 : 3)
                .warmupIterations(quick ? 4 : 5)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 5 : 10)
                .measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Xms1g", "-Xmx1g", "-Dorg.jooq.no-logo=true", "-Dorg.jooq.no-tips=true")
                .shouldFailOnError(true);
    }

    private static void overhead(boolean quick, Report report) throws Exception {
        Collection<RunResult> results = new ArrayList<>(new Runner(jmh(quick)
                .include(StatementOverhead.class.getName() + "\\.")
                .param("mode", "off", "roan")
                .addProfiler(GCProfiler.class)
                .build()).run());
        Collection<RunResult> live = new Runner(jmh(quick)
                .include(StatementOverhead.class.getName() + "\\.(insertMatched|updateMatched)$")
                .param("mode", "off", "roan-live")
                .addProfiler(GCProfiler.class)
                .build()).run();
        report.section("1. Statement overhead (H2 in memory, JMH average time, " + (quick ? "1 fork x 5 x 1 s" : "3 forks x 10 x 1 s")
                + ", `-prof gc`)");
        report.line("| Statement | Purge endpoint | off us/op | Roan us/op | Roan - off us | Ratio | off B/op | Roan B/op | Extra B/op |");
        report.line("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        table(results, "roan", "closed port", report);
        table(live, "roan-live", "HttpServer, answering", report);
        report.line("");
        report.line("Scores are mean +- 99.9% error as JMH prints them; ratios are of the means, each pair measured in the"
                + " same JMH run.");
    }

    private static void table(Collection<RunResult> results, String roanMode, String endpoint, Report report) {
        Map<String, Map<String, RunResult>> byBenchmark = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            byBenchmark.computeIfAbsent(name, n -> new HashMap<>()).put(r.getParams().getParam("mode"), r);
        }
        for (Map.Entry<String, Map<String, RunResult>> e : byBenchmark.entrySet()) {
            RunResult off = e.getValue().get("off");
            RunResult on = e.getValue().get(roanMode);
            if (off == null || on == null) {
                continue;
            }
            double a = off.getPrimaryResult().getScore();
            double b = on.getPrimaryResult().getScore();
            double allocOff = alloc(off);
            double allocOn = alloc(on);
            report.line(String.format(Locale.ROOT, "| %s | %s | %.3f +- %.3f | %.3f +- %.3f | %+.3f | %.3fx | %.0f | %.0f | %+.0f |",
                    e.getKey(), endpoint, a, off.getPrimaryResult().getScoreError(), b,
                    on.getPrimaryResult().getScoreError(), b - a, b / a, allocOff, allocOn, allocOn - allocOff));
        }
    }

    private static double alloc(RunResult r) {
        Result<?> result = r.getSecondaryResults().get("gc.alloc.rate.norm");
        return result == null ? Double.NaN : result.getScore();
    }

    private static void naive(boolean quick, Report report) throws Exception {
        Collection<RunResult> results = new Runner(jmh(quick)
                .include(NaivePeer.class.getName() + "\\.")
                .measurementTime(TimeValue.seconds(2))
                .build()).run();
        Map<String, RunResult> byMode = new HashMap<>();
        for (RunResult r : results) {
            byMode.put(r.getParams().getParam("mode"), r);
        }
        RunResult naive = byMode.get("naive");
        RunResult roan = byMode.get("roan");
        report.section("5. The naive peer: writer throughput, one thread, cache answering each purge after 1 ms");
        report.line("| Writer | Transactions/s | vs naive |");
        report.line("|---|---:|---:|");
        report.line(String.format(Locale.ROOT, "| naive: `HttpClient.send` of the purge inside the transaction | %.0f +- %.0f | 1x |",
                naive.getPrimaryResult().getScore(), naive.getPrimaryResult().getScoreError()));
        report.line(String.format(Locale.ROOT, "| **Roan** attached, purge after commit in the background | %.0f +- %.0f | %.1fx |",
                roan.getPrimaryResult().getScore(), roan.getPrimaryResult().getScoreError(),
                roan.getPrimaryResult().getScore() / naive.getPrimaryResult().getScore()));
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

}
