package dev.roan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import dev.roan.jooq.Roan;
import dev.roan.testkit.PurgeServer;
import org.h2.jdbcx.JdbcDataSource;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.DefaultConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.jooq.autoconfigure.SpringTransactionProvider;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code Roan.track} with Spring's transactions: a {@code @Transactional} method wrote a row before any tracked page had
 * pinned its column (so its write produced no key of the row); a render on another thread read the old row and pinned
 * the column; then the transaction committed. Its commit owes the page a purge, as a jOOQ transaction's does.
 */
class SpringTrackedTransactionTest {

    private static final Table<?> POST = DSL.table(DSL.name("post"));
    private static final Field<Long> ID = DSL.field(DSL.name("post", "id"), Long.class);
    private static final Field<String> TITLE = DSL.field(DSL.name("post", "title"), String.class);

    /** A service bean. */
    static class Transactions {
        @Transactional
        public void required(Runnable work) {
            work.run();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class Config {
        @Bean
        DataSourceTransactionManager transactionManager(DataSource dataSource) {
            return new DataSourceTransactionManager(dataSource);
        }

        @Bean
        Roan roan(PurgeServer cache) {
            return Roan.builder().purgeUrl(cache.purgeUrl()).transactionBoundary(new SpringTransactionBoundary()).build();
        }

        @Bean
        DSLContext dsl(DataSource dataSource, PlatformTransactionManager transactionManager, Roan roan) {
            DefaultConfiguration configuration = new DefaultConfiguration();
            configuration.set(new DataSourceConnectionProvider(new TransactionAwareDataSourceProxy(dataSource)));
            configuration.set(new SpringTransactionProvider(transactionManager));
            configuration.set(SQLDialect.H2);
            return DSL.using(roan.attach(configuration));
        }

        @Bean
        Transactions transactions() {
            return new Transactions();
        }
    }

    private JdbcDataSource dataSource;
    private final String url = "jdbc:h2:mem:roan-spring-track-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private Connection keepAlive;
    private PurgeServer cache;
    private AnnotationConfigApplicationContext context;
    private Roan roan;
    private DSLContext dsl;
    private Transactions tx;

    @BeforeEach
    void setUp() throws Exception {
        keepAlive = DriverManager.getConnection(url);
        keepAlive.createStatement().execute("create table \"post\" (\"id\" bigint primary key,"
                + " \"title\" varchar(200) not null); insert into \"post\" values (1, 'A'), (2, 'B')");
        dataSource = new JdbcDataSource();
        dataSource.setURL(url);
        cache = new PurgeServer();
        context = new AnnotationConfigApplicationContext();
        context.registerBean(DataSource.class, () -> dataSource);
        context.registerBean(PurgeServer.class, () -> cache);
        context.register(Config.class);
        context.refresh();
        roan = context.getBean(Roan.class);
        dsl = context.getBean(DSLContext.class);
        tx = context.getBean(Transactions.class);
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
        cache.close();
        keepAlive.createStatement().execute("SHUTDOWN");
        keepAlive.close();
    }

    private String postPage(long id) {
        return roan.track("/posts/" + id, () -> dsl.select(TITLE).from(POST).where(ID.eq(id)).fetchOne(TITLE));
    }

    /** The render runs on another thread, in the middle of the transaction: the join is the latch. */
    private String renderedMeanwhile(long id) {
        return CompletableFuture.supplyAsync(() -> postPage(id)).join();
    }

    private void assertPurged(String... paths) {
        assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(cache.paths()).as("purges sent").containsExactlyInAnyOrder(paths);
    }

    @Test
    void aTransactionalWriteInFlightWhenAColumnIsFirstPinnedPurgesThePage() {
        tx.required(() -> {
            dsl.update(POST).set(TITLE, "A2").where(ID.eq(1L)).execute();
            assertThat(renderedMeanwhile(1)).as("the render read the committed row").isEqualTo("A");
        });

        assertPurged("/posts/1");
    }

    /** As above, with the table read whole by another page already: the write's table key alone missed the row. */
    @Test
    void aTransactionalWriteInFlightWhenAColumnIsFirstPinnedPurgesThePageThoughTheTableWasTracked() {
        roan.track("/search", () -> dsl.select(TITLE).from(POST).where(TITLE.like("Z%")).fetch());
        tx.required(() -> {
            dsl.update(POST).set(TITLE, "A2").where(ID.eq(1L)).execute();
            assertThat(renderedMeanwhile(1)).isEqualTo("A");
        });

        assertPurged("/posts/1", "/search");
    }

    /** A jOOQ transaction inside {@code @Transactional}: its "commit" releases a savepoint; the real one comes later. */
    @Test
    void aJooqTransactionInsideTransactionalOwesThePinsMadeUntilTheOuterCommit() {
        tx.required(() -> {
            dsl.transaction(inner -> inner.dsl().update(POST).set(TITLE, "A2").where(ID.eq(1L)).execute());
            assertThat(renderedMeanwhile(1)).isEqualTo("A");
        });

        assertPurged("/posts/1");
    }

    @Test
    void aRolledBackTransactionPurgesNothing() {
        try {
            tx.required(() -> {
                dsl.update(POST).set(TITLE, "A2").where(ID.eq(1L)).execute();
                assertThat(renderedMeanwhile(1)).isEqualTo("A");
                throw new IllegalStateException("roll back (test)");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }

        assertPurged();
    }

    /** Durable mode: the keys go to the outbox rows the boundary has Roan write just before the commit. */
    @Test
    void inDurableModeTheKeysOwedAtTheCommitGoThroughTheOutbox() {
        try (PurgeServer durableCache = new PurgeServer();
                Roan durable = Roan.builder().purgeUrl(durableCache.purgeUrl())
                        .transactionBoundary(new SpringTransactionBoundary()).outbox(dataSource).build()) {
            DataSourceTransactionManager transactionManager = new DataSourceTransactionManager(dataSource);
            DefaultConfiguration configuration = new DefaultConfiguration();
            configuration.set(new DataSourceConnectionProvider(new TransactionAwareDataSourceProxy(dataSource)));
            configuration.set(new SpringTransactionProvider(transactionManager));
            configuration.set(SQLDialect.H2);
            DSLContext durableDsl = DSL.using(durable.attach(configuration));
            new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
                durableDsl.update(POST).set(TITLE, "A2").where(ID.eq(1L)).execute();
                String seen = CompletableFuture.supplyAsync(() -> durable.track("/posts/1",
                        () -> durableDsl.select(TITLE).from(POST).where(ID.eq(1L)).fetchOne(TITLE))).join();
                assertThat(seen).isEqualTo("A");
            });

            assertThat(durable.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(durableCache.paths()).containsExactly("/posts/1");
        }
    }
}
