package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.roan.testkit.PurgeServer;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Roan#purgeAfterCommit} and {@link Roan#awaitPurges} on a real PostgreSQL, in memory and in durable mode
 * (skipped without PostgreSQL, failing under CI). The purge endpoint holds its answer to paths starting with
 * {@code /held} until the test releases them.
 */
class ReadYourWritesPostgresTest {

    @RegisterExtension
    static final ServerDb SERVER = ServerDb.postgres("roan_read_your_writes_test");
    private static final Table<Record> ITEM = DSL.table(DSL.name("item"));
    private static final Duration SHORT = Duration.ofMillis(200);

    @RegisterExtension
    final HeldAnswers held = new HeldAnswers("/held");
    private final List<Roan> roans = new ArrayList<>();
    private DataSource dataSource;
    private PurgeServer cache;

    @BeforeEach
    void setUp() throws SQLException {
        dataSource = SERVER.db().dataSource();
        execute("DROP TABLE IF EXISTS item");
        execute("DROP TABLE IF EXISTS roan_outbox");
        execute("CREATE TABLE item (id BIGINT PRIMARY KEY, name VARCHAR(100))");
        execute("INSERT INTO item VALUES (1, 'one')");
        cache = new PurgeServer().respond(held);
    }

    @AfterEach
    void tearDown() {
        held.release();
        roans.forEach(Roan::close);
        cache.close();
    }

    private Roan roan(boolean durable) {
        Roan.Builder builder = Roan.builder().purgeUrl(cache.purgeUrl()).closeTimeout(Duration.ofMillis(200));
        Roan roan = (durable ? builder.outbox(dataSource) : builder).build();
        roans.add(roan);
        roan.purge("/held/items").onWrite(ITEM);
        assertThat(roan.awaitPurges(Duration.ZERO)).as("tracking on").isTrue();
        return roan;
    }

    private DSLContext dsl(Roan roan) {
        return DSL.using(roan.attach(DSL.using(dataSource, SQLDialect.POSTGRES).configuration()));
    }

    private static void rename(DSLContext dsl, String name) {
        dsl.update(ITEM).set(DSL.field(DSL.name("name"), String.class), name)
                .where(DSL.field(DSL.name("id"), Long.class).eq(1L)).execute();
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private long outboxRows() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM roan_outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aTransactionsPurgesByHandAreWaitedForAfterItsCommit() {
        Roan roan = roan(false);
        DSLContext dsl = dsl(roan);

        dsl.transaction(tx -> {
            rename(tx.dsl(), "two");
            roan.purgeAfterCommit("/held/owners/6");
            assertThat(cache.count()).as("purges sent before the commit").isZero();
        });
        assertThat(roan.awaitPurges(SHORT)).as("while the cache holds its answers").isFalse();

        dsl.transaction(tx -> {
            rename(tx.dsl(), "three");
            roan.purgeAfterCommit("/held/owners/6");
        });
        held.release();
        assertThat(roan.awaitPurges(Waits.DELIVERY)).as("once answered").isTrue();
        assertThat(cache.paths()).contains("/held/items", "/held/owners/6");
    }

    @Test
    void aRolledBackTransactionOwesNothing() {
        Roan roan = roan(false);
        DSLContext dsl = dsl(roan);

        assertThatThrownBy(() -> dsl.transaction(tx -> {
            rename(tx.dsl(), "two");
            roan.purgeAfterCommit("/held/owners/6");
            throw new IllegalStateException("rollback");
        })).hasMessageContaining("rollback");

        assertThat(roan.awaitPurges(Duration.ZERO)).isTrue();
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.count()).as("purges").isZero();
    }

    @Test
    void durableByHandOutsideATransactionWritesItsRowFirstAndIsWaitedFor() throws Exception {
        Roan roan = roan(true);
        long before = roan.outbox().rowsWritten();

        roan.purgeAfterCommit("/held/owners/6");

        assertThat(roan.outbox().rowsWritten() - before).as("rows written, committed on their own").isOne();
        assertThat(outboxRows()).as("the row, seen by another connection while its purge is held").isOne();
        assertThat(roan.awaitPurges(SHORT)).as("while the cache holds its answer").isFalse();
        roan.purgeAfterCommit("/held/owners/7");
        held.release();
        assertThat(roan.awaitPurges(Waits.DELIVERY)).as("once answered").isTrue();
        long deadline = System.nanoTime() + Waits.DELIVERY.toNanos();
        while (outboxRows() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(outboxRows()).as("rows deleted once delivered").isZero();
    }

    @Test
    void durableByHandInATransactionIsWrittenWithItsRowsAndWaitedFor() throws Exception {
        Roan roan = roan(true);
        DSLContext dsl = dsl(roan);
        long before = roan.outbox().rowsWritten();

        dsl.transaction(tx -> {
            rename(tx.dsl(), "two");
            roan.purgeAfterCommit("/owners/6");
        });

        assertThat(roan.outbox().rowsWritten() - before).as("one row per path, in the transaction").isEqualTo(2);
        assertThat(roan.awaitPurges(SHORT)).as("/held/items is held").isFalse();
        dsl.transaction(tx -> roan.purgeAfterCommit("/owners/7"));
        held.release();
        assertThat(roan.awaitPurges(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).contains("/held/items", "/owners/6", "/owners/7");
    }
}
