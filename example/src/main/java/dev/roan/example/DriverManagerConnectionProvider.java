package dev.roan.example;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.jooq.ConnectionProvider;
import org.jooq.exception.DataAccessException;

/**
 * Opens a JDBC connection per statement or transaction and closes it afterwards.
 *
 * <p>Enough for an example on H2 in memory; a real application passes jOOQ a pooled {@code DataSource} instead.
 */
final class DriverManagerConnectionProvider implements ConnectionProvider {

    private final String url;
    private final String user;
    private final String password;

    DriverManagerConnectionProvider(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    @Override
    public Connection acquire() {
        try {
            return DriverManager.getConnection(url, user, password);
        } catch (SQLException e) {
            throw new DataAccessException("Cannot connect to " + url + " as " + user, e);
        }
    }

    @Override
    public void release(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new DataAccessException("Cannot close the connection to " + url, e);
        }
    }
}
