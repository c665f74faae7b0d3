package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Roan#track} and the writes the database makes itself: a parent's DELETE (or an UPDATE of its referenced key)
 * changes the child rows its foreign keys' ON DELETE / ON UPDATE actions reach, which no listener sees. The schema is
 * plain DDL, so the actions come from the JDBC metadata. Run on H2 ({@link TrackCascadeTest}) and PostgreSQL
 * ({@link TrackCascadePostgresTest}).
 */
abstract class TrackCascadeContract {

    private RoanFixture fixture;
    private Roan roan;
    private DSLContext dsl;

    abstract RoanFixture fixture();

    /** Runs the schema's DDL and rows on a connection of the database's own, not Roan's. */
    abstract void given(String sql) throws Exception;

    /** Parents, children, a grandchild, SET NULL and ON UPDATE CASCADE, and a child without an action. */
    private static final String SCHEMA = "create table shelf (id bigint primary key, code varchar(10) not null unique,"
            + " name varchar(10));"
            + "create table book (id bigint primary key, shelf_id bigint references shelf (id) on delete cascade);"
            + "create table page (id bigint primary key, book_id bigint references book (id) on delete cascade);"
            + "create table label (id bigint primary key, shelf_code varchar(10) references shelf (code)"
            + " on delete set null on update cascade);"
            + "create table loan (id bigint primary key, shelf_id bigint references shelf (id));"
            + "insert into shelf values (1, 'a', 'one'), (2, 'b', 'two');"
            + "insert into book values (10, 1), (20, 2);"
            + "insert into page values (100, 10), (200, 20);"
            + "insert into label values (7, 'a');"
            + "insert into loan values (5, 2)";

    @BeforeEach
    void setUp() throws Exception {
        fixture = fixture();
        given(SCHEMA);
        roan = fixture.roan();
        dsl = fixture.dsl();
    }

    private void page(String url, String sql) {
        roan.track(url, () -> dsl.fetch(sql));
    }

    @Test
    void deletingAParentPurgesThePagesOfTheChildRowsTheDatabaseDeletesWithIt() {
        page("/books/10", "select * from book where id = 10");
        page("/books/20", "select * from book where id = 20");
        fixture.settle();

        dsl.execute("delete from shelf where id = 1");

        // Which child rows went is unknown to Roan: every tracked page of the child table.
        assertThat(fixture.purgedOnce()).containsExactlyInAnyOrder("/books/10", "/books/20");
    }

    @Test
    void grandchildrenOfACascadeArePurgedToo() {
        page("/pages/100", "select * from page where id = 100");
        fixture.settle();

        dsl.execute("delete from shelf where id = 1");

        assertThat(fixture.purgedOnce()).containsExactly("/pages/100");
    }

    @Test
    void setNullOnDeleteAndCascadeOnUpdateOfAReferencedKeyPurgeTheChildsPages() {
        page("/labels/7", "select * from label where id = 7");
        fixture.settle();

        dsl.execute("update shelf set code = 'c' where id = 1");
        assertThat(fixture.purgedOnce()).as("on update cascade").containsExactly("/labels/7");

        dsl.execute("update shelf set name = 'uno' where id = 1");
        fixture.assertNothingPurged("an update of a column no foreign key of label references");

        dsl.execute("delete from shelf where id = 1");
        assertThat(fixture.purgedOnce()).as("on delete set null").containsExactly("/labels/7");
    }

    @Test
    void aChildWithoutAnActionThatChangesItIsNotPurged() {
        page("/loans/5", "select * from loan where id = 5");
        fixture.settle();

        dsl.execute("delete from shelf where id = 1");

        fixture.assertNothingPurged("loan references shelf without an action");
    }

    @Test
    void aCascadeInsideATransactionPurgesAtItsCommitAndNotForARollback() {
        page("/books/10", "select * from book where id = 10");
        fixture.settle();

        try {
            dsl.transaction(c -> {
                c.dsl().execute("delete from shelf where id = 1");
                throw new IllegalStateException("rolled back");
            });
        } catch (IllegalStateException expected) {
            // The rollback is the point.
        }
        fixture.assertNothingPurged("rolled back");

        dsl.transaction(c -> c.dsl().execute("delete from shelf where id = 1"));
        assertThat(fixture.purgedOnce()).as("committed").containsExactly("/books/10");
    }
}
