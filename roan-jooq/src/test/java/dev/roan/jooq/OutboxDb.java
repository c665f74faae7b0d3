package dev.roan.jooq;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.jooq.Configuration;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderNameCase;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database that several processes share, as command-line arguments a child JVM can be given: the durable-mode
 * tests' way to hand a child ({@link DurableWriter}) the database the test set up.
 */
record OutboxDb(SQLDialect dialect, String url, String user, String password) {

    /** The outbox table durable mode creates unless told otherwise. */
    static final String OUTBOX_TABLE = "roan_outbox";

    /** This database as arguments for {@link #fromArgs}. */
    List<String> args() {
        return List.of(dialect.name(), url, user, password);
    }

    static OutboxDb fromArgs(String[] args, int from) {
        return new OutboxDb(SQLDialect.valueOf(args[from]), args[from + 1], args[from + 2], args[from + 3]);
    }

    /** The application's DataSource, as a pool would hand it out. */
    DataSource dataSource() {
        try {
            return switch (dialect) {
                case H2 -> {
                    JdbcDataSource h2 = new JdbcDataSource();
                    h2.setURL(url);
                    h2.setUser(user);
                    h2.setPassword(password);
                    yield h2;
                }
                case POSTGRES -> {
                    PGSimpleDataSource pg = new PGSimpleDataSource();
                    pg.setUrl(url);
                    pg.setUser(user);
                    pg.setPassword(password);
                    yield pg;
                }
                case MARIADB -> {
                    MariaDbDataSource maria = new MariaDbDataSource(url);
                    maria.setUser(user);
                    maria.setPassword(password);
                    yield maria;
                }
                default -> throw new IllegalArgumentException("no DataSource for " + dialect);
            };
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The application's configuration before Roan. The generated test tables carry H2's upper-case names: rendered
     * unquoted, PostgreSQL and MariaDB fold them to the tables their schema files create.
     */
    Configuration configuration() {
        Settings settings = switch (dialect) {
            case H2 -> new Settings();
            case POSTGRES -> new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER).withRenderSchema(false);
            default -> new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER)
                    .withRenderNameCase(RenderNameCase.LOWER).withRenderSchema(false);
        };
        return DSL.using(dataSource(), dialect, settings).configuration();
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** Runs statements separated by semicolons, one at a time (MariaDB's driver takes one per call). */
    void execute(String script) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : script.replaceAll("(?m)^--.*$", "").split(";")) {
                if (!sql.isBlank()) {
                    s.execute(sql);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("on " + url + ": " + e.getMessage(), e);
        }
    }

    /** The rows of the outbox table, or -1 while it does not exist. */
    int outboxRows() {
        try {
            return count("select count(*) from " + OUTBOX_TABLE);
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    /** The paths the outbox table holds, one per row. */
    List<String> outboxPaths() {
        List<String> paths = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("select aggregateid from " + OUTBOX_TABLE)) {
            while (r.next()) {
                paths.add(r.getString(1));
            }
            return paths;
        } catch (SQLException e) {
            throw new IllegalStateException("no outbox table: " + e.getMessage(), e);
        }
    }

    /** The number a {@code select count(*)} query gives. */
    int count(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
