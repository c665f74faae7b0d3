package dev.roan.jooq;

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

    /** A started server, how to stop it, and its database. */
    private record Started(Runnable stop, OutboxDb db) {}

    private final Supplier<Started> start;
    private Started started;

    private ServerDb(Supplier<Started> start) {
        this.start = start;
    }

    /** A PostgreSQL with a database of this name. */
    static ServerDb postgres(String database) {
        return new ServerDb(() -> {
            Postgres server = Postgres.start();
            return started(server::close, () -> new OutboxDb(SQLDialect.POSTGRES, server.createDatabase(database),
                    server.user(), server.password()));
        });
    }

    /** A MariaDB with a database of this name. */
    static ServerDb mariaDb(String database) {
        return new ServerDb(() -> {
            MariaDb server = MariaDb.start();
            return started(server::close, () -> new OutboxDb(SQLDialect.MARIADB, server.createDatabase(database),
                    server.user(), server.password()));
        });
    }

    /** The server stopped again when its database cannot be made, so that no test leaves a process behind. */
    private static Started started(Runnable stop, Supplier<OutboxDb> database) {
        try {
            return new Started(stop, database.get());
        } catch (RuntimeException e) {
            stop.run();
            throw e;
        }
    }

    /** The database, the server started if this is the first call: its URL, user and password. */
    synchronized OutboxDb db() {
        if (started == null) {
            started = start.get();
        }
        return started.db();
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
