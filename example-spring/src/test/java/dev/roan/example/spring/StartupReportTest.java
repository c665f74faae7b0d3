package dev.roan.example.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

import dev.roan.testkit.PurgeServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** What the blog prints at startup: where it listens, where purges go and whether a cache takes them there. */
class StartupReportTest {

    @AutoClose
    private final PurgeServer cache = new PurgeServer();

    private static List<String> startupLines(String purgeUrl) {
        try (ConfigurableApplicationContext blog = new SpringApplicationBuilder(BlogApplication.class).run(
                "--server.port=0", "--spring.datasource.url=jdbc:h2:mem:startup-" + System.nanoTime()
                        + ";DB_CLOSE_DELAY=-1", "--roan.purge-url=" + purgeUrl, "--roan.close-timeout=0s")) {
            return blog.getBean(StartupReport.class).lines();
        }
    }

    @Test
    void saysWherePurgesGoAndThatTheCacheThereTookOne() throws InterruptedException {
        List<String> lines = startupLines(cache.purgeUrl());

        assertThat(lines).contains("Purges go to " + cache.purgeUrl() + " (path appended, e.g. GET "
                + cache.purgeUrl() + "/posts)", "A cache took the startup purge of / at " + cache.purgeUrl());
        assertThat(lines.get(0)).matches("Blog listening on http://127\\.0\\.0\\.1:\\d+/");
        assertThat(lines.get(1)).startsWith("Database jdbc:h2:mem:startup-").contains("schema version")
                .doesNotContain("DB_CLOSE_DELAY");
        assertThat(cache.take().path()).isEqualTo("/");
    }

    @Test
    void saysWhenNoCacheTakesPurges() throws IOException {
        // A port bound but not listening: connections to it are refused, and while the socket holds it no server
        // (the application's own, on a free port) can take it, which a port freed before the start allowed.
        try (Socket reserved = new Socket()) {
            reserved.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            String nothingThere = "http://127.0.0.1:" + reserved.getLocalPort() + "/purge";

            List<String> lines = startupLines(nothingThere);

            assertThat(lines).anySatisfy(line -> assertThat(line)
                    .startsWith("No cache took the startup purge of / at " + nothingThere)
                    .contains("writes are not affected"));
            assertThat(lines).noneMatch(line -> line.startsWith("A cache took"));
        }
    }
}
