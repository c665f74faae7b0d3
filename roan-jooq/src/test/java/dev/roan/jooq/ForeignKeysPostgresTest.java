package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Level;
import javax.sql.DataSource;

import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ForeignKeys} on a real PostgreSQL, which aborts a transaction at its first failed statement: a read of the
 * foreign keys that fails in the database must leave the writer's transaction usable.
 */
class ForeignKeysPostgresTest {

    @RegisterExtension
    static final SchemaPostgres DB = new SchemaPostgres("roan_foreign_keys_test");

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture()
            .database(() -> DB.configuration(ForeignKeysPostgresTest::failingForeignKeyReads));

    @BeforeEach
    void setUp() throws Exception {
        DB.reset("create table shelf (id bigint primary key);"
                + "create table book (id bigint primary key, shelf_id bigint references shelf (id) on delete cascade);"
                + "insert into shelf values (1), (2); insert into book values (10, 1)");
    }

    @Test
    void aFailedReadOfTheForeignKeysLeavesTheWritersTransactionToCommit() throws Exception {
        Roan roan = fixture.roan();
        DSLContext dsl = fixture.dsl();
        roan.track("/books/10", () -> dsl.fetch("select * from book where id = 10"));
        fixture.settle();

        try (LogCapture log = new LogCapture()) {
            dsl.transaction(c -> {
                c.dsl().execute("delete from shelf where id = 1");
                // Without a savepoint around Roan's failed read: "current transaction is aborted".
                c.dsl().execute("insert into shelf values (3)");
            });
            assertThat(log.messages(Level.WARNING)).singleElement().asString()
                    .contains("could not read the foreign keys referencing shelf");
        }

        try (Connection other = DB.connect(); Statement s = other.createStatement();
                ResultSet rs = s.executeQuery("select id from shelf order by id")) {
            StringBuilder ids = new StringBuilder();
            while (rs.next()) {
                ids.append(rs.getLong(1)).append(' ');
            }
            assertThat(ids).as("the writer's transaction committed").hasToString("2 3 ");
        }
        // Which tables the delete changed is unknown: every tracked table's pages.
        assertThat(fixture.purgedOnce()).containsExactly("/books/10");
    }

    /**
     * Connections whose {@link DatabaseMetaData#getExportedKeys} fails in the database, as a catalog query may (a
     * statement timeout, a cancelled query): the failing statement runs in the caller's transaction.
     */
    private static DataSource failingForeignKeyReads(DataSource real) {
        return proxy(DataSource.class, (method, args) -> {
            Object result = invoke(real, method, args);
            return result instanceof Connection c ? connection(c) : result;
        });
    }

    private static Connection connection(Connection real) {
        return proxy(Connection.class, (method, args) -> method.getName().equals("getMetaData")
                ? metaData(real.getMetaData(), real)
                : invoke(real, method, args));
    }

    private static DatabaseMetaData metaData(DatabaseMetaData real, Connection connection) {
        return proxy(DatabaseMetaData.class, (method, args) -> {
            if (method.getName().equals("getExportedKeys")) {
                try (Statement s = connection.createStatement()) {
                    s.execute("select 1 / 0");
                }
            }
            return invoke(real, method, args);
        });
    }

    /** A call on a proxy, without the proxy. */
    private interface Call {
        Object on(Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<T> type, Call call) {
        return type.cast(Proxy.newProxyInstance(ForeignKeysPostgresTest.class.getClassLoader(),
                new Class<?>[] {type}, (p, method, args) -> call.on(method, args)));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
