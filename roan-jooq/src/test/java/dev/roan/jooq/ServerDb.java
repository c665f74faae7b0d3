package dev.roan.jooq;

import java.util.function.Function;
import java.util.function.Supplier;

import dev.roan.testkit.MariaDb;
import dev.roan.testkit.Postgres;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL or MariaDB with one empty database, for one test class. It starts on the first call of
 * {@link #db()}, in a test's set-up rather than in {@code @BeforeAll}: a missing program then marks each test skipped
 * with the reason, where Surefire would report a skipped {@code @BeforeAll} as "Tests run: 0" and no reason. It stops
 * after the class's tests:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ServerDb SERVER = ServerDb.postgres("roan_something_test");
 * }</pre>
 */
final class ServerDb implements AfterAllCallback, AutoCloseable {

    /** A started server: how to stop it, its database, and how to create another one on it. */
    record Started(Runnable stop, OutboxDb db, Function<String, OutboxDb> create) {}

    private final Supplier<Started> start;
    private String schema;
    private Started started;
    /** Why the server would not start: later tests fail (or are skipped) at once with it, not after a retry each. */
    private RuntimeException startFailure;

    /** A server {@code start} starts; for {@link ServerDbTest}, which needs none. */
    ServerDb(Supplier<Started> start) {
        this.start = start;
    }

    /** A PostgreSQL with a database of this name. */
    static ServerDb postgres(String database) {
        return new ServerDb(() -> {
            Postgres server = Postgres.start();
            return started(server::close, database, name -> new OutboxDb(SQLDialect.POSTGRES,
                    server.createDatabase(name), server.user(), server.password()));
        });
    }

    /** A MariaDB with a database of this name. */
    static ServerDb mariaDb(String database) {
        return new ServerDb(() -> {
            MariaDb server = MariaDb.start();
            return started(server::close, database, name -> new OutboxDb(SQLDialect.MARIADB,
                    server.createDatabase(name), server.user(), server.password()));
        });
    }

    /** The server stopped again when its database cannot be made, so that no test leaves a process behind. */
    private static Started started(Runnable stop, String database, Function<String, OutboxDb> create) {
        try {
            return new Started(stop, create.apply(database), create);
        } catch (RuntimeException e) {
            stop.run();
            throw e;
        }
    }

    /** Runs the statements of a resource, such as {@code "/schema-mariadb.sql"}, once, when the server starts. */
    ServerDb schema(String resource) {
        this.schema = resource;
        return this;
    }

    /** The database, the server started if this is the first call: its URL, user and password. */
    synchronized OutboxDb db() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (started == null) {
            try {
                Started server = start.get();
                try {
                    if (schema != null) {
                        server.db().execute(TestDb.script(schema));
                    }
                } catch (RuntimeException e) {
                    server.stop().run();
                    throw e;
                }
                started = server;
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return started.db();
    }

    /** Another empty database on the same server, started if need be, such as one per test. */
    synchronized OutboxDb database(String name) {
        db();
        return started.create().apply(name);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public synchronized void close() {
        if (started != null) {
            started.stop().run();
            started = null;
        }
    }
}
