package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;

import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;

/** The fixture of the tests on a real database server, without one: how it starts, fails and stops. */
class ServerDbTest {

    private final AtomicInteger starts = new AtomicInteger();
    private final AtomicInteger stops = new AtomicInteger();

    /** A "server" whose database is an H2 in memory, counting starts and stops. */
    private ServerDb server() {
        return new ServerDb(() -> {
            starts.incrementAndGet();
            return new ServerDb.Started(stops::incrementAndGet, h2("server-db-test-" + starts.get()), ServerDbTest::h2);
        });
    }

    private static OutboxDb h2(String name) {
        return new OutboxDb(SQLDialect.H2, "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    @Test
    void startsOnFirstUseOnceAndStopsOnce() {
        ServerDb server = server();
        assertThat(starts).as("not before first use").hasValue(0);
        assertThat(server.db()).isSameAs(server.db());
        assertThat(starts).hasValue(1);
        assertThat(server.database("other").url()).as("another database on the same server").contains("other");
        assertThat(starts).hasValue(1);
        server.close();
        server.close();
        assertThat(stops).hasValue(1);
    }

    @Test
    void aServerThatWouldNotStartFailsLaterCallsAtOnceWithTheFirstFailure() {
        ServerDb server = new ServerDb(() -> {
            starts.incrementAndGet();
            throw new IllegalStateException("no server here");
        });
        assertThatThrownBy(server::db).hasMessage("no server here");
        assertThatThrownBy(server::db).hasMessage("no server here");
        assertThat(starts).as("tried once").hasValue(1);
    }

    @Test
    void aSchemaThatFailsStopsTheServerItStarted() {
        ServerDb server = server().schema("/no-such-schema.sql");
        assertThatThrownBy(server::db).hasMessageContaining("/no-such-schema.sql");
        assertThat(stops).as("stopped again").hasValue(1);
    }

    @Test
    void theSchemaRunsOnceWhenTheServerStarts() throws Exception {
        ServerDb server = server().schema("/schema.sql");
        try (var c = server.db().connect(); var s = c.createStatement()) {
            s.execute("insert into author (id, name) values (1, 'ann')");
        }
        try (var c = server.db().connect(); var s = c.createStatement(); var rs = s.executeQuery(
                "select count(*) from author")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the rows of the first call are still there").isOne();
        }
        server.close();
    }
}
