package dev.roan.jooq;

import java.util.UUID;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.jooq.SQLDialect;

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
}
