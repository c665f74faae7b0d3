package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The real-cache tests' fixture closes what a test made, the last made first, whatever fails. */
class SiteFixtureTest {

    private final List<String> closed = new ArrayList<>();

    private AutoCloseable part(String name) {
        return () -> closed.add(name);
    }

    @Test
    void closesTheLastMadeFirst() throws Exception {
        SiteFixture site = new SiteFixture();
        site.closing(part("cache"));
        site.closing(part("roan"));
        site.afterEach(null);
        assertThat(closed).containsExactly("roan", "cache");
    }

    @Test
    void aPartThatFailsToCloseLeavesTheOthersClosedAndFailsTheTest() {
        SiteFixture site = new SiteFixture();
        site.closing(part("database"));
        site.closing(() -> {
            throw new IllegalStateException("cache would not stop");
        });
        site.closing(part("roan"));
        assertThatThrownBy(() -> site.afterEach(null)).hasMessage("cache would not stop");
        assertThat(closed).containsExactly("roan", "database");
    }

    @Test
    void theApplicationComesBeforeTheCacheInFrontOfIt() {
        assertThatThrownBy(() -> new SiteFixture().nginx()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("app(render) first");
    }
}
