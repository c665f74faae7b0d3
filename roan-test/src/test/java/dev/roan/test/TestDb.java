package dev.roan.test;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

import dev.roan.jooq.Roan;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;

/** An H2 database in memory with one table, {@code post}, and its row 1, as a user's test would have. */
final class TestDb implements AutoCloseable {

    static final Table<Record> POST = table(name("POST"));
    static final Field<Integer> ID = field(name("POST", "ID"), Integer.class);
    static final Field<String> TITLE = field(name("POST", "TITLE"), String.class);

    private final Connection connection;

    TestDb() throws SQLException {
        connection = DriverManager.getConnection("jdbc:h2:mem:" + UUID.randomUUID() + "");
        DSL.using(connection, SQLDialect.H2)
                .execute("create table post (id int primary key, title varchar(100))");
        // Seeded without Roan: no purge. Roan purges nothing for a statement that changed no row.
        DSL.using(connection, SQLDialect.H2).execute("insert into post values (1, 'Seeded')");
    }

    /** A DSLContext whose writes Roan sees; auto-commit, so each write is purged right after it. */
    DSLContext dsl(Roan roan) {
        return DSL.using(roan.attach(new DefaultConfiguration().set(connection).set(SQLDialect.H2)));
    }

    static void rules(Roan roan) {
        roan.purge("/posts").onWrite(POST);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
