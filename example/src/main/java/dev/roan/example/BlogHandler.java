package dev.roan.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes the blog's requests: pages on GET, writes on POST (form posts, answered with a redirect).
 *
 * <pre>
 * GET  /                          latest posts, and a form to write one
 * GET  /posts                     all posts
 * GET  /posts/{slug}              a post with its comments
 * POST /posts                     author, title, body: creates a post
 * POST /posts/{slug}/comments     author, body: adds a comment
 * POST /posts/{slug}/delete       deletes the post and its comments
 * </pre>
 */
final class BlogHandler implements HttpHandler {

    private static final System.Logger LOG = System.getLogger(BlogHandler.class.getName());
    private static final Pattern POST_PAGE = Pattern.compile("/posts/([a-z0-9-]+)");
    private static final Pattern POST_ACTION = Pattern.compile("/posts/([a-z0-9-]+)/(comments|delete)");
    private static final int MAX_FORM_BYTES = 64 * 1024;
    private static final int HOME_POSTS = 5;

    /** Renders a page while Roan records what it reads: {@code roan::track}. */
    interface Tracker {
        <T> T track(String url, Supplier<T> render);
    }

    private final Blog blog;
    private final Runnable awaitPurges;
    private final Tracker tracker;

    /**
     * @param awaitPurges run after each write and before its redirect, so that the page the browser asks for next has
     *     already been purged
     * @param tracker     renders a post's page while Roan records its reads ({@code roan::track})
     */
    BlogHandler(Blog blog, Runnable awaitPurges, Tracker tracker) {
        this.blog = blog;
        this.awaitPurges = awaitPurges;
        this.tracker = tracker;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            route(exchange);
        } catch (BadRequest e) {
            if (e.status == 405) {
                exchange.getResponseHeaders().set("Allow", e.allow);
            }
            send(exchange, e.status, Pages.error(e.status, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, () -> exchange.getRequestMethod() + " " + exchange.getRequestURI() + " failed", e);
            send(exchange, 500, Pages.error(500, "Something went wrong; the log says what."));
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        boolean read = isRead(exchange);
        boolean write = "POST".equals(exchange.getRequestMethod());
        Matcher page = POST_PAGE.matcher(path);
        Matcher action = POST_ACTION.matcher(path);

        if (path.equals("/")) {
            require(read, "GET");
            send(exchange, 200, Pages.home(blog.latest(HOME_POSTS)));
        } else if (path.equals("/posts")) {
            require(read || write, "GET, POST");
            if (read) {
                send(exchange, 200, Pages.list(blog.all()));
            } else {
                createPost(exchange);
            }
        } else if (page.matches()) {
            require(read, "GET");
            // Tracked: the page depends on what its render read (the post by slug, its author, its comments by
            // post_id), and the URL is the one nginx keys it by. A missing post's page is tracked too: creating the
            // post purges it.
            String url = exchange.getRequestURI().getRawPath();
            String html = tracker.track(url, () -> blog.post(page.group(1)).map(Pages::post))
                    .orElseThrow(() -> new BadRequest(404, "There is no post " + page.group(1) + "."));
            send(exchange, 200, html);
        } else if (action.matches()) {
            require(write, "POST");
            if (action.group(2).equals("comments")) {
                addComment(exchange, action.group(1));
            } else {
                deletePost(exchange, action.group(1));
            }
        } else {
            throw new BadRequest(404, "There is no page " + path + ".");
        }
    }

    private void createPost(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(exchange);
        String author = field(form, "author", Blog.MAX_NAME, true);
        String title = field(form, "title", Blog.MAX_TITLE, true);
        String body = field(form, "body", Blog.MAX_BODY, false);
        String slug = blog.createPost(author, title, body);
        redirectAfterWrite(exchange, "/posts/" + slug);
    }

    private void addComment(HttpExchange exchange, String slug) throws IOException {
        Map<String, String> form = form(exchange);
        String author = field(form, "author", Blog.MAX_NAME, true);
        String body = field(form, "body", Blog.MAX_COMMENT, true);
        if (!blog.addComment(slug, author, body)) {
            throw new BadRequest(404, "There is no post " + slug + " to comment on.");
        }
        redirectAfterWrite(exchange, "/posts/" + slug);
    }

    private void deletePost(HttpExchange exchange, String slug) throws IOException {
        if (!blog.deletePost(slug)) {
            throw new BadRequest(404, "There is no post " + slug + " to delete.");
        }
        redirectAfterWrite(exchange, "/posts");
    }

    private void redirectAfterWrite(HttpExchange exchange, String location) throws IOException {
        awaitPurges.run();
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(303, -1);
    }

    private static boolean isRead(HttpExchange exchange) {
        return "GET".equals(exchange.getRequestMethod()) || "HEAD".equals(exchange.getRequestMethod());
    }

    private static void require(boolean allowed, String methods) {
        if (!allowed) {
            throw new BadRequest(405, "This page takes " + methods + " only.", methods);
        }
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_FORM_BYTES + 1);
        }
        if (bytes.length > MAX_FORM_BYTES) {
            throw new BadRequest(413, "The form is larger than " + MAX_FORM_BYTES / 1024 + " KiB.");
        }
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(bytes, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                form.putIfAbsent(name, value);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(400, "The form is not URL-encoded: " + e.getMessage());
            }
        }
        return form;
    }

    private static String field(Map<String, String> form, String name, int maxLength, boolean required) {
        String value = form.getOrDefault(name, "").strip();
        if (required && value.isEmpty()) {
            throw new BadRequest(400, "Please fill in " + name + ".");
        }
        if (value.length() > maxLength) {
            throw new BadRequest(400, name + " must be at most " + maxLength + " characters long.");
        }
        return value;
    }

    private static void send(HttpExchange exchange, int status, String html) throws IOException {
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A request the blog answers with an error page rather than a log entry. */
    private static final class BadRequest extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final int status;
        final String allow;

        BadRequest(int status, String message) {
            this(status, message, "");
        }

        BadRequest(int status, String message, String allow) {
            super(message, null, false, false);
            this.status = status;
            this.allow = allow;
        }
    }
}
