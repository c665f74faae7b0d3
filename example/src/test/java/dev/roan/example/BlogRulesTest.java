package dev.roan.example;

import static dev.roan.example.jooq.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.jooq.Explanation;
import dev.roan.jooq.Roan;
import dev.roan.test.RecordingCache;
import dev.roan.test.RoanExtension;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The blog's rules, checked as a user checks their own: the README's "Testing your rules" shows this class. */
class BlogRulesTest {

    @RegisterExtension
    final RoanExtension extension = RoanExtension.withRules(BlogApp::rules);   // the rules the blog registers

    private final String jdbcUrl = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

    private Blog blog(Roan roan) {
        Flyway.configure().dataSource(jdbcUrl, "sa", "").load().migrate();       // two seeded posts
        return new Blog(DSL.using(roan.attach(BlogApp.configuration(jdbcUrl, "sa", ""))));
    }

    @Test
    void deletingAPostPurgesTheListsByItsRules(Roan roan) {
        Explanation delete = roan.explain(DSL.using(SQLDialect.H2).deleteFrom(POST).where(POST.SLUG.eq("hello-roan")));

        assertThat(delete.paths()).containsExactlyInAnyOrder("/", "/posts");      // nothing executed, nothing sent
    }

    @Test
    void aNewPostPurgesTheHomePageAndTheList(Roan roan, RecordingCache cache) {
        blog(roan).createPost("Ada", "Caches, purged!", "Hi.");

        cache.assertPurgedExactly("/", "/posts");                // waits until Roan has delivered them
    }

    @Test
    void aCommentPurgesThePostPageThatShowedItsPost(Roan roan, RecordingCache cache) {
        Blog blog = blog(roan);
        roan.track("/posts/hello-roan", () -> blog.post("hello-roan"));   // rendered, as BlogHandler does

        blog.addComment("hello-roan", "Ken", "Agreed.");

        cache.assertPurgedExactly("/", "/posts", "/posts/hello-roan");
    }

    @Test
    void readingPurgesNothing(Roan roan, RecordingCache cache) {
        blog(roan).all();

        cache.assertNothingPurged();
    }

    @Test
    void aCacheThatFailsIsPurgedOnceItAnswersAgain(Roan roan, RecordingCache cache) {
        cache.failNext(2);                                       // 503 twice: Roan retries

        blog(roan).deletePost("hello-roan");

        cache.assertPurgedExactly("/", "/posts");
    }
}
