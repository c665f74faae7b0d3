package dev.roan.jooq;

import java.util.function.Function;

import org.jooq.SQLDialect;

/**
 * The databases whose SQL Roan writes by hand for its own tables (the outbox, the shared page index): PostgreSQL (and
 * YugabyteDB), MariaDB/MySQL, H2.
 */
enum SqlFamily {
    POSTGRES, MYSQL, H2;

    /**
     * The family of {@code dialect}; {@code unsupported} turns the database's name into the message that says what to
     * do on a database Roan's table does not support, which each table words for itself.
     */
    static SqlFamily of(SQLDialect dialect, Function<String, String> unsupported) {
        if (dialect == null) {
            throw new IllegalArgumentException("dialect is null: pass SQLDialect.POSTGRES, MARIADB, MYSQL or H2");
        }
        switch (dialect.family()) {
            case POSTGRES:
            case YUGABYTEDB:
                return POSTGRES;
            case MARIADB:
            case MYSQL:
                return MYSQL;
            case H2:
                return H2;
            default:
                throw new IllegalArgumentException(unsupported.apply(dialect.getName()));
        }
    }

    /**
     * The name of an index of {@code table}: the table's name without its schema plus {@code suffix}; H2 and
     * PostgreSQL put an index in its table's schema, H2 only when the name says so.
     */
    String indexName(String table, String suffix) {
        int dot = table.indexOf('.');
        String name = table.substring(dot + 1) + suffix;
        return this == H2 && dot != -1 ? table.substring(0, dot + 1) + name : name;
    }
}
