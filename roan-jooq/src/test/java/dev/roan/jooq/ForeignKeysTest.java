package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** {@link ForeignKeys}: the JDBC metadata read once per table, and what a write owes when it cannot be read. */
class ForeignKeysTest {

    private final ForeignKeys foreignKeys = new ForeignKeys();

    @Test
    void theMetadataOfATableIsReadOnceForAllItsWrites() throws SQLException {
        try (Connection h2 = DriverManager.getConnection("jdbc:h2:mem:fk-" + UUID.randomUUID())) {
            try (Statement s = h2.createStatement()) {
                s.execute("create table shelf (id bigint primary key)");
                s.execute("create table book (id bigint primary key, shelf_id bigint references shelf (id)"
                        + " on delete cascade)");
            }
            AtomicInteger reads = new AtomicInteger();
            Connection counting = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("getMetaData")) {
                            reads.incrementAndGet();
                        }
                        try {
                            return method.invoke(h2, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            for (int i = 0; i < 3; i++) {
                List<String> keys = new ArrayList<>();
                foreignKeys.keys(counting, "SHELF", true, false, null, "book"::equals, Set.of("book"), keys);
                assertThat(keys).containsExactly(Dependency.anyRow("book").target(), Dependency.table("book").target());
            }
            // SHELF, and BOOK for its own children (grandchildren of SHELF).
            assertThat(reads).as("metadata reads").hasValue(2);
        }
    }

    @Test
    void aWriteOfATableWhoseMetadataCannotBeReadOwesEveryTrackedTable() {
        Connection failing = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    throw new SQLFeatureNotSupportedException("no metadata here");
                });
        List<String> keys = new ArrayList<>();

        foreignKeys.keys(failing, "shelf", true, false, null, t -> true, Set.of("book", "loan"), keys);

        assertThat(keys).containsExactlyInAnyOrder(Dependency.anyRow("book").target(),
                Dependency.table("book").target(), Dependency.anyRow("loan").target(),
                Dependency.table("loan").target());
    }

    @Test
    void onlyATableReferencedWithAnActionThatChangesTheChildMayChangeOthers() throws SQLException {
        try (Connection h2 = DriverManager.getConnection("jdbc:h2:mem:fk-" + UUID.randomUUID());
                Statement s = h2.createStatement()) {
            s.execute("create table shelf (id bigint primary key)");
            s.execute("create table book (id bigint primary key, shelf_id bigint references shelf (id)"
                    + " on delete set null)");
            s.execute("create table author (id bigint primary key)");
            s.execute("create table note (id bigint primary key, author_id bigint references author (id))");
            s.execute("create table lone (id bigint primary key)");

            assertThat(foreignKeys.mayChange(h2, "shelf")).as("ON DELETE SET NULL").isTrue();
            assertThat(foreignKeys.mayChange(h2, "author")).as("no action").isFalse();
            assertThat(foreignKeys.mayChange(h2, "lone")).as("nothing references it").isFalse();

            List<String> keys = new ArrayList<>();
            foreignKeys.keys(h2, "shelf", false, true, Set.of("id"), t -> true, Set.of("book"), keys);
            assertThat(keys).as("an update of the key: no ON UPDATE action").isEmpty();
            foreignKeys.keys(h2, "shelf", true, false, null, t -> true, Set.of("book"), keys);
            assertThat(keys).as("a delete sets the books' shelf to NULL").containsExactly(
                    Dependency.anyRow("book").target(), Dependency.table("book").target());
        }
    }

    @Test
    void aTruncateCascadeEmptiesEveryReferencingTableWhateverItsActions() throws SQLException {
        try (Connection h2 = DriverManager.getConnection("jdbc:h2:mem:fk-" + UUID.randomUUID());
                Statement s = h2.createStatement()) {
            s.execute("create table shelf (id bigint primary key)");
            s.execute("create table loan (id bigint primary key, shelf_id bigint references shelf (id))");
            s.execute("create table reminder (id bigint primary key, loan_id bigint references loan (id)"
                    + " on delete restrict)");
            s.execute("create table lone (id bigint primary key)");
            List<String> keys = new ArrayList<>();

            foreignKeys.keys(h2, "shelf", true, false, null, t -> true, Set.of("loan", "reminder", "lone"), keys);
            assertThat(keys).as("a delete: no action changes loan").isEmpty();

            foreignKeys.emptiedKeys(h2, "shelf", t -> !t.equals("loan"), Set.of("loan", "reminder", "lone"), keys);
            assertThat(keys).as("loan is emptied but not tracked; its own child reminder is emptied too")
                    .containsExactly(Dependency.anyRow("reminder").target(), Dependency.table("reminder").target());
        }
    }

    @Test
    void aTableReferencingItselfIsFollowedOnce() throws SQLException {
        try (Connection h2 = DriverManager.getConnection("jdbc:h2:mem:fk-" + UUID.randomUUID());
                Statement s = h2.createStatement()) {
            s.execute("create table node (id bigint primary key, parent_id bigint references node (id)"
                    + " on delete cascade)");
            List<String> keys = new ArrayList<>();

            foreignKeys.keys(h2, "node", true, false, null, t -> true, Set.of("node"), keys);
            foreignKeys.emptiedKeys(h2, "node", t -> true, Set.of("node"), keys);

            assertThat(keys).containsExactly(Dependency.anyRow("node").target(), Dependency.table("node").target(),
                    Dependency.anyRow("node").target(), Dependency.table("node").target());
        }
    }

    @Test
    void aTableWhoseMetadataCannotBeReadMayChangeAnyAndIsWarnedOfOnce() {
        Connection failing = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    throw new SQLFeatureNotSupportedException("no metadata here");
                });
        try (LogCapture log = new LogCapture()) {
            assertThat(foreignKeys.mayChange(failing, "shelf")).isTrue();
            assertThat(foreignKeys.mayChange(failing, "book")).isTrue();

            assertThat(log.messages(java.util.logging.Level.WARNING)).singleElement().asString()
                    .contains("could not read the foreign keys referencing shelf", "logged once");
        }
    }
}
