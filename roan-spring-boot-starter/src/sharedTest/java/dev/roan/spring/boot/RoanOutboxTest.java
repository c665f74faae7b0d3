package dev.roan.spring.boot;

import static dev.roan.spring.boot.BootFixture.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.LongSupplier;

import javax.sql.DataSource;

import dev.roan.jooq.Roan;
import dev.roan.spring.boot.BootFixture.Posts;
import dev.roan.testkit.PurgeServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.annotation.Transactional;

/**
 * Durable mode through the starter ({@code roan.outbox.enabled=true}) on Boot's DataSource: {@code @Transactional}
 * writes leave their outbox rows until the cache confirmed the purge; a rollback leaves none.
 */
class RoanOutboxTest {

    @Configuration(proxyBeanMethods = false)
    @Import(BootFixture.Blog.class)
    static class App {
        @Bean
        RoanCustomizer blogRules() {
            return roan -> roan.purge("/posts/{title}").onWrite(POST);
        }
    }

    /** Down until a test says otherwise: every purge is answered 503 and stays owed. */
    @AutoClose
    private final PurgeServer cache = new PurgeServer().respond(path -> PurgeServer.Answer.status(503));

    private ApplicationContextRunner runner() {
        return BootFixture.runner(cache).withUserConfiguration(App.class)
                .withPropertyValues("roan.close-timeout=1s", "roan.outbox.enabled=true",
                        "roan.outbox.table=roan_test_outbox", "roan.outbox.lease=1s",
                        "roan.outbox.sweep-interval=250ms");
    }

    /** Rows of {@code table} a separate connection sees: committed ones only; -1 while it does not exist. */
    private static long count(DataSource dataSource, String table) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select count(*) from " + table)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    private static void await(LongSupplier value, long expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (value.getAsLong() != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": expected " + expected + " within 15 s, was " + value.getAsLong());
            }
            Thread.sleep(20);
        }
    }

    @Test
    void transactionalWriteKeepsItsOutboxRowUntilTheCacheConfirmsThePurge() {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            DataSource dataSource = context.getBean(DataSource.class);
            assertThat(context.getBean(RoanProperties.class).toString()).contains("table=roan_test_outbox");

            context.getBean(Posts.class).add("hello");

            assertThat(count(dataSource, "post")).isOne();
            assertThat(count(dataSource, "roan_test_outbox")).as("outbox rows after the commit, cache down")
                    .isPositive();
            cache.take();
            assertThat(count(dataSource, "roan_test_outbox")).as("outbox rows after a failed purge").isPositive();

            cache.respond(path -> PurgeServer.Answer.status(200));
            await(() -> count(dataSource, "roan_test_outbox"), 0, "outbox rows once the cache answers");
            assertThat(cache.paths()).as("purges sent").containsOnly("/posts/hello");
        });
    }

    @Test
    void rolledBackTransactionalWriteLeavesNoOutboxRow() {
        runner().run(context -> {
            DataSource dataSource = context.getBean(DataSource.class);
            Posts posts = context.getBean(Posts.class);
            posts.add("kept");
            long rowsOfTheCommit = count(dataSource, "roan_test_outbox");
            assertThat(rowsOfTheCommit).as("outbox rows of the committed write, cache down").isPositive();

            assertThatThrownBy(() -> posts.addThenFail("never")).hasMessage("rolled back on purpose");
            assertThat(count(dataSource, "roan_test_outbox")).as("outbox rows after the rollback")
                    .isEqualTo(rowsOfTheCommit);

            assertThat(count(dataSource, "post")).isOne();
            cache.respond(path -> PurgeServer.Answer.status(200));
            await(() -> count(dataSource, "roan_test_outbox"), 0, "outbox rows once the cache answers");
            assertThat(context.getBean(Roan.class).flush(Duration.ofSeconds(5))).isTrue();
            assertThat(cache.paths()).as("purges sent").contains("/posts/kept").doesNotContain("/posts/never");
        });
    }

    @Test
    void invalidOutboxSettingFailsStartupNamingItsProperty() {
        runner().withPropertyValues("roan.outbox.lease=0s").run(context ->
                assertThat(context).hasFailed().getFailure().hasStackTraceContaining("roan.outbox.lease"));
    }

    @Test
    void outboxDefaultsAreRoans() {
        RoanProperties.Outbox defaults = new RoanProperties().getOutbox();
        assertThat(defaults.isEnabled()).isFalse();
        assertThat(defaults.getTable()).isEqualTo(Roan.DEFAULT_OUTBOX_TABLE);
        assertThat(defaults.isCreateTable()).isTrue();
        assertThat(defaults.getSweepInterval()).isEqualTo(Roan.DEFAULT_OUTBOX_SWEEP_INTERVAL);
        assertThat(defaults.getLease()).isEqualTo(Roan.DEFAULT_OUTBOX_LEASE);
    }

    @Test
    void outboxIsOffByDefault() {
        runner().withPropertyValues("roan.outbox.enabled=false").run(context -> {
            context.getBean(Posts.class).add("memory");
            assertThat(cache.take().path()).isEqualTo("/posts/memory");
            assertThat(count(context.getBean(DataSource.class), "roan_test_outbox")).as("no outbox table").isEqualTo(-1);
        });
    }
}
