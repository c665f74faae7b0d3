package dev.roan.example.spring;

import dev.roan.jooq.Roan;
import dev.roan.testkit.Postgres;
import dev.roan.testkit.PurgeServer;
import java.io.IOException;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole blog on a real PostgreSQL that this class starts itself ({@link Postgres}: skipped without PostgreSQL,
 * failed under {@code CI=true}), migrated by Boot's Flyway, started programmatically on a random port.
 *
 * <p>Started in the first test's set-up rather than in {@code @BeforeAll}, as roan-jooq's {@code PostgresTest} does:
 * a missing PostgreSQL then marks each test skipped with the reason.
 */
class BlogApplicationPostgresTest extends BlogPurgeChecks {

    private static Postgres postgres;
    private static PurgeServer cache;
    private static ConfigurableApplicationContext blog;

    @BeforeEach
    void startOnce() throws IOException {
        synchronized (BlogApplicationPostgresTest.class) {
            if (blog != null) {
                return;
            }
            postgres = Postgres.start();
            String url = postgres.createDatabase("roan_example_spring");
            cache = new PurgeServer();
            blog = new SpringApplicationBuilder(BlogApplication.class).run(
                    "--server.port=0",
                    "--spring.datasource.url=" + url,
                    "--spring.datasource.username=" + postgres.user(),
                    "--spring.datasource.password=" + postgres.password(),
                    "--roan.purge-url=" + cache.purgeUrl());
        }
    }

    @AfterAll
    static void stop() {
        if (blog != null) {
            blog.close();
            blog = null;
        }
        if (cache != null) {
            cache.close();
            cache = null;
        }
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    @Override
    int port() {
        return blog.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    @Override
    PurgeServer cache() {
        return cache;
    }

    @Override
    DataSource dataSource() {
        return blog.getBean(DataSource.class);
    }

    @Override
    Roan roan() {
        return blog.getBean(Roan.class);
    }
}
