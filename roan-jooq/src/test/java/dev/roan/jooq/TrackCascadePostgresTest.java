package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jooq.impl.DSL.table;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link TrackCascadeContract} on a real PostgreSQL, whose metadata folds names to lower case; and PostgreSQL's
 * {@code TRUNCATE ... CASCADE}, which empties every table referencing the truncated one.
 */
class TrackCascadePostgresTest extends TrackCascadeContract {

    @RegisterExtension
    static final SchemaPostgres DB = new SchemaPostgres("roan_track_cascade_test");

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture().database(DB::configuration);

    @Override
    RoanFixture fixture() {
        return fixture;
    }

    @Override
    void given(String sql) throws Exception {
        DB.reset(sql);
    }

    @Test
    void truncateCascadePurgesThePagesOfEveryTableItEmptiesWhateverTheirForeignKeysActions() {
        Roan roan = fixture.roan();
        DSLContext dsl = fixture.dsl();
        Runnable pages = () -> {
            roan.track("/books/10", () -> dsl.fetch("select * from book where id = 10"));
            roan.track("/pages/100", () -> dsl.fetch("select * from page where id = 100"));
            roan.track("/labels/7", () -> dsl.fetch("select * from label where id = 7"));
            roan.track("/loans/5", () -> dsl.fetch("select * from loan where id = 5"));
            fixture.settle();
        };
        pages.run();

        dsl.truncate(table("shelf")).cascade().execute();
        // loan references shelf without an action: a DELETE leaves it, TRUNCATE ... CASCADE empties it.
        assertThat(fixture.purgedOnce()).as("jOOQ's truncate(...).cascade()")
                .containsExactlyInAnyOrder("/books/10", "/pages/100", "/labels/7", "/loans/5");

        pages.run();
        dsl.execute("truncate table shelf cascade");
        assertThat(fixture.purgedOnce()).as("plain SQL")
                .containsExactlyInAnyOrder("/books/10", "/pages/100", "/labels/7", "/loans/5");
    }
}
