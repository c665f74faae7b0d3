package dev.roan.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import dev.roan.testkit.PurgeServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import javax.sql.DataSource;

import dev.roan.jooq.Roan;
import org.h2.jdbcx.JdbcDataSource;
import org.jooq.DSLContext;
import org.jooq.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Durable mode in Spring-managed transactions, wired as Spring Boot wires jOOQ: the boundary has Roan write the
 * transaction's outbox rows in {@code beforeCommit}, on the transaction's connection.
 */
class SpringDurableModeTest {

    private static final Table<?> POST = table("post");
    private static final Table<?> COMMENT = table("comment");

    private final List<String> inserts = new ArrayList<>();
    private DataSource raw;
    private DataSource counting;
    private PurgeServer down;
    private Roan roan;
    private DSLContext dsl;
    private TransactionTemplate template;

    @BeforeEach
    void setUp() throws SQLException {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:spring-outbox-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        raw = h2;
        counting = countingInserts(h2);
        try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE post (id BIGINT PRIMARY KEY)");
            s.execute("CREATE TABLE comment (id BIGINT PRIMARY KEY)");
        }
        down = new PurgeServer().respond(path -> PurgeServer.Answer.status(503));
        roan = Roan.builder().purgeUrl(down.purgeUrl()).transactionBoundary(new SpringTransactionBoundary())
                .outbox(counting).closeTimeout(Duration.ZERO).build();
        roan.purge("/posts").onWrite(POST);
        roan.purge("/comments").onWrite(COMMENT);
        DataSourceTransactionManager transactionManager = new DataSourceTransactionManager(counting);
        dsl = SpringSite.jooq(counting, transactionManager, roan);
        template = new TransactionTemplate(transactionManager);
        inserts.clear();
    }

    @AfterEach
    void tearDown() {
        roan.close();
        down.close();
    }

    /** Counts the outbox's INSERTs, whichever connection they run on. */
    private DataSource countingInserts(DataSource target) {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = call(target, method, args);
                    if (!(result instanceof Connection c)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("prepareStatement") && a[0] instanceof String sql
                                        && sql.toUpperCase(Locale.ROOT).startsWith("INSERT INTO ROAN_OUTBOX")) {
                                    inserts.add(sql);
                                }
                                return call(c, m, a);
                            });
                });
    }

    private static Object call(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private List<String> rows() throws SQLException {
        List<String> paths = new ArrayList<>();
        try (Connection c = raw.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT aggregateid FROM roan_outbox ORDER BY aggregateid")) {
            while (rs.next()) {
                paths.add(rs.getString(1));
            }
        }
        return paths;
    }

    @Test
    void springTransactionWritesItsRowsOnItsConnectionJustBeforeTheCommitInOneInsert() throws SQLException {
        List<Integer> seenByTransaction = new ArrayList<>();
        List<Integer> seenByOthers = new ArrayList<>();
        template.executeWithoutResult(status -> {
            dsl.insertInto(POST).columns(field("id")).values(1L).execute();
            dsl.insertInto(COMMENT).columns(field("id")).values(1L).execute();
            dsl.insertInto(POST).columns(field("id")).values(2L).execute();
            // Registered after Roan's holder, so its beforeCommit runs after Roan's write.
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCommit(boolean readOnly) {
                    Connection tx = DataSourceUtils.getConnection(counting);
                    seenByTransaction.add(count(tx));
                    try (Connection other = raw.getConnection()) {
                        seenByOthers.add(count(other));
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
        });

        assertThat(inserts).as("one INSERT for the transaction").hasSize(1);
        assertThat(seenByTransaction).as("the rows are in the transaction before it commits").containsExactly(2);
        assertThat(seenByOthers).as("and in no other").containsExactly(0);
        assertThat(rows()).containsExactly("/comments", "/posts");
    }

    private static int count(Connection c) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM roan_outbox")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aPurgeByHandIsWrittenWithTheTransactionsRows() throws SQLException {
        template.executeWithoutResult(status -> {
            dsl.insertInto(POST).columns(field("id")).values(1L).execute();
            roan.purgeAfterCommit("/owners/6");
        });

        assertThat(inserts).as("one INSERT for the transaction").hasSize(1);
        assertThat(rows()).containsExactly("/owners/6", "/posts");
    }

    @Test
    void aPurgeByHandOutsideATransactionIsWrittenAtOnce() throws SQLException {
        roan.purgeAfterCommit("/owners/6");

        assertThat(inserts).hasSize(1);
        assertThat(rows()).containsExactly("/owners/6");
    }

    @Test
    void rolledBackSpringTransactionLeavesNoRow() throws SQLException {
        assertThatThrownBy(() -> template.executeWithoutResult(status -> {
            dsl.insertInto(POST).columns(field("id")).values(1L).execute();
            throw new IllegalStateException("roll back");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(inserts).isEmpty();
        assertThat(rows()).isEmpty();
    }

    @Test
    void jooqTransactionsInsideASpringTransactionWriteOnceAtSpringsCommit() throws SQLException {
        template.executeWithoutResult(status -> {
            dsl.transaction(tx -> tx.dsl().insertInto(POST).columns(field("id")).values(1L).execute());
            dsl.transaction(tx -> tx.dsl().insertInto(COMMENT).columns(field("id")).values(1L).execute());
            assertThat(inserts).as("nothing written at the jOOQ commits, which release savepoints").isEmpty();
        });

        assertThat(inserts).hasSize(1);
        assertThat(rows()).containsExactly("/comments", "/posts");
    }

    @Test
    void jooqTransactionOnItsOwnThroughSpringsProviderWritesAtItsCommit() throws SQLException {
        dsl.transaction(tx -> tx.dsl().insertInto(POST).columns(field("id")).values(1L).execute());

        assertThat(inserts).hasSize(1);
        assertThat(rows()).containsExactly("/posts");
    }

    @Test
    void failingOutboxWriteRollsTheSpringTransactionBack() throws SQLException {
        try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE roan_outbox");
        }

        assertThatThrownBy(() -> template.executeWithoutResult(
                status -> dsl.insertInto(POST).columns(field("id")).values(1L).execute()))
                .hasMessageContaining("roan_outbox");

        try (Connection c = raw.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM post")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the write did not commit without its outbox row").isZero();
        }
    }
}
