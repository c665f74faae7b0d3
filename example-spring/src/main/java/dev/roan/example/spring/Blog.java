package dev.roan.example.spring;

import static dev.roan.example.spring.jooq.Tables.AUTHOR;
import static dev.roan.example.spring.jooq.Tables.COMMENT;
import static dev.roan.example.spring.jooq.Tables.POST;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.select;

import dev.roan.example.spring.jooq.tables.records.PostRecord;
import java.text.Normalizer;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record5;
import org.jooq.Records;
import org.jooq.SelectOnConditionStep;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The blog's reads and writes, all through Boot's jOOQ {@code DSLContext} and so all seen by Roan.
 *
 * <p>Each write is one {@code @Transactional} method: Spring owns the transaction, and the starter's Spring boundary
 * holds Roan's purges until Spring's commit, dropping them on a rollback. No {@code dsl.transaction(...)} here.
 */
@Service
public class Blog {

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
    @Transactional(readOnly = true)
    public List<Summary> latest(int limit) {
        return summaries()
                .orderBy(POST.CREATED_AT.desc(), POST.ID.desc())
                .limit(limit)
                .fetch(Records.mapping(Summary::new));
    }

    /** Every post, the newest first. */
    @Transactional(readOnly = true)
    public List<Summary> all() {
        return summaries()
                .orderBy(POST.CREATED_AT.desc(), POST.ID.desc())
                .fetch(Records.mapping(Summary::new));
    }

    @Transactional(readOnly = true)
    public Optional<Page> post(String slug) {
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
     * <p>Without a {@code wantedSlug} the slug comes from the title, with {@code -2}, {@code -3}... appended until it
     * is free. With one, that slug or nothing: when another post has it, the database's unique constraint rejects the
     * insert, after the new author's, and Spring rolls both back; Boot's jOOQ translates the error into Spring's
     * {@link org.springframework.dao.DuplicateKeyException}, which {@link BlogController} answers with 409. Roan
     * drops the purges of that transaction's writes: nothing changed.
     *
     * @param wantedSlug the slug the writer asked for, already made a slug by {@link #slug(String)}, or null
     */
    @Transactional
    public String createPost(String authorName, String title, String body, String wantedSlug) {
        Long authorId = dsl.select(AUTHOR.ID).from(AUTHOR).where(AUTHOR.NAME.eq(authorName)).fetchOne(AUTHOR.ID);
        if (authorId == null) {
            authorId = dsl.insertInto(AUTHOR, AUTHOR.NAME).values(authorName).returningResult(AUTHOR.ID).fetchSingle().value1();
        }
        String slug = wantedSlug != null ? wantedSlug : freeSlug(slug(title));
        dsl.insertInto(POST)
                .set(POST.AUTHOR_ID, authorId)
                .set(POST.SLUG, slug)
                .set(POST.TITLE, title)
                .set(POST.BODY, body)
                .execute();
        return slug;
    }

    /**
     * Adds a comment to the post and touches the post, in one transaction; false if there is no such post.
     *
     * <p>As in the plain example: the comment row holds only {@code post_id}, so the post's own row is written too,
     * through the {@link PostRecord} loaded to find its id ({@code store()} updates by primary key, and the record
     * knows the slug), which purges {@code /posts/{slug}} once Spring commits.
     */
    @Transactional
    public boolean addComment(String slug, String authorName, String body) {
        PostRecord post = dsl.fetchOne(POST, POST.SLUG.eq(slug));
        if (post == null) {
            return false;
        }
        dsl.insertInto(COMMENT)
                .set(COMMENT.POST_ID, post.getId())
                .set(COMMENT.AUTHOR_NAME, authorName)
                .set(COMMENT.BODY, body)
                .execute();
        post.setUpdatedAt(LocalDateTime.now());
        post.store();
        return true;
    }

    /** Deletes the post and its comments in one transaction; false if there is no such post. */
    @Transactional
    public boolean deletePost(String slug) {
        dsl.deleteFrom(COMMENT)
                .where(COMMENT.POST_ID.in(select(POST.ID).from(POST).where(POST.SLUG.eq(slug))))
                .execute();
        return dsl.deleteFrom(POST).where(POST.SLUG.eq(slug)).execute() > 0;
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

    private String freeSlug(String slug) {
        String candidate = slug;
        for (int n = 2; dsl.fetchExists(POST, POST.SLUG.eq(candidate)); n++) {
            candidate = slug + "-" + n;
        }
        return candidate;
    }
}
