package dev.roan.example.spring;

import static dev.roan.example.spring.jooq.Tables.AUTHOR;
import static dev.roan.example.spring.jooq.Tables.COMMENT;
import static dev.roan.example.spring.jooq.Tables.POST;

import dev.roan.spring.boot.RoanCustomizer;
import org.jooq.conf.RenderQuotedNames;
import org.springframework.boot.jooq.autoconfigure.DefaultConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The blog's purge rules and its jOOQ settings. */
@Configuration(proxyBeanMethods = false)
class BlogConfiguration {

    /**
     * The same rules as the plain example's {@code BlogApp}, registered on the starter's {@code Roan} bean.
     *
     * <p>Every page that shows a post or an author's name is purged when one of those tables is written; the list
     * also shows how many comments each post has. A post's own page is filled from the slug of the written row: a new
     * post and a deleted one name it in the statement, and a new comment touches its post through the post's record
     * ({@link Blog#addComment}), which knows the slug. Should a write not name its posts, Roan purges the list instead
     * and logs a warning naming the statement.
     */
    @Bean
    RoanCustomizer blogPages() {
        return roan -> {
            roan.purge("/").onWrite(POST, AUTHOR);
            roan.purge("/posts").onWrite(POST, AUTHOR, COMMENT);
            roan.purge("/posts/{slug}").onWrite(POST).whenRowsUnknown("/posts");
        };
    }

    /**
     * The migrations use unquoted names, which H2 folds to upper case and PostgreSQL to lower case: rendering the
     * generated names unquoted lets each database fold them its own way again.
     */
    @Bean
    DefaultConfigurationCustomizer unquotedNames() {
        return configuration -> configuration.settings().withRenderQuotedNames(RenderQuotedNames.NEVER);
    }
}
