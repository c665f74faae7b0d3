package dev.roan.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.roan.jooq.Roan;
import dev.roan.testkit.PurgeServer;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Boot's {@code logging.level.dev.roan} alone sets the level of Roan's lines in Boot's log (Logback here), although
 * Roan logs through {@code System.Logger}, which goes to {@code java.util.logging}: Boot's default logging (jul-to-slf4j's
 * bridge handler, with Logback's {@code LevelChangePropagator}, which Boot adds with it) passes Boot's levels on to
 * {@code java.util.logging}, at startup and when they change; and the starter's {@link RoanShutdown} keeps the lines of
 * the last deliveries. Whole applications, so that Boot's logging system is initialized and shut down as in
 * production; the README's "Logging" promises this.
 */
class LoggingLevelTest {

    @Configuration(proxyBeanMethods = false)
    static class Rules {
        @Bean
        RoanCustomizer posts() {
            return roan -> roan.purge("/posts").onWrite(BootFixture.POST);
        }
    }

    @AutoClose
    private final PurgeServer cache = new PurgeServer();

    /** What Boot's console (Logback's console appender, which writes to the System.out of the moment) shows. */
    private static final class Console implements AutoCloseable {
        private final PrintStream previous = System.out;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Console() {
            System.setOut(new PrintStream(new OutputStream() {
                @Override
                public void write(int b) {
                    bytes.write(b);
                    previous.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    bytes.write(b, off, len);
                    previous.write(b, off, len);
                }
            }, true, Charset.defaultCharset()));
        }

        List<String> lines(String containing) {
            return bytes.toString(Charset.defaultCharset()).lines().filter(line -> line.contains(containing)).toList();
        }

        @Override
        public void close() {
            System.setOut(previous);
        }
    }

    private ConfigurableApplicationContext start(String... properties) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(Boot.DataApplication.class, Rules.class)
                .web(WebApplicationType.NONE)
                .properties("roan.purge-url=" + cache.purgeUrl(),
                        "roan.close-timeout=5s", "spring.main.banner-mode=off")
                .properties(properties)
                .run();
        context.getBean(DSLContext.class).execute("create table if not exists post (id identity, title varchar(100))");
        return context;
    }

    private void writeAPost(ConfigurableApplicationContext context) throws InterruptedException {
        context.getBean(DSLContext.class).execute("insert into post (title) values ('Hello')");
        assertThat(cache.take().path()).endsWith("/posts");
        // The DEBUG line follows the cache's answer: it is written once the purge is no longer pending.
        Roan roan = context.getBean(Roan.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (roan.pendingPurges() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(roan.pendingPurges()).as("purges still pending").isZero();
    }

    @Test
    void theBootPropertyShowsEachPurgeAtDebug() throws Exception {
        try (Console console = new Console()) {
            try (ConfigurableApplicationContext context = start("logging.level.dev.roan=DEBUG")) {
                writeAPost(context);
            }
            assertThat(console.lines("Purged /posts on " + cache.purgeUrl())).singleElement().asString()
                    .contains("DEBUG", "dev.roan.jooq.Roan");
        }
    }

    @Test
    void withoutThePropertyNoPurgeIsShown() throws Exception {
        try (Console console = new Console()) {
            try (ConfigurableApplicationContext context = start()) {
                writeAPost(context);
            }
            assertThat(console.lines("Purged /posts")).isEmpty();
        }
    }

    @Test
    void aLevelSetWhileRunningAppliesAsTheActuatorLoggersEndpointSetsIt() throws Exception {
        try (Console console = new Console()) {
            try (ConfigurableApplicationContext context = start()) {
                LoggingSystem logging = context.getBean(LoggingSystem.class);
                logging.setLogLevel("dev.roan", LogLevel.DEBUG);
                writeAPost(context);
                logging.setLogLevel("dev.roan", null);
                writeAPost(context);
            }
            assertThat(console.lines("Purged /posts on " + cache.purgeUrl())).hasSize(1);
        }
    }

    @Test
    void thePurgesDeliveredWhileTheApplicationClosesAreLoggedToo() throws Exception {
        // Boot stops its logging before the beans' destroy methods run; the cache answers after the close began.
        cache.delay(Duration.ofMillis(300));
        try (Console console = new Console()) {
            try (ConfigurableApplicationContext context = start("logging.level.dev.roan=DEBUG")) {
                context.getBean(DSLContext.class).execute("insert into post (title) values ('Hello')");
                assertThat(cache.take().path()).endsWith("/posts");
            }
            assertThat(console.lines("Purged /posts on " + cache.purgeUrl())).singleElement().asString()
                    .contains("DEBUG", "dev.roan.jooq.Roan");
        }
    }

    @Test
    void stoppingTheApplicationWithoutClosingItLeavesRoanOpen() {
        try (ConfigurableApplicationContext context = start()) {
            context.stop();
            assertThat(context.getBean(Roan.class).isClosed()).isFalse();
            context.start();
        }
    }
}
