package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUDIT_LOG;
import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared fixture checks what the tests built on it rely on: it may hide no purge and miss no marker. */
class RoanFixtureTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();

    private DSLContext writer() {
        fixture.roan().purge("/posts").onWrite(POST);
        fixture.roan().purge("/authors").onWrite(AUTHOR);
        return fixture.dsl();
    }

    @Test
    void purgedListsThePathsSinceTheLastCheckInOrderWithoutTheMarker() {
        DSLContext dsl = writer();
        dsl.insertInto(AUTHOR).set(AUTHOR.ID, 1L).set(AUTHOR.NAME, "ann").execute();
        assertThat(fixture.roan().flush(Duration.ofSeconds(10))).isTrue();
        dsl.insertInto(POST).set(POST.AUTHOR_ID, 1L).set(POST.SLUG, "a").set(POST.TITLE, "A").execute();
        assertThat(fixture.purged()).containsExactly("/authors", "/posts");
        assertThat(fixture.purged()).as("nothing written since").isEmpty();
        fixture.assertNothingPurged();
        dsl.update(POST).set(POST.TITLE, "B").execute();
        assertThatThrownBy(fixture::assertNothingPurged).isInstanceOf(AssertionError.class)
                .hasMessageContaining("/posts");
    }

    @Test
    void purgedFailsWhenTheMarkerWriteDidNotPurge() throws Exception {
        // A marker whose rule is on another table than the one it writes: purged() cannot prove the queue drained.
        RoanFixture broken = new RoanFixture().marker("/marker", AUTHOR,
                d -> d.insertInto(AUDIT_LOG).set(AUDIT_LOG.MESSAGE, "m").execute());
        try {
            assertThatThrownBy(broken::purged).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("the marker write arrived");
        } finally {
            broken.afterEach(null);
        }
    }

    @Test
    void purgedWithMarkerKeepsTheMarkerAndSettleForgetsWhatArrived() {
        DSLContext dsl = writer();
        dsl.insertInto(AUTHOR).set(AUTHOR.ID, 1L).set(AUTHOR.NAME, "ann").execute();
        assertThat(fixture.purgedWithMarker()).containsExactlyInAnyOrder("/authors", "/marker");
        dsl.update(AUTHOR).set(AUTHOR.NAME, "bea").execute();
        fixture.settle();
        assertThat(fixture.purgedOnce()).as("settled before the check").isEmpty();
    }

    @Test
    void settingsAfterThePartsTheyShapeAreRefused() {
        writer();
        assertThatThrownBy(() -> fixture.builder(b -> b)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before calling roan()");
        assertThatThrownBy(() -> fixture.database(() -> fixture.db().configuration()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("before calling dsl()");
        assertThatThrownBy(() -> fixture.marker("/m", AUTHOR, d -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before dsl()");
        assertThatThrownBy(fixture::executed).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before calling dsl()");
    }

    @Test
    void executedSeesTheApplicationsStatementsAndRoansReadsUntilTaken() {
        ExecutedSql executed = fixture.executed();
        fixture.roan().purge("/authors/{author_id}").onUpdate(POST);
        DSLContext dsl = fixture.dsl();
        fixture.db().execute(TestRows.TWO_AUTHORS);
        assertThat(executed.take(sql -> true)).as("rows inserted on a connection of their own").isEmpty();
        dsl.update(POST).set(POST.TITLE, "Uno").where(POST.ID.eq(10L)).execute();
        assertThat(executed.take(sql -> sql.startsWith("select"))).as("Roan's read of the author before the update")
                .singleElement().asString().containsIgnoringCase("author_id");
        assertThat(executed.take(sql -> true)).as("taken").isEmpty();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
    }

    @Test
    void afterEachClosesOnlyWhatATestMade() throws Exception {
        RoanFixture used = new RoanFixture();
        Roan roan = used.roan();
        used.afterEach(null);
        assertThat(roan.isClosed()).as("Roan closed").isTrue();
        new RoanFixture().afterEach(null);
    }
}
