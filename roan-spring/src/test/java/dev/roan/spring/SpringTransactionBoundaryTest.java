package dev.roan.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import dev.roan.testkit.PurgeServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.roan.jooq.Roan;
import org.h2.jdbcx.JdbcDataSource;
import org.jooq.DSLContext;
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
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring-managed transactions in a real Spring context, wired as Spring Boot wires jOOQ: a
 * {@code DataSourceTransactionManager}, jOOQ on a {@code TransactionAwareDataSourceProxy} with Boot's
 * {@code SpringTransactionProvider}, Roan attached with a {@link SpringTransactionBoundary}.
 */
class SpringTransactionBoundaryTest {

    private static final Table<?> POST = table("post");
    private static final Table<?> COMMENT = table("comment");

    /** A service bean: runs work in Spring transactions of each kind. */
    static class Transactions {
        @Transactional
        public void required(Runnable work) {
            work.run();
        }

        @Transactional(readOnly = true)
        public <T> T readOnly(Supplier<T> work) {
            return work.get();
        }

        @Transactional(propagation = Propagation.REQUIRES_NEW)
        public void requiresNew(Runnable work) {
            work.run();
        }

        @Transactional(propagation = Propagation.NESTED)
        public void nested(Runnable work) {
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
            Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).transactionBoundary(new SpringTransactionBoundary())
                    .build();
            roan.purge("/posts").onWrite(POST);
            roan.purge("/comments").onWrite(COMMENT);
            return roan;
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
        TransactionTemplate transactionTemplate(PlatformTransactionManager transactionManager) {
            return new TransactionTemplate(transactionManager);
        }

        @Bean
        Transactions transactions() {
            return new Transactions();
        }
    }

    /** The commit of a transaction fails in the database: its outcome is unknown to Spring. */
    static final class FailingCommit extends DataSourceTransactionManager {
        FailingCommit(DataSource dataSource) {
            super(dataSource);
        }

        @Override
        protected void doCommit(DefaultTransactionStatus status) {
            throw new TransactionSystemException("commit failed (test)");
        }
    }

    private final String url = "jdbc:h2:mem:roan-spring-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private Connection keepAlive;
    private PurgeServer cache;
    private AnnotationConfigApplicationContext context;
    private JdbcDataSource dataSource;
    private Roan roan;
    private DSLContext dsl;
    private Transactions tx;

    @BeforeEach
    void setUp() throws Exception {
        keepAlive = DriverManager.getConnection(url);
        keepAlive.createStatement().execute("create table post (id bigint generated by default as identity primary key,"
                + " slug varchar(200) not null unique, title varchar(200) not null);"
                + " create table comment (id bigint generated by default as identity primary key,"
                + " body varchar(1000) not null)");
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

    private void insertPost(DSLContext ctx, String slug) {
        ctx.insertInto(POST).columns(field("slug"), field("title")).values(slug, slug).execute();
    }

    private void insertPost(String slug) {
        insertPost(dsl, slug);
    }

    private void insertComment(String body) {
        dsl.insertInto(COMMENT).columns(field("body")).values(body).execute();
    }

    /** Rows a separate connection sees: what a reader filling the cache right after the purge would read. */
    private int rows(String table) {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement s = c.prepareStatement("select count(*) from " + table);
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Inside a transaction: nothing may have been purged yet, even once Roan has sent all it was asked to. */
    private void assertNothingPurgedYet() {
        assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(cache.paths()).as("purges sent before the commit").isEmpty();
    }

    /** After the work: exactly these purges, once each. */
    private void assertPurged(String... paths) {
        assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(cache.paths()).as("purges sent").containsExactlyInAnyOrder(paths);
    }

    private static RuntimeException rollback() {
        return new IllegalStateException("roll back (test)");
    }

    @Test
    void transactionalCommitIsPurgedAfterTheCommit() throws Exception {
        cache.onArrival(path -> rows("post"));
        List<String> purgedBeforeCommit = new ArrayList<>();
        tx.required(() -> {
            insertPost("hello");
            assertNothingPurgedYet();
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCompletion() {
                    // The last moment before the database commits.
                    roan.flush(Duration.ofSeconds(5));
                    purgedBeforeCommit.addAll(cache.paths());
                }
            });
        });
        assertThat(purgedBeforeCommit).as("purges sent before the database commit").isEmpty();
        PurgeServer.Request request = cache.take();
        assertThat(request.path()).isEqualTo("/posts");
        assertThat(request.observed()).as("rows a separate connection sees when the purge arrives").isEqualTo(1);
        assertPurged("/posts");
    }

    @Test
    void transactionalRollbackPurgesNothing() throws Exception {
        assertThatThrownBy(() -> tx.required(() -> {
            insertPost("rolled back");
            throw rollback();
        })).hasMessageContaining("roll back");
        insertComment("auto-commit, after the rollback");
        assertThat(cache.take().path()).as("the first purge").isEqualTo("/comments");
        assertPurged("/comments");
        assertThat(rows("post")).isZero();
    }

    @Test
    void readOnlyTransactionHoldsItsWritesUntilItsCommitToo() throws Exception {
        assertThat(tx.readOnly(() -> dsl.fetchCount(POST))).isZero();
        assertPurged();
        int count = tx.readOnly(() -> {
            insertPost("written in a read-only transaction");
            assertNothingPurgedYet();
            return dsl.fetchCount(POST);
        });
        assertThat(count).isOne();
        assertThat(cache.take().path()).isEqualTo("/posts");
        assertPurged("/posts");
    }

    @Test
    void requiresNewInnerCommitIsPurgedEvenWhenTheOuterRollsBack() throws Exception {
        cache.onArrival(path -> rows("comment"));
        assertThatThrownBy(() -> tx.required(() -> {
            insertPost("outer");
            tx.requiresNew(() -> insertComment("inner"));
            PurgeServer.Request inner;
            try {
                inner = cache.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            assertThat(inner.path()).as("purged at the inner commit, before the outer one").isEqualTo("/comments");
            assertThat(inner.observed()).as("inner rows a separate connection sees").isEqualTo(1);
            throw rollback();
        })).hasMessageContaining("roll back");
        assertPurged("/comments");
        assertThat(rows("post")).isZero();
    }

    @Test
    void requiresNewInnerCommitDoesNotTakeTheOuterWrites() throws Exception {
        tx.required(() -> {
            insertPost("outer");
            tx.requiresNew(() -> insertComment("inner"));
            assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(cache.paths()).as("purged at the inner commit").containsExactly("/comments");
            insertPost("outer, after the inner transaction");
        });
        assertPurged("/comments", "/posts");
    }

    @Test
    void nestedRollbackDropsOnlyItsOwnWrites() {
        tx.required(() -> {
            insertPost("before the savepoint");
            assertThatThrownBy(() -> tx.nested(() -> {
                insertComment("rolled back to the savepoint");
                throw rollback();
            })).hasMessageContaining("roll back");
            assertNothingPurgedYet();
        });
        assertPurged("/posts");
        assertThat(rows("comment")).isZero();
    }

    @Test
    void nestedRollbackOfTheTransactionsFirstWriteDropsIt() {
        tx.required(() -> {
            assertThatThrownBy(() -> tx.nested(() -> {
                insertComment("rolled back to a savepoint older than any held purge");
                throw rollback();
            })).hasMessageContaining("roll back");
            insertPost("after the savepoint");
        });
        assertPurged("/posts");
        assertThat(rows("comment")).isZero();
    }

    @Test
    void nestedCommitIsKeptWhenALaterSavepointRollsBack() {
        tx.required(() -> {
            tx.nested(() -> insertComment("committed savepoint"));
            assertThatThrownBy(() -> tx.nested(() -> {
                insertPost("rolled back to the second savepoint");
                throw rollback();
            })).hasMessageContaining("roll back");
            assertNothingPurgedYet();
        });
        assertPurged("/comments");
        assertThat(rows("comment")).isOne();
        assertThat(rows("post")).isZero();
    }

    @Test
    void transactionTemplateIsPurgedAfterItsCommitAndNotAfterItsRollback() throws Exception {
        TransactionTemplate template = context.getBean(TransactionTemplate.class);
        cache.onArrival(path -> rows("post"));
        template.executeWithoutResult(status -> {
            insertPost("template");
            assertNothingPurgedYet();
        });
        PurgeServer.Request request = cache.take();
        assertThat(request.path()).isEqualTo("/posts");
        assertThat(request.observed()).isEqualTo(1);
        template.executeWithoutResult(status -> {
            insertComment("rolled back");
            status.setRollbackOnly();
        });
        assertPurged("/posts");
        assertThat(rows("comment")).isZero();
    }

    @Test
    void fiftyWritesInOneTransactionSendOnePurgePerPath() {
        // Slow answers keep a purge in flight, so that a path handed over again would be sent again.
        cache.delay(Duration.ofMillis(200));
        tx.required(() -> {
            for (int i = 0; i < 50; i++) {
                insertPost("post " + i);
                insertComment("comment " + i);
            }
        });
        assertPurged("/posts", "/comments");
        assertThat(rows("post")).isEqualTo(50);
    }

    @Test
    void jooqTransactionsInsideTransactionalArePurgedOnceAfterTheOuterCommit() throws Exception {
        cache.onArrival(path -> rows("post"));
        tx.required(() -> {
            dsl.transaction(c -> insertPost(DSL.using(c), "first jOOQ transaction"));
            dsl.transaction(c -> insertPost(DSL.using(c), "second jOOQ transaction"));
            assertNothingPurgedYet();
        });
        PurgeServer.Request request = cache.take();
        assertThat(request.path()).isEqualTo("/posts");
        assertThat(request.observed()).as("rows a separate connection sees when the purge arrives").isEqualTo(2);
        assertPurged("/posts");
    }

    @Test
    void jooqTransactionOnItsOwnIsPurgedAfterItsCommit() throws Exception {
        cache.onArrival(path -> rows("post"));
        dsl.transaction(c -> insertPost(DSL.using(c), "jOOQ, Spring underneath"));
        PurgeServer.Request request = cache.take();
        assertThat(request.path()).isEqualTo("/posts");
        assertThat(request.observed()).isEqualTo(1);
        assertPurged("/posts");
    }

    @Test
    void commitOfUnknownOutcomeIsPurgedAnyway() throws Exception {
        TransactionTemplate failing = new TransactionTemplate(new FailingCommit(dataSource));
        assertThatThrownBy(() -> failing.executeWithoutResult(status -> insertPost("maybe committed")))
                .isInstanceOf(TransactionSystemException.class);
        assertThat(cache.take().path()).isEqualTo("/posts");
    }

    @Test
    void holdsNothingOutsideSpringTransactions() {
        SpringTransactionBoundary boundary = new SpringTransactionBoundary();
        assertThat(boundary.hold(Set.of("/posts"), paths -> { })).isFalse();
    }

    @Test
    void aFailingReleaseNeverReachesTheCommittingCode() {
        SpringTransactionBoundary boundary = new SpringTransactionBoundary();
        TransactionTemplate template = context.getBean(TransactionTemplate.class);
        boolean[] held = new boolean[1];
        boolean[] called = new boolean[1];
        template.executeWithoutResult(status -> held[0] = boundary.hold(Set.of("/posts"), paths -> {
            called[0] = true;
            throw new IllegalStateException("release broken (test)");
        }));
        assertThat(held[0]).as("held in the transaction").isTrue();
        assertThat(called[0]).as("released after the commit").isTrue();
    }
}
