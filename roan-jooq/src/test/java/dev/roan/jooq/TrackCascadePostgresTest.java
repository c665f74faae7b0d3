package dev.roan.jooq;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TrackCascadeContract} on a real PostgreSQL, whose metadata folds names to lower case. */
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
}
