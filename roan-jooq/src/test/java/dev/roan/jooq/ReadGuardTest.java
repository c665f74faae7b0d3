package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

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
}
