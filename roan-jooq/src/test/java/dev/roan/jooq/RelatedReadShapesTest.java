package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.COMMENT;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shape of a related read ({@link ReadGuard}: its SQL, which decides whether a savepoint guards it) depends on the
 * rule, not on the written rows: in transactions it is rendered once per rule, not once per statement.
 */
class RelatedReadShapesTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        roan = fixture.roan();
        dsl = fixture.dsl();
        fixture.db().execute(TestRows.TWO_AUTHORS + TestRows.COMMENTS);
    }

    @Test
    void aViaRulesReadShapeIsRenderedOnceForEveryTransaction() {
        roan.purge("/authors/{author_id}").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID);
        for (long post : new long[] {10L, 20L, 10L}) {
            dsl.transaction(c -> DSL.using(c).insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(post, "hi")
                    .execute());
        }
        assertThat(fixture.purgedOnce()).as("each transaction's related read still ran")
                .containsExactlyInAnyOrder("/authors/1", "/authors/2");
        assertThat(listener().relatedShapesRendered()).as("shapes rendered for three transactions").isEqualTo(1);
    }

    @Test
    void readsWithAutoCommitRenderNoShape() {
        roan.purge("/authors/{author_id}").onWrite(COMMENT).via(COMMENT.POST_ID, POST.ID);
        dsl.insertInto(COMMENT, COMMENT.POST_ID, COMMENT.BODY).values(10L, "hi").execute();
        assertThat(fixture.purgedOnce()).containsExactly("/authors/1");
        assertThat(listener().relatedShapesRendered()).isZero();
    }

    private RoanExecuteListener listener() {
        return Stream.of(dsl.configuration().executeListenerProviders()).map(p -> p.provide())
                .filter(RoanExecuteListener.class::isInstance).map(RoanExecuteListener.class::cast).findFirst()
                .orElseThrow();
    }
}
