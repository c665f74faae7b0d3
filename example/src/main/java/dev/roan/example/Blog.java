package dev.roan.example;

import static dev.roan.example.jooq.Tables.AUTHOR;
import static dev.roan.example.jooq.Tables.COMMENT;
import static dev.roan.example.jooq.Tables.POST;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.select;

import dev.roan.example.jooq.tables.records.PostRecord;
import java.text.Normalizer;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.DeleteConditionStep;
import org.jooq.Record5;
import org.jooq.Records;
import org.jooq.SelectOnConditionStep;

/** The blog's reads and writes, all through jOOQ and so all seen by Roan: the writes, and the reads of tracked pages. */
final class Blog {

    static final int MAX_NAME = 100;
    static final int MAX_TITLE = 200;
    static final int MAX_BODY = 10_000;
    static final int MAX_COMMENT = 2_000;

    private final DSLContext dsl;

    Blog(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** A post as the home page and the list show it. */
    record Summary(String slug, String title, String author, LocalDateTime createdAt, int comments) {
    }

    /** A post with its comments, oldest first. */
    record Page(Summary post, String body, List<Comment> comments) {
    }

    record Comment(String author, String body, LocalDateTime createdAt) {
    }

    /** The newest posts first. */
    List<Summary> latest(int limit) {
        return summaries()
                .orderBy(POST.CREATED_AT.desc(), POST.ID.desc())
                .limit(limit)
                .fetch(Records.mapping(Summary::new));
    }

    /** Every post, the newest first. */
    List<Summary> all() {
        return summaries()
                .orderBy(POST.CREATED_AT.desc(), POST.ID.desc())
                .fetch(Records.mapping(Summary::new));
    }

    Optional<Page> post(String slug) {
        return dsl.select(POST.ID, POST.SLUG, POST.TITLE, AUTHOR.NAME, POST.CREATED_AT, POST.BODY)
                .from(POST)
                .join(AUTHOR).on(AUTHOR.ID.eq(POST.AUTHOR_ID))
                .where(POST.SLUG.eq(slug))
                .fetchOptional()
                .map(r -> {
                    List<Comment> comments = dsl.select(COMMENT.AUTHOR_NAME, COMMENT.BODY, COMMENT.CREATED_AT)
                            .from(COMMENT)
                            .where(COMMENT.POST_ID.eq(r.value1()))
                            .orderBy(COMMENT.CREATED_AT, COMMENT.ID)
                            .fetch(Records.mapping(Comment::new));
                    return new Page(new Summary(r.value2(), r.value3(), r.value4(), r.value5(), comments.size()),
                            r.value6(), comments);
                });
    }

    /**
     * Creates a post, and its author if the name is new, in one transaction; returns the new post's slug.
     *
     * <p>Roan holds the purges of both inserts until the commit and sends each path once.
     */
    String createPost(String authorName, String title, String body) {
        return dsl.transactionResult(transaction -> {
            DSLContext tx = transaction.dsl();
            Long authorId = tx.select(AUTHOR.ID).from(AUTHOR).where(AUTHOR.NAME.eq(authorName)).fetchOne(AUTHOR.ID);
            if (authorId == null) {
                authorId = tx.insertInto(AUTHOR, AUTHOR.NAME).values(authorName).returningResult(AUTHOR.ID).fetchSingle().value1();
            }
            String slug = freeSlug(tx, slug(title));
            tx.insertInto(POST)
                    .set(POST.AUTHOR_ID, authorId)
                    .set(POST.SLUG, slug)
                    .set(POST.TITLE, title)
                    .set(POST.BODY, body)
                    .execute();
            return slug;
        });
    }

    /**
     * Adds a comment to the post and touches the post, in one transaction; false if there is no such post.
     *
     * <p>The post's page shows its comments; it is rendered inside {@code roan.track}, which saw it read them by
     * {@code post_id}, so the new comment's row purges it. The touch ({@code updated_at}, through the
     * {@link PostRecord} loaded to find the post's id, as Rails' {@code touch: true}) is the blog's own bookkeeping;
     * it was what purged the page when the page was a rule on {@code /posts/{slug}} (a comment row names no slug),
     * and it also purges {@code /}, whose rule is on {@code post}. Both purges wait for the commit.
     */
    boolean addComment(String slug, String authorName, String body) {
        return dsl.transactionResult(transaction -> {
            DSLContext tx = transaction.dsl();
            PostRecord post = tx.fetchOne(POST, POST.SLUG.eq(slug));
            if (post == null) {
                return false;
            }
            tx.insertInto(COMMENT)
                    .set(COMMENT.POST_ID, post.getId())
                    .set(COMMENT.AUTHOR_NAME, authorName)
                    .set(COMMENT.BODY, body)
                    .execute();
            post.setUpdatedAt(LocalDateTime.now());
            post.store();
            return true;
        });
    }

    /** Deletes the post and its comments in one transaction; false if there is no such post. */
    boolean deletePost(String slug) {
        return dsl.transactionResult(transaction -> {
            DSLContext tx = transaction.dsl();
            tx.deleteFrom(COMMENT)
                    .where(COMMENT.POST_ID.in(select(POST.ID).from(POST).where(POST.SLUG.eq(slug))))
                    .execute();
            return deletePostStatement(tx, slug).execute() > 0;
        });
    }

    /**
     * The statement that deletes a post: by slug, which fills {@code /posts/{slug}}. Its own method so that
     * {@code BlogAppTest} can ask Roan what it purges ({@code roan.explain}) without running it.
     */
    static DeleteConditionStep<PostRecord> deletePostStatement(DSLContext dsl, String slug) {
        return dsl.deleteFrom(POST).where(POST.SLUG.eq(slug));
    }

    private SelectOnConditionStep<Record5<String, String, String, LocalDateTime, Integer>> summaries() {
        return dsl.select(POST.SLUG, POST.TITLE, AUTHOR.NAME, POST.CREATED_AT,
                        field(select(count()).from(COMMENT).where(COMMENT.POST_ID.eq(POST.ID))))
                .from(POST)
                .join(AUTHOR).on(AUTHOR.ID.eq(POST.AUTHOR_ID));
    }

    /** {@code "Hello, Roan!"} becomes {@code "hello-roan"}. */
    static String slug(String title) {
        String slug = Normalizer.normalize(title, Normalizer.Form.NFKD)
                .replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-|-$", "");
        if (slug.length() > 80) {
            slug = slug.substring(0, 80).replaceAll("-$", "");
        }
        return slug.isEmpty() ? "post" : slug;
    }

    private static String freeSlug(DSLContext tx, String slug) {
        String candidate = slug;
        for (int n = 2; tx.fetchExists(POST, POST.SLUG.eq(candidate)); n++) {
            candidate = slug + "-" + n;
        }
        return candidate;
    }
}
