package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import dev.roan.testkit.PurgeServer;
import org.h2.jdbcx.JdbcDataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;

/** Durable mode on H2 2.x, a fresh in-memory database per test. */
class OutboxH2Test extends OutboxContract {

    @Override
    DataSource dataSource() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:outbox-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return dataSource;
    }

    @Override
    SQLDialect dialect() {
        return SQLDialect.H2;
    }

    @Test
    void rowsBeyondTheMemoryCapAreNotTrackedButLeftToTheSweep() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        PurgeServer flaky = cache().respond(path -> PurgeServer.Answer.status(down.get() ? 503 : 200));
        Roan roan = roan(builder(flaky).maxOwedPaths(5).outboxLease(Duration.ofSeconds(1))
                .outboxSweepInterval(Duration.ofMillis(200)));
        DSLContext dsl = dsl(roan);

        for (int i = 0; i < 20; i++) {
            long id = i;
            dsl.transaction(tx -> insertItem(tx.dsl(), id));
        }
        assertThat(rows()).hasSize(20);
        assertThat(roan.outbox().owedRows()).as("ids held in memory stay under the cap").isLessThanOrEqualTo(5);

        down.set(false);
        await("every row delivered and deleted, through the sweep for those not tracked", this::outboxEmpty);
        assertThat(roan.flush(WAIT)).isTrue();
    }

    @Test
    void aSweepThatFailsIsLoggedOnceUntilItWorksAgain() throws Exception {
        try (LogCapture log = new LogCapture()) {
            Roan roan = roan(builder(cache).outboxLease(Duration.ofSeconds(1))
                    .outboxSweepInterval(Duration.ofMillis(50)));
            execute("ALTER TABLE roan_outbox RENAME TO roan_outbox_away");
            Thread.sleep(500);
            assertThat(log.messages(java.util.logging.Level.WARNING)).as("ten failed sweeps, one warning")
                    .singleElement().asString().contains("could not sweep", "roan_outbox");
            execute("ALTER TABLE roan_outbox_away RENAME TO roan_outbox");
            await("sweeping again is logged", () -> log.messages(java.util.logging.Level.INFO).stream()
                    .anyMatch(m -> m.contains("sweeps its outbox table roan_outbox again")));
            assertThat(roan.flush(WAIT)).isTrue();
        }
    }
}
