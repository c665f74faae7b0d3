package dev.roan.example.spring;

import java.net.URI;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The blog's pages and form posts, the same as the plain example's {@code BlogHandler}.
 *
 * <pre>
 * GET  /                          latest posts, and a form to write one
 * GET  /posts                     all posts
 * GET  /posts/{slug}              a post with its comments
 * POST /posts                     author, title, body, optional slug: creates a post
 * POST /posts/{slug}/comments     author, body: adds a comment
 * POST /posts/{slug}/delete       deletes the post and its comments
 * </pre>
 */
@Controller
@ResponseBody
class BlogController {

    private static final String HTML = MediaType.TEXT_HTML_VALUE + ";charset=UTF-8";
    private static final String SLUG = "{slug:[a-z0-9-]+}";
    private static final int HOME_POSTS = 5;

    private final Blog blog;

    BlogController(Blog blog) {
        this.blog = blog;
    }

    @GetMapping(path = "/", produces = HTML)
    String home() {
        return Pages.home(blog.latest(HOME_POSTS));
    }

    @GetMapping(path = "/posts", produces = HTML)
    String list() {
        return Pages.list(blog.all());
    }

    @GetMapping(path = "/posts/" + SLUG, produces = HTML)
    String post(@PathVariable String slug) {
        return blog.post(slug).map(Pages::post)
                .orElseThrow(() -> new BadRequest(HttpStatus.NOT_FOUND, "There is no post " + slug + "."));
    }

    @PostMapping("/posts")
    ResponseEntity<Void> createPost(@RequestParam(defaultValue = "") String author,
            @RequestParam(defaultValue = "") String title, @RequestParam(defaultValue = "") String body,
            @RequestParam(defaultValue = "") String slug) {
        String wanted = field("slug", slug, 80, false);
        String created;
        try {
            created = blog.createPost(field("author", author, Blog.MAX_NAME, true),
                    field("title", title, Blog.MAX_TITLE, true), field("body", body, Blog.MAX_BODY, false),
                    wanted.isEmpty() ? null : Blog.slug(wanted));
        } catch (DuplicateKeyException e) {
            throw new BadRequest(HttpStatus.CONFLICT, "There is already a post at /posts/" + Blog.slug(wanted)
                    + "; choose another address, or leave it empty.");
        }
        return redirectAfterWrite("/posts/" + created);
    }

    @PostMapping("/posts/" + SLUG + "/comments")
    ResponseEntity<Void> addComment(@PathVariable String slug, @RequestParam(defaultValue = "") String author,
            @RequestParam(defaultValue = "") String body) {
        if (!blog.addComment(slug, field("author", author, Blog.MAX_NAME, true),
                field("body", body, Blog.MAX_COMMENT, true))) {
            throw new BadRequest(HttpStatus.NOT_FOUND, "There is no post " + slug + " to comment on.");
        }
        return redirectAfterWrite("/posts/" + slug);
    }

    @PostMapping("/posts/" + SLUG + "/delete")
    ResponseEntity<Void> deletePost(@PathVariable String slug) {
        if (!blog.deletePost(slug)) {
            throw new BadRequest(HttpStatus.NOT_FOUND, "There is no post " + slug + " to delete.");
        }
        return redirectAfterWrite("/posts");
    }

    @ExceptionHandler(BadRequest.class)
    ResponseEntity<String> badRequest(BadRequest e) {
        return ResponseEntity.status(e.status).contentType(MediaType.parseMediaType(HTML))
                .body(Pages.error(e.status.value(), e.getMessage()));
    }

    /**
     * Redirects after a write. With {@code roan.read-your-writes.enabled} (application.properties) the starter holds
     * this response until the write's purges are delivered, at most {@code roan.read-your-writes.timeout}.
     */
    private ResponseEntity<Void> redirectAfterWrite(String location) {
        return ResponseEntity.status(HttpStatus.SEE_OTHER).location(URI.create(location)).build();
    }

    private static String field(String name, String value, int maxLength, boolean required) {
        String stripped = value.strip();
        if (required && stripped.isEmpty()) {
            throw new BadRequest(HttpStatus.BAD_REQUEST, "Please fill in " + name + ".");
        }
        if (stripped.length() > maxLength) {
            throw new BadRequest(HttpStatus.BAD_REQUEST, name + " must be at most " + maxLength + " characters long.");
        }
        return stripped;
    }

    /** A request the blog answers with an error page rather than a log entry. */
    static final class BadRequest extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final HttpStatus status;

        BadRequest(HttpStatus status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
