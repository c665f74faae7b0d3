package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.h2.jdbcx.JdbcDataSource;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;

class OutboxSettingsTest {

    @Test
    void outboxOptionsAreCheckedWithMessagesThatSayTheFix() {
        Roan.Builder builder = Roan.builder();
        assertThatThrownBy(() -> builder.outbox(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("omit the call");
        assertThatThrownBy(() -> builder.outboxTable("roan outbox; drop table x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("such as \"roan_outbox\"");
        assertThatThrownBy(() -> builder.outboxTable("1st")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.outboxLease(Duration.ofMillis(500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one second");
        assertThatThrownBy(() -> builder.outboxSweepInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        builder.outboxTable("app.roan_outbox");
    }

    @Test
    void sweepIntervalMustBeShorterThanTheLease() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:settings");
        Roan.Builder builder = Roan.builder().outbox(dataSource).outboxLease(Duration.ofSeconds(10))
                .outboxSweepInterval(Duration.ofSeconds(10));
        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be shorter than outboxLease");
    }

    @Test
    void settingsShowTheOutboxOnlyInDurableMode() {
        assertThat(Roan.builder().toString()).doesNotContain("outbox");
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:settings;PASSWORD=secret");
        assertThat(Roan.builder().outbox(dataSource).toString())
                .contains("outbox=roan_outbox (created when missing)", "outboxLease=PT30S", "outboxSweepInterval=PT15S")
                .doesNotContain("secret");
    }

    @Test
    void ddlIsGivenForEachSupportedDatabaseAndRefusedForOthers() {
        assertThat(Roan.outboxDdl(SQLDialect.POSTGRES)).contains("CREATE TABLE IF NOT EXISTS roan_outbox",
                "aggregateid", "aggregatetype", "TIMESTAMP WITH TIME ZONE", "clock_timestamp()",
                "CREATE INDEX IF NOT EXISTS roan_outbox_claimed_at ON roan_outbox (claimed_at);");
        assertThat(Roan.outboxDdl(SQLDialect.MARIADB)).contains("TIMESTAMP(3)", "INDEX roan_outbox_claimed_at");
        assertThat(Roan.outboxDdl(SQLDialect.MYSQL)).isEqualTo(Roan.outboxDdl(SQLDialect.MARIADB));
        assertThat(Roan.outboxDdl(SQLDialect.H2, "app.purges"))
                .contains("CREATE TABLE IF NOT EXISTS app.purges", "CREATE INDEX IF NOT EXISTS app.purges_claimed_at");
        assertThatThrownBy(() -> Roan.outboxDdl(SQLDialect.SQLITE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SKIP LOCKED");
    }
}
