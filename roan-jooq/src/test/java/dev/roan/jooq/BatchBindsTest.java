package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.JDBCType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bind sets of a batch, as Roan keeps them from the JDBC statement it wraps: each value reaches the database
 * unchanged, and becomes the value of its column in the row the set wrote; a value bound through a setter Roan does
 * not read leaves its column unknown, never NULL.
 */
class BatchBindsTest {

    private static final Table<?> T = DSL.table(DSL.name("t"));
    private static final Field<Integer> ID = DSL.field(DSL.name("id"), SQLDataType.INTEGER);
    private static final Field<String> NAME = DSL.field(DSL.name("name"), SQLDataType.VARCHAR);
    private static final Field<String> NOTE = DSL.field(DSL.name("note"), SQLDataType.VARCHAR);

    private Connection c;
    private DSLContext dsl;

    @BeforeEach
    void table() throws SQLException {
        c = DriverManager.getConnection("jdbc:h2:mem:batch-binds-" + UUID.randomUUID());
        dsl = DSL.using(c, SQLDialect.H2);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT, name VARCHAR(100), note VARCHAR(100))");
            s.execute("CREATE TABLE every_type (b BOOLEAN, t TINYINT, s SMALLINT, i INT, l BIGINT, f REAL,"
                    + " d DOUBLE PRECISION, n NUMERIC(10, 2), v VARCHAR(10), nv VARCHAR(10), y VARBINARY(10), dt DATE,"
                    + " tm TIME, ts TIMESTAMP, o1 INT, o2 INT, o3 INT, o4 INT, o5 INT, z INT, zz INT)");
        }
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    private BatchBinds.Capture capture(String sql) throws SQLException {
        return new BatchBinds.Capture(c.prepareStatement(sql));
    }

    private List<Map<String, Object>> rows(BatchBinds.Capture capture, Query statement) {
        return new BatchBinds.BoundSets(dsl, capture.sets).rows(statement, T);
    }

    private Query insertOfIdAndName() {
        return dsl.insertInto(T, ID, NAME).values(0, "");
    }

    @Test
    void everySetterJooqBindsWithReachesTheDatabaseAndIsKept() throws SQLException {
        Date date = Date.valueOf("2026-12-01");
        Time time = Time.valueOf("13:14:15");
        Timestamp timestamp = Timestamp.valueOf("2026-12-01 13:14:15");
        try (BatchBinds.Capture insert = capture("INSERT INTO every_type VALUES"
                + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setBoolean(1, true);
            insert.setByte(2, (byte) 2);
            insert.setShort(3, (short) 3);
            insert.setInt(4, 4);
            insert.setLong(5, 5L);
            insert.setFloat(6, 6.5f);
            insert.setDouble(7, 7.5);
            insert.setBigDecimal(8, new BigDecimal("8.25"));
            insert.setString(9, "nine");
            insert.setNString(10, "ten");
            insert.setBytes(11, new byte[] {11});
            insert.setDate(12, date);
            insert.setTime(13, time);
            insert.setTimestamp(14, timestamp);
            insert.setObject(15, 15);
            insert.setObject(16, 16, Types.INTEGER);
            insert.setObject(17, 17, Types.INTEGER, 0);
            insert.setObject(18, 18, JDBCType.INTEGER);
            insert.setObject(19, 19, JDBCType.INTEGER, 0);
            insert.setNull(20, Types.INTEGER);
            insert.setNull(21, Types.INTEGER, "INTEGER");
            insert.addBatch();
            insert.executeBatch();

            assertThat(insert.sets).singleElement().satisfies(set -> assertThat(set).containsExactly(true, (byte) 2,
                    (short) 3, 4, 5L, 6.5f, 7.5, new BigDecimal("8.25"), "nine", "ten", new byte[] {11}, date, time,
                    timestamp, 15, 16, 17, 18, 19, null, null));
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM every_type")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).isTrue();
            for (int column = 2; column <= 5; column++) {
                assertThat(rs.getLong(column)).as("column %d", column).isEqualTo(column);
            }
            assertThat(rs.getFloat(6)).isEqualTo(6.5f);
            assertThat(rs.getDouble(7)).isEqualTo(7.5);
            assertThat(rs.getBigDecimal(8)).isEqualByComparingTo("8.25");
            assertThat(rs.getString(9)).isEqualTo("nine");
            assertThat(rs.getString(10)).isEqualTo("ten");
            assertThat(rs.getBytes(11)).containsExactly(11);
            assertThat(rs.getDate(12)).isEqualTo(date);
            assertThat(rs.getTime(13)).isEqualTo(time);
            assertThat(rs.getTimestamp(14)).isEqualTo(timestamp);
            for (int column = 15; column <= 19; column++) {
                assertThat(rs.getInt(column)).as("column %d", column).isEqualTo(column);
            }
            rs.getInt(20);
            assertThat(rs.wasNull()).isTrue();
            rs.getInt(21);
            assertThat(rs.wasNull()).isTrue();
        }
    }

    @Test
    void aValueBoundWithACalendarIsStoredButItsColumnIsUnknown() throws SQLException {
        Calendar utc = Calendar.getInstance(java.util.TimeZone.getTimeZone("UTC"));
        try (BatchBinds.Capture insert = capture("INSERT INTO every_type (dt, tm, ts, i) VALUES (?, ?, ?, ?)")) {
            insert.setDate(1, Date.valueOf("2026-12-01"), utc);
            insert.setTime(2, Time.valueOf("13:14:15"), utc);
            insert.setTimestamp(3, Timestamp.valueOf("2026-12-01 13:14:15"), utc);
            insert.setInt(4, 4);
            insert.addBatch();
            insert.executeBatch();
        }
        assertThat(count("SELECT COUNT(*) FROM every_type WHERE dt IS NOT NULL AND tm IS NOT NULL"
                + " AND ts IS NOT NULL")).isEqualTo(1);

        Field<Date> dt = DSL.field(DSL.name("dt"), SQLDataType.DATE);
        try (BatchBinds.Capture insert = capture("INSERT INTO t (id, name) VALUES (?, ?)")) {
            insert.setInt(1, 1);
            insert.setDate(2, Date.valueOf("2026-12-01"), utc);
            insert.addBatch();
            assertThat(rows(insert, dsl.insertInto(T, ID, dt).values(0, Date.valueOf("2000-01-01"))))
                    .as("the date unknown, not NULL").containsExactly(Map.of("id", 1));
        }
    }

    @Test
    void eachAddedSetIsARowOfTheStatement() throws SQLException {
        try (BatchBinds.Capture insert = capture("INSERT INTO t (id, name) VALUES (?, ?)")) {
            insert.setInt(1, 1);
            insert.setString(2, "one");
            insert.addBatch();
            insert.setInt(1, 2);
            insert.setNull(2, Types.VARCHAR);
            insert.addBatch();
            insert.executeBatch();

            assertThat(rows(insert, insertOfIdAndName())).containsExactly(
                    Map.of("id", 1, "name", "one"), Map.of("id", 2, "name", RowValues.NULL));
        }
        assertThat(count("SELECT COUNT(*) FROM t")).isEqualTo(2);
    }

    @Test
    void aValueBoundThroughASetterRoanDoesNotReadLeavesItsColumnUnknown() throws SQLException {
        try (BatchBinds.Capture insert = capture("INSERT INTO t (id, name, note) VALUES (?, ?, ?)")) {
            insert.setInt(1, 1);
            insert.setCharacterStream(2, new StringReader("one"));
            insert.setString(3, "a");
            insert.addBatch();
            insert.setString(3, "b");
            insert.setCharacterStream(2, new StringReader("two"));
            insert.setInt(1, 2);
            insert.addBatch();
            insert.setInt(1, 3);
            insert.setCharacterStream(2, new StringReader("three"));
            insert.setString(3, "c");
            insert.addBatch();
            insert.executeBatch();

            assertThat(rows(insert, dsl.insertInto(T, ID, NAME, NOTE).values(0, "", ""))).as("the names unknown, not NULL")
                    .containsExactly(Map.of("id", 1, "note", "a"), Map.of("id", 2, "note", "b"),
                            Map.of("id", 3, "note", "c"));
        }
        assertThat(count("SELECT COUNT(*) FROM t WHERE name IS NOT NULL")).isEqualTo(3);
    }

    @Test
    void aValueTheParametersTypeCannotTakeIsKeptAsBound() throws SQLException {
        try (BatchBinds.Capture insert = capture("INSERT INTO t (id, name) VALUES (?, ?)")) {
            insert.setInt(1, 1);
            insert.setString(2, "one");
            insert.addBatch();

            assertThat(rows(insert, dsl.insertInto(T, NAME, ID).values("", 0)))
                    .containsExactly(Map.of("name", "1", "id", "one"));
        }
    }

    @Test
    void aSetExecutedAloneIsARowToo() throws SQLException {
        try (BatchBinds.Capture insert = capture("INSERT INTO t (id, name) VALUES (?, ?)")) {
            insert.setInt(1, 1);
            insert.setString(2, "one");
            assertThat(insert.executeUpdate()).as("rows inserted").isEqualTo(1);
            insert.setInt(1, 2);
            insert.setString(2, "two");
            assertThat(insert.executeLargeUpdate()).as("rows inserted").isEqualTo(1L);
            insert.setInt(1, 3);
            insert.setString(2, "three");
            assertThat(insert.execute()).as("an update count, not a result").isFalse();

            assertThat(rows(insert, insertOfIdAndName())).containsExactly(
                    Map.of("id", 1, "name", "one"), Map.of("id", 2, "name", "two"), Map.of("id", 3, "name", "three"));
        }
        try (BatchBinds.Capture select = capture("SELECT name FROM t WHERE id = ?")) {
            select.setInt(1, 2);
            assertThat(select.execute()).as("a result").isTrue();
            try (ResultSet rs = select.getResultSet()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("two");
            }
        }
    }

    @Test
    void clearedParametersAreNeitherBoundNorKept() throws SQLException {
        try (BatchBinds.Capture insert = capture("INSERT INTO t (id, name) VALUES (?, ?)")) {
            insert.setInt(1, 1);
            insert.setString(2, "one");
            insert.clearParameters();
            insert.setInt(1, 2);
            assertThatThrownBy(insert::addBatch).as("the name cleared").isInstanceOf(SQLException.class);
            insert.setString(2, "two");
            insert.addBatch();
            insert.executeBatch();

            assertThat(rows(insert, insertOfIdAndName())).containsExactly(Map.of("id", 2, "name", "two"));
        }
    }

    @Test
    void aSetThatDoesNotBindEveryParameterOfTheStatementMakesItsRowsUnknown() throws SQLException {
        try (BatchBinds.Capture insert = capture("INSERT INTO t (id) VALUES (?)")) {
            insert.setInt(1, 1);
            insert.addBatch();

            assertThat(rows(insert, insertOfIdAndName())).isNull();
            assertThat(new BatchBinds.BoundSets(dsl, List.of()).rows(insertOfIdAndName(), T))
                    .as("no set captured").isNull();
        }
    }

    private int count(String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aValueBoundWithACalendarAsTheLastParameterStillLeavesARowWithItsColumnUnknown() throws SQLException {
        Calendar utc = Calendar.getInstance(java.util.TimeZone.getTimeZone("UTC"));
        try (BatchBinds.Capture insert = capture("INSERT INTO t (id, name) VALUES (?, ?)")) {
            insert.setInt(1, 1);
            insert.setDate(2, Date.valueOf("2026-12-01"), utc);
            insert.addBatch();
            insert.setInt(1, 2);
            insert.setTime(2, Time.valueOf("13:14:15"), utc);
            insert.addBatch();
            insert.setInt(1, 3);
            insert.setTimestamp(2, Timestamp.valueOf("2026-12-01 13:14:15"), utc);
            insert.addBatch();

            assertThat(rows(insert, insertOfIdAndName())).containsExactly(Map.of("id", 1), Map.of("id", 2),
                    Map.of("id", 3));
        }
    }

    @Test
    void aValueTheStatementInlinesIsItsOwn() throws SQLException {
        try (BatchBinds.Capture insert = capture("INSERT INTO t (id, name) VALUES (?, 'fixed')")) {
            insert.setInt(1, 1);
            insert.addBatch();

            assertThat(rows(insert, dsl.insertInto(T, ID, NAME).values(DSL.val(0), DSL.inline("fixed"))))
                    .containsExactly(Map.of("id", 1, "name", "fixed"));
        }
    }
}
