package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.UUID;

import dev.roan.testkit.PurgeServer;
import org.h2.jdbcx.JdbcDataSource;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MariaDB and MySQL commit the open transaction before any DDL, TRUNCATE included: what the transaction wrote until then
 * is committed, so Roan purges it then. H2 in MariaDB mode commits before DDL too, and stands in for MariaDB here
 * ({@code MariaDbTest} proves it on a real one).
 */
class DdlCommitTest {

    private static final Table<Record> ITEM = DSL.table(DSL.name("item"));
    private static final Field<Long> ID = DSL.field(DSL.name("id"), SQLDataType.BIGINT);
    private static final Field<String> NAME = DSL.field(DSL.name("name"), SQLDataType.VARCHAR);

    private final PurgeServer cache = new PurgeServer();
    private final Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).closeTimeout(Duration.ofMillis(200)).build();
    private final JdbcDataSource dataSource = new JdbcDataSource();

    DdlCommitTest() {
        dataSource.setURL("jdbc:h2:mem:ddl-" + UUID.randomUUID() + ";MODE=MariaDB;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        roan.purge("/items").onWrite(ITEM);
    }

    @AfterEach
    void close() {
        roan.close();
        cache.close();
    }

    private DSLContext dsl(SQLDialect dialect) {
        DSLContext dsl = DSL.using(roan.attach(DSL.using(dataSource, dialect).configuration()));
        dsl.execute("CREATE TABLE IF NOT EXISTS item (id BIGINT PRIMARY KEY, name VARCHAR(100))");
        dsl.execute("DELETE FROM item");
        dsl.insertInto(ITEM, ID, NAME).values(1L, "one").execute();
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        cache.clear();
        return dsl;
    }

    private void update(DSLContext tx) {
        tx.update(ITEM).set(NAME, "two").where(ID.eq(1L)).execute();
    }

    @Test
    void aDdlStatementInATransactionOnMariaDbPurgesWhatTheTransactionWroteBeforeIt() {
        DSLContext dsl = dsl(SQLDialect.MARIADB);

        assertThatThrownBy(() -> dsl.transaction(c -> {
            update(DSL.using(c));
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.paths()).as("held until the commit").isEmpty();

            DSL.using(c).createTable("other").column("id", SQLDataType.BIGINT).execute();
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.paths()).as("committed by the DDL").containsExactly("/items");
            throw new IllegalStateException("roll back what follows");
        })).hasMessageContaining("roll back");
    }

    @Test
    void truncateWrittenAsPlainSqlCommitsToo() {
        DSLContext dsl = dsl(SQLDialect.MARIADB);

        dsl.execute("CREATE TABLE IF NOT EXISTS log (id BIGINT)");

        dsl.transaction(c -> {
            update(DSL.using(c));
            DSL.using(c).execute("TRUNCATE TABLE log");
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.paths()).as("committed by the TRUNCATE").containsExactly("/items");
        });
    }

    @Test
    void aStatementThatIsNotDdlCommitsNothing() {
        DSLContext dsl = dsl(SQLDialect.MARIADB);

        dsl.transaction(c -> {
            update(DSL.using(c));
            DSL.using(c).execute("SELECT 1");
            DSL.using(c).fetch(DSL.selectOne());
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.paths()).as("held until the commit").isEmpty();
        });
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).containsExactly("/items");
    }

    @Test
    void onOtherDatabasesDdlLeavesThePurgesHeldUntilTheCommit() {
        DSLContext dsl = dsl(SQLDialect.H2);

        dsl.transaction(c -> {
            update(DSL.using(c));
            DSL.using(c).execute("CREATE TABLE IF NOT EXISTS other (id BIGINT)");
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.paths()).as("held until the commit").isEmpty();
        });
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).containsExactly("/items");
    }
}
