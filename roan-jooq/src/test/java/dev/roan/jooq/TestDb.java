package dev.roan.jooq;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

import org.h2.jdbcx.JdbcDataSource;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/** A fresh H2 in-memory database with the test schema, and a plain jOOQ configuration on it. */
final class TestDb implements AutoCloseable {

    final String url = "jdbc:h2:mem:roan-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    final JdbcDataSource dataSource = new JdbcDataSource();
    private final Connection keepAlive;

    TestDb() {
        dataSource.setURL(url);
        try {
            keepAlive = DriverManager.getConnection(url);
            DSL.using(keepAlive, SQLDialect.H2).execute(script("/schema.sql"));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text of a SQL script among the test resources, such as {@code "/schema-mariadb.sql"}. */
    static String script(String resource) {
        try (InputStream in = TestDb.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The application's configuration before Roan: a DataSource, auto-commit outside transactions. */
    Configuration configuration() {
        return DSL.using(dataSource, SQLDialect.H2).configuration();
    }

    /** Runs SQL (statements separated by {@code ;}, such as {@link TestRows}') on a connection of its own, not Roan's. */
    void execute(String sql) {
        onSeparateConnection(d -> d.execute(sql));
    }

    /** A DSLContext on its own connection, not attached to Roan: what another reader sees. */
    <T> T onSeparateConnection(java.util.function.Function<DSLContext, T> query) {
        try (Connection c = DriverManager.getConnection(url)) {
            return query.apply(DSL.using(c, SQLDialect.H2));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws SQLException {
        keepAlive.createStatement().execute("SHUTDOWN");
        keepAlive.close();
    }
}
