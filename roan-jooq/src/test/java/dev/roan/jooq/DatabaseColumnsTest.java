package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The columns of a table as the database's metadata knows them, whichever way the statement spelt its name, each with
 * whether it holds bytes (which no path can be filled with).
 */
class DatabaseColumnsTest {

    private Connection h2;

    @BeforeEach
    void tables() throws SQLException {
        h2 = DriverManager.getConnection("jdbc:h2:mem:columns-" + UUID.randomUUID());
        try (Statement s = h2.createStatement()) {
            s.execute("CREATE TABLE post (id BIGINT, title VARCHAR(100), data VARBINARY(100), hash BINARY(4),"
                    + " body BLOB)");
            s.execute("CREATE SCHEMA other");
            s.execute("CREATE TABLE other.post (id BIGINT, data VARCHAR(100))");
        }
    }

    @AfterEach
    void close() throws SQLException {
        h2.close();
    }

    private Map<String, Boolean> columns(String table) {
        Map<String, Boolean> columns = new HashMap<>();
        DatabaseColumns.read(h2, table, columns);
        return columns;
    }

    @Test
    void theColumnsOfATableWhicheverWayItsNameIsSpeltEachWithWhetherItHoldsBytes() {
        Map<String, Boolean> columns = columns("post");

        assertThat(columns).containsEntry("ID", false).containsEntry("TITLE", false).containsEntry("HASH", true)
                .containsEntry("BODY", true);
        assertThat(columns("POST")).isEqualTo(columns);
        assertThat(columns("\"post\"")).as("quoted").isEqualTo(columns);
        assertThat(columns("`post`")).as("quoted the MySQL way").isEqualTo(columns);
        assertThat(columns("public.post")).as("schema-qualified").isEqualTo(columns);
    }

    @Test
    void aColumnHoldsBytesOnlyIfItDoesInEveryTableOfThatName() {
        assertThat(columns("post")).as("VARBINARY here, VARCHAR in schema other").containsEntry("DATA", false);
    }

    @Test
    void nothingForATableTheMetadataDoesNotNameOrWithoutAConnection() {
        assertThat(columns("missing")).isEmpty();
        Map<String, Boolean> columns = new HashMap<>();
        DatabaseColumns.read(null, "post", columns);
        assertThat(columns).isEmpty();
    }
}
