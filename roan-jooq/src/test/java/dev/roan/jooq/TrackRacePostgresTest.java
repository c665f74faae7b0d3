package dev.roan.jooq;

import org.jooq.Configuration;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TrackRaceContract} on a real PostgreSQL, whose reader does not see the writer's row until it commits. */
class TrackRacePostgresTest extends TrackRaceContract {

    @RegisterExtension
    static final SchemaPostgres DB = new SchemaPostgres("roan_track_race_test");

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture().database(this::configuration);

    private Configuration configuration() {
        return DB.configuration();
    }

    @Override
    RoanFixture fixture() {
        return fixture;
    }

    @Override
    void givenTwoPosts() throws Exception {
        DB.reset("insert into author (id, name) values (100, 'ann');"
                + "insert into post (id, author_id, slug, title) values (1, 100, 'a', 'A'), (2, 100, 'b', 'B')");
    }
}
