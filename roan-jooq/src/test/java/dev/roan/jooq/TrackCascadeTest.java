package dev.roan.jooq;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TrackCascadeContract} on H2. */
class TrackCascadeTest extends TrackCascadeContract {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();

    @Override
    RoanFixture fixture() {
        return fixture;
    }

    @Override
    void given(String sql) {
        fixture.db().execute(sql);
    }
}
