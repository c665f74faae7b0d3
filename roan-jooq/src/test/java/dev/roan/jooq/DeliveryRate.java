package dev.roan.jooq;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.roan.testkit.Nginx;
import dev.roan.testkit.Upstream;
import dev.roan.testkit.Varnish;

/**
 * Measures how fast Roan's delivery alone (no writer in the process) purges on a real cache, against wrk on the same
 * node: not a test, a program ({@code java -cp <test classpath> dev.roan.jooq.DeliveryRate [count] [rounds]
 * [xkey|nginx]}), as BENCHMARKS.md reports. Each round owes {@code count} distinct targets at once (as a large
 * transaction's commit does): row keys on a Varnish with xkey, or page paths on nginx's purge location; it times them
 * from the submit until the dispatcher owes nothing, and CPU is this process's, per target. wrk then sends one target
 * a request (a {@code PURGE} with one key, or a {@code GET /purge/...}) for 5 s with 32 connections; its CPU per
 * request comes from bash's {@code times}.
 */
final class DeliveryRate {

    private DeliveryRate() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        boolean nginx = args.length > 2 && args[2].equals("nginx");
        try (Upstream app = Upstream.start(path -> "page " + path);
             AutoCloseable cache = nginx ? Nginx.builder(app.address()).start()
                     : Varnish.startWithXkey(app.address())) {
            SettingsBuilder builder = new SettingsBuilder();
            String base;
            if (cache instanceof Nginx n) {
                builder.purgeUrls(n.purgeUrl());
                base = n.baseUrl();
            } else {
                base = ((Varnish) cache).baseUrl();
                builder.xkeyPurgeUrls(base);
            }
            builder.maxOwedPaths(Math.max(count, 1));
            Delivery delivery = new Delivery(builder.settings());
            Dispatcher dispatcher = delivery.dispatcher();
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            for (int round = 0; round <= rounds; round++) {
                List<String> targets = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    targets.add(nginx ? "/p/" + round + "/" + i
                            : Dependency.row("visits", "id", round + "-" + i).target());
                }
                long cpu = os.getProcessCpuTime();
                long start = System.nanoTime();
                dispatcher.submit(targets);
                while (dispatcher.pendingCount() > 0) {
                    Thread.sleep(1);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuPer = (os.getProcessCpuTime() - cpu) / 1e3 / count;
                System.out.printf(Locale.ROOT, "roan %s %s: %d in %.2f s: %.0f/s, %.1f us CPU each (%s, load %s)%n",
                        nginx ? "nginx paths" : "xkey keys", round == 0 ? "warm-up" : "round " + round, count,
                        seconds, count / seconds, cpuPer, System.getProperty("java.version"), load());
            }
            delivery.close();
            double[] wrk = wrk(base, 5, 32, nginx);
            System.out.printf(Locale.ROOT, "wrk -t1 -c32, one %s a request: %.0f/s, %.1f us CPU each (load %s)%n",
                    nginx ? "path" : "key", wrk[0], wrk[1], load());
        }
    }

    private static String load() throws java.io.IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    private static double[] wrk(String baseUrl, int seconds, int connections, boolean nginx) throws Exception {
        Path script = Files.createTempFile("roan-wrk-xkey", ".lua");
        try {
            Files.writeString(script, "counter = 0\n"
                    + "request = function()\n"
                    + "  counter = counter + 1\n"
                    + (nginx ? "  return wrk.format(\"GET\", \"/purge/w/\" .. counter)\n"
                            : "  return wrk.format(\"PURGE\", \"/\", {[\"xkey-purge\"] = \"roan-r-wrk\" .. counter})\n")
                    + "end\n", StandardCharsets.UTF_8);
            Process p = new ProcessBuilder("bash", "-c", "wrk -t1 -c" + connections + " -d" + seconds + "s -s '" + script
                    + "' '" + baseUrl + "/' && times").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("wrk failed: " + out);
            }
            Matcher m = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("no Requests/sec in wrk's output: " + out);
            }
            double rate = Double.parseDouble(m.group(1));
            Matcher cpu = Pattern.compile("(\\d+)m([0-9.]+)s (\\d+)m([0-9.]+)s\\s*$").matcher(out.strip());
            double cpuSeconds = cpu.find() ? Integer.parseInt(cpu.group(1)) * 60 + Double.parseDouble(cpu.group(2))
                    + Integer.parseInt(cpu.group(3)) * 60 + Double.parseDouble(cpu.group(4)) : Double.NaN;
            Matcher requests = Pattern.compile("(\\d+) requests in").matcher(out);
            double count = requests.find() ? Double.parseDouble(requests.group(1)) : rate * seconds;
            if (!nginx && out.contains("Non-2xx")) {
                throw new IllegalStateException("wrk's purges were refused: " + out);
            }
            return new double[] {rate, cpuSeconds * 1e6 / count};
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
