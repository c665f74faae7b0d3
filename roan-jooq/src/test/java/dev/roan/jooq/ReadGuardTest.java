package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When {@link ReadGuard} needs a read's shape: only where auto-commit is off, where a savepoint may be needed. */
class ReadGuardTest {

    private Connection connection;
    private final ReadGuard.Shapes shapes = new ReadGuard.Shapes();
    private final AtomicInteger rendered = new AtomicInteger();
    private final Supplier<String> shape = () -> {
        rendered.incrementAndGet();
        return "select 1";
    };

    @BeforeEach
    void setUp() throws Exception {
        connection = DriverManager.getConnection("jdbc:h2:mem:read_guard_" + System.nanoTime());
    }

    @AfterEach
    void tearDown() throws Exception {
        connection.close();
    }

    @Test
    void aReadWithAutoCommitOnNeverRendersItsShape() {
        for (int i = 0; i < 3; i++) {
            assertThat(ReadGuard.run(connection, shapes, shape, () -> "read")).isEqualTo("read");
        }
        assertThat(rendered).as("shapes rendered for reads that need no savepoint").hasValue(0);
        assertThat(shapes.known("select 1")).isFalse();
    }

    @Test
    void aReadInATransactionRendersItsShapeToKnowWhetherItWorkedBefore() throws Exception {
        connection.setAutoCommit(false);
        ReadGuard.run(connection, shapes, shape, () -> "read");
        assertThat(shapes.known("select 1")).as("worked once, in a savepoint").isTrue();
        ReadGuard.run(connection, shapes, shape, () -> "read");
        assertThat(rendered).hasValue(2);
        connection.rollback();
    }

    private DSLContext dsl() {
        return DSL.using(connection, SQLDialect.H2);
    }

    private long rows() {
        return dsl().fetchCount(DSL.table(DSL.name("T")));
    }

    /** A read of Roan's that changed something before it failed in the database. */
    private Supplier<String> failingAfterAWrite() {
        return () -> {
            dsl().execute("insert into T values (2)");
            return dsl().resultQuery("select missing from T").fetchOne(0, String.class);
        };
    }

    @Test
    void aFailedReadInATransactionIsRolledBackToItsSavepointAndTheWritersWorkIsKept() throws Exception {
        connection.createStatement().execute("create table T (ID int)");
        connection.setAutoCommit(false);
        dsl().execute("insert into T values (1)");
        assertThatThrownBy(() -> ReadGuard.run(connection, shapes, shape, failingAfterAWrite()))
                .isInstanceOf(DataAccessException.class);
        assertThat(rows()).as("the writer's row, not the failed read's").isEqualTo(1);
        assertThat(shapes.known("select 1")).as("a failed shape stays guarded").isFalse();
        connection.rollback();
    }

    @Test
    void aKnownShapeThatFailsInTheDatabaseFailsTheWriterAndIsGuardedAgain() throws Exception {
        connection.createStatement().execute("create table T (ID int)");
        connection.setAutoCommit(false);
        ReadGuard.run(connection, shapes, shape, () -> "read");
        assertThatThrownBy(() -> ReadGuard.run(connection, shapes, shape, failingAfterAWrite()))
                .isInstanceOf(ReadGuard.Unguarded.class)
                .satisfies(e -> assertThat(((ReadGuard.Unguarded) e).failure).isInstanceOf(DataAccessException.class));
        assertThat(shapes.known("select 1")).isFalse();
        assertThatThrownBy(() -> ReadGuard.run(connection, shapes, shape, failingAfterAWrite()))
                .as("guarded again: rolled back, the failure is the read's own")
                .isInstanceOf(DataAccessException.class);
        connection.rollback();
    }

    @Test
    void aKnownShapeThatFailsOutsideTheDatabaseIsRethrownAndStaysKnown() throws Exception {
        connection.setAutoCommit(false);
        ReadGuard.run(connection, shapes, shape, () -> "read");
        assertThatThrownBy(() -> ReadGuard.run(connection, shapes, shape, () -> {
            throw new IllegalStateException("a bug of the read's");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(shapes.known("select 1")).isTrue();
        connection.rollback();
    }

    @Test
    void aFailureWithAutoCommitOnIsTheReadsOwn() {
        Supplier<String> failing = () -> dsl().resultQuery("select missing").fetchOne(0, String.class);
        assertThatThrownBy(() -> ReadGuard.run(connection, shapes, shape, failing))
                .isInstanceOf(DataAccessException.class);
    }

    @Test
    void shapesAreLearntUpToTheirLimits() {
        shapes.succeeded("x".repeat(ReadGuard.Shapes.LONGEST));
        shapes.succeeded("y".repeat(ReadGuard.Shapes.LONGEST + 1));
        assertThat(shapes.known("x".repeat(ReadGuard.Shapes.LONGEST))).isTrue();
        assertThat(shapes.known("y".repeat(ReadGuard.Shapes.LONGEST + 1))).as("too long: stays guarded").isFalse();
        for (int i = 1; i < ReadGuard.Shapes.MAX; i++) {
            shapes.succeeded("shape " + i);
        }
        assertThat(shapes.known("shape " + (ReadGuard.Shapes.MAX - 1))).isTrue();
        shapes.succeeded("one more");
        assertThat(shapes.known("one more")).as("past MAX, a new shape stays guarded").isFalse();
    }

    @Test
    void aFailureIsDescribedByItsStateAndKindNeverItsMessage() {
        DataAccessException withState = new DataAccessException("secret 42", new SQLException("secret 42", "42S02"));
        assertThat(ReadGuard.describe(withState)).isEqualTo("SQL state 42S02, SQLException");
        assertThat(ReadGuard.describe(new IllegalStateException("secret 42"))).isEqualTo("IllegalStateException");
        assertThat(ReadGuard.describe(new DataAccessException("secret 42", new SQLException("secret 42", ""))))
                .isEqualTo("SQLException");
    }
}
