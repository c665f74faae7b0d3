package dev.roan.example.spring;

import dev.roan.jooq.Roan;
import dev.roan.testkit.PurgeServer;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The whole blog on H2, as {@code application.properties} configures it, on a random port with a local purge endpoint. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.datasource.url=jdbc:h2:mem:blog-test;DB_CLOSE_DELAY=-1")
class BlogApplicationTest extends BlogPurgeChecks {

    private static final PurgeServer CACHE = startCache();

    @Value("${local.server.port}")
    int port;

    @Autowired
    DataSource dataSource;

    @Autowired
    Roan roan;

    @DynamicPropertySource
    static void purgeUrl(DynamicPropertyRegistry registry) {
        registry.add("roan.purge-url", CACHE::purgeUrl);
    }

    @AfterAll
    static void stopCache() {
        CACHE.close();
    }

    private static PurgeServer startCache() {
        return new PurgeServer();
    }

    @Override
    int port() {
        return port;
    }

    @Override
    PurgeServer cache() {
        return CACHE;
    }

    @Override
    DataSource dataSource() {
        return dataSource;
    }

    @Override
    Roan roan() {
        return roan;
    }
}
