package dev.roan.jooq;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

import org.jooq.Configuration;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL with the test schema ({@code schema.sql}) for one test class, on a {@link ServerDb}: started by
 * the first test's set-up, emptied and refilled before each test, stopped after the class. Register it as a static
 * {@code @RegisterExtension} field.
 *
 * <p>The generated test tables carry H2's upper-case names; rendered unquoted and without a schema
 * ({@link #NAMES}), PostgreSQL folds them to the lower-case tables that {@code schema.sql} creates.
 */
final class SchemaPostgres implements AfterAllCallback {

    static final Settings NAMES = new Settings()
            .withRenderQuotedNames(RenderQuotedNames.NEVER)
            .withRenderSchema(false);

    private final ServerDb server;
    private String schema;

    SchemaPostgres(String database) {
        this.server = ServerDb.postgres(database);
    }

    /** Starts the server if this is the first test, then recreates the schema and runs {@code rows} (SQL). */
    synchronized void reset(String rows) throws SQLException {
        if (schema == null) {
            schema = TestDb.script("/schema.sql");
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
            s.execute(schema);
            if (!rows.isEmpty()) {
                s.execute(rows);
            }
        }
    }

    /** A connection of its own, not attached to Roan: what another reader or writer sees. */
    Connection connect() throws SQLException {
        return server.db().connect();
    }

    /** The application's configuration before Roan. */
    Configuration configuration() {
        return configuration(server.db().dataSource());
    }

    /** The application's configuration before Roan, on {@code dataSource} wrapping this database's own. */
    Configuration configuration(UnaryOperator<DataSource> dataSource) {
        return configuration(dataSource.apply(server.db().dataSource()));
    }

    private static Configuration configuration(DataSource dataSource) {
        return DSL.using(dataSource, SQLDialect.POSTGRES, NAMES).configuration();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }
}
