package dev.roan.jooq;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import dev.roan.testkit.Postgres;
import org.jooq.Configuration;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL with the test schema ({@code schema.sql}) for one test class: started by the first test's set-up
 * rather than in {@code @BeforeAll} (a missing PostgreSQL then marks each test skipped with the reason, where
 * Surefire would report a skipped {@code @BeforeAll} as "Tests run: 0" and no reason), emptied and refilled before
 * each test, stopped by the class's {@code @AfterAll}.
 *
 * <p>The generated test tables carry H2's upper-case names; rendered unquoted and without a schema
 * ({@link #NAMES}), PostgreSQL folds them to the lower-case tables that {@code schema.sql} creates.
 */
final class SchemaPostgres implements AutoCloseable {

    static final Settings NAMES = new Settings()
            .withRenderQuotedNames(RenderQuotedNames.NEVER)
            .withRenderSchema(false);

    private final String database;
    private Postgres postgres;
    private String url;
    private String schema;

    SchemaPostgres(String database) {
        this.database = database;
    }

    /** Starts the server if this is the first test, then recreates the schema and runs {@code rows} (SQL). */
    synchronized void reset(String rows) throws IOException, SQLException {
        if (postgres == null) {
            Postgres started = Postgres.start();
            try (InputStream in = SchemaPostgres.class.getResourceAsStream("/schema.sql")) {
                schema = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                url = started.createDatabase(database);
            } catch (IOException | RuntimeException e) {
                started.close();
                throw e;
            }
            postgres = started;
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
        return postgres.connect(database);
    }

    /** The application's configuration before Roan. */
    Configuration configuration() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setUser(postgres.user());
        dataSource.setPassword(postgres.password());
        return DSL.using(dataSource, SQLDialect.POSTGRES, NAMES).configuration();
    }

    @Override
    public synchronized void close() {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }
}
