package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.util.logging.Level;

import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Purging by hand: {@link Roan#purgeAfterCommit} is held and released as a rule's purges are. */
class PurgeAfterCommitTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private PurgeServer cache;
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        cache = fixture.cache();
        roan = fixture.roan();
        roan.purge("/posts").onWrite(POST);
        dsl = fixture.dsl();
        fixture.db().onSeparateConnection(d -> d.insertInto(AUTHOR).set(AUTHOR.ID, 100L).set(AUTHOR.NAME, "ann")
                .execute());
    }

    private static void insertPost(DSLContext ctx, String slug) {
        ctx.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, slug).set(POST.TITLE, slug).execute();
    }

    /** Nothing was sent so far: a flush waits for whatever was submitted, so an empty endpoint after it proves it. */
    private void assertNothingSentYet() {
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.count()).as("purges sent before the commit").isZero();
    }

    @Test
    void outsideATransactionThePathsAreSentAtOnce() {
        roan.purgeAfterCommit("/owners/6", "/vets");

        assertThat(fixture.purged()).containsExactlyInAnyOrder("/owners/6", "/vets");
    }

    @Test
    void insideAJooqTransactionThePathsWaitForTheCommitAndCoalesceWithItsPurges() {
        dsl.transaction(tx -> {
            roan.purgeAfterCommit("/owners/6", "/posts");
            insertPost(tx.dsl(), "a");
            roan.purgeAfterCommit("/owners/6");
            assertNothingSentYet();
        });

        assertThat(fixture.purged()).as("one purge per path, after the commit")
                .containsExactlyInAnyOrder("/owners/6", "/posts");
    }

    @Test
    void aRolledBackTransactionDropsThePaths() {
        assertThatThrownBy(() -> dsl.transaction(tx -> {
            roan.purgeAfterCommit("/owners/6");
            throw new IllegalStateException("rollback");
        })).hasMessageContaining("rollback");

        fixture.assertNothingPurged();
    }

    @Test
    void aRolledBackNestedTransactionDropsOnlyItsOwnPaths() {
        dsl.transaction(outer -> {
            roan.purgeAfterCommit("/outer");
            try {
                outer.dsl().transaction(inner -> {
                    roan.purgeAfterCommit("/inner");
                    throw new IllegalStateException("rollback to the savepoint");
                });
            } catch (IllegalStateException expected) {
                // the outer transaction goes on
            }
            outer.dsl().transaction(inner -> roan.purgeAfterCommit("/committed-inner"));
        });

        assertThat(fixture.purged()).containsExactlyInAnyOrder("/outer", "/committed-inner");
    }

    @Test
    void pathsAreNormalisedAsRulePathsAre() {
        roan.purgeAfterCommit("/tags/a b");

        assertThat(fixture.purged()).containsExactly("/tags/a%20b");
    }

    @Test
    void badPathsAreRefusedWithAMessageThatSaysWhatToWrite() {
        assertThatThrownBy(() -> roan.purgeAfterCommit()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one path");
        assertThatThrownBy(() -> roan.purgeAfterCommit((String[]) null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one path");
        assertThatThrownBy(() -> roan.purgeAfterCommit("/a", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("path is null");
        assertThatThrownBy(() -> roan.purgeAfterCommit("owners/6")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with '/'");
        assertThatThrownBy(() -> roan.purgeAfterCommit("/owners/{owner_id}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a purge by hand names the filled path, such as /owners/6");
        assertThatThrownBy(() -> roan.purgeAfterCommit("/a#b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> roan.purgeAfterCommit("/" + "x".repeat(9000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("purge request target");
    }

    @Test
    void aRefusedCallHoldsNothingOfItsOtherPaths() {
        dsl.transaction(tx -> {
            assertThatThrownBy(() -> roan.purgeAfterCommit("/fine", "/owners/{id}"))
                    .isInstanceOf(IllegalArgumentException.class);
        });
        roan.purgeAfterCommit("/later");
        assertThatThrownBy(() -> roan.purgeAfterCommit("/also-fine", "bad")).isInstanceOf(IllegalArgumentException.class);

        assertThat(fixture.purged()).containsExactly("/later");
    }

    @Test
    void aClosedRoanPurgesNothingAndWarnsOnce() {
        roan.close();
        try (LogCapture log = new LogCapture()) {
            roan.purgeAfterCommit("/owners/6");
            roan.purgeAfterCommit("/owners/7");

            assertThat(log.messages(Level.WARNING)).singleElement().asString()
                    .contains("Roan is closed", "purgeAfterCommit");
        }
        assertThat(cache.count()).isZero();
    }

    @Test
    void sentAtOnceWithoutABoundaryItWarnsOnceThatATransactionRoanCannotSeeIsNotWaitedFor() {
        try (LogCapture log = new LogCapture()) {
            dsl.transaction(tx -> roan.purgeAfterCommit("/owners/5"));
            assertThat(log.messages(Level.WARNING)).as("warnings inside a jOOQ transaction").isEmpty();

            roan.purgeAfterCommit("/owners/6");
            roan.purgeAfterCommit("/owners/7");

            assertThat(log.messages(Level.WARNING)).as("warnings").singleElement().asString()
                    .contains("purgeAfterCommit()", "sends its purges at once", "no transaction boundary",
                            "@Transactional", "auto-commit off")
                    .doesNotContain("/owners");
        }
    }

    @Test
    void withABoundaryThatHasNoTransactionItSendsAtOnceWithoutAWarning() {
        try (LogCapture log = new LogCapture();
                Roan bounded = Roan.builder().purgeUrl(cache.purgeUrl()).transactionBoundary((paths, release) -> false)
                        .build()) {
            bounded.purgeAfterCommit("/owners/6");

            assertThat(bounded.flush(Waits.DELIVERY)).isTrue();
            assertThat(log.messages(Level.WARNING)).as("warnings").isEmpty();
        }
        assertThat(fixture.purged()).containsExactly("/owners/6");
    }
}
