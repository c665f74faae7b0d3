package dev.roan.example.spring;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Plain HTML for the blog's pages, with forms a person can click through. */
final class Pages {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Pages() {
    }

    static String home(List<Blog.Summary> latest) {
        StringBuilder html = new StringBuilder("<h1>Latest posts</h1>\n");
        summaries(html, latest, false);
        html.append("<p><a href=\"/posts\">All posts</a></p>\n");
        html.append("""
                <h2 id="write">Write a post</h2>
                <form method="post" action="/posts">
                  <p><label>Your name<br><input name="author" required maxlength="%d"></label></p>
                  <p><label>Title<br><input name="title" required maxlength="%d"></label></p>
                  <p><label>Address /posts/… (optional, from the title if empty)<br><input name="slug" maxlength="80"></label></p>
                  <p><label>Text<br><textarea name="body" rows="6" maxlength="%d"></textarea></label></p>
                  <p><button>Publish</button></p>
                </form>
                """.formatted(Blog.MAX_NAME, Blog.MAX_TITLE, Blog.MAX_BODY));
        return page("Roan blog", html);
    }

    static String list(List<Blog.Summary> posts) {
        StringBuilder html = new StringBuilder("<h1>All posts</h1>\n");
        summaries(html, posts, true);
        html.append("<p><a href=\"/#write\">Write a post</a></p>\n");
        return page("All posts", html);
    }

    static String post(Blog.Page page) {
        Blog.Summary post = page.post();
        String slug = escape(post.slug());
        StringBuilder html = new StringBuilder()
                .append("<h1>").append(escape(post.title())).append("</h1>\n")
                .append("<p class=\"meta\">by ").append(escape(post.author()))
                .append(", ").append(DAY.format(post.createdAt())).append("</p>\n");
        for (String paragraph : page.body().split("\\R\\s*\\R")) {
            if (!paragraph.isBlank()) {
                html.append("<p>").append(escape(paragraph.strip())).append("</p>\n");
            }
        }
        html.append("<h2>Comments</h2>\n");
        if (page.comments().isEmpty()) {
            html.append("<p>No comments yet.</p>\n");
        }
        for (Blog.Comment comment : page.comments()) {
            html.append("<blockquote>").append(escape(comment.body()))
                    .append("<br><small>").append(escape(comment.author())).append(", ")
                    .append(DAY.format(comment.createdAt())).append("</small></blockquote>\n");
        }
        html.append("""
                <form method="post" action="/posts/%1$s/comments">
                  <p><label>Your name<br><input name="author" required maxlength="%2$d"></label></p>
                  <p><label>Comment<br><textarea name="body" rows="3" required maxlength="%3$d"></textarea></label></p>
                  <p><button>Add comment</button></p>
                </form>
                <form method="post" action="/posts/%1$s/delete">
                  <p><button>Delete this post</button></p>
                </form>
                """.formatted(slug, Blog.MAX_NAME, Blog.MAX_COMMENT));
        return page(post.title(), html);
    }

    static String error(int status, String message) {
        return page("Error " + status, new StringBuilder()
                .append("<h1>").append(status).append("</h1>\n<p>").append(escape(message)).append("</p>\n")
                .append("<p><a href=\"/\">Home</a></p>\n"));
    }

    private static void summaries(StringBuilder html, List<Blog.Summary> posts, boolean withComments) {
        if (posts.isEmpty()) {
            html.append("<p>No posts yet.</p>\n");
            return;
        }
        html.append("<ul>\n");
        for (Blog.Summary post : posts) {
            html.append("  <li><a href=\"/posts/").append(escape(post.slug())).append("\">")
                    .append(escape(post.title())).append("</a> <span class=\"meta\">by ")
                    .append(escape(post.author())).append(", ").append(DAY.format(post.createdAt()));
            if (withComments) {
                html.append(", ").append(post.comments()).append(post.comments() == 1 ? " comment" : " comments");
            }
            html.append("</span></li>\n");
        }
        html.append("</ul>\n");
    }

    private static String page(String title, CharSequence main) {
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s</title>
                <style>
                  body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
                  input, textarea { width: 100%%; box-sizing: border-box; font: inherit; }
                  .meta, footer { color: #666; }
                  blockquote { margin: 1rem 0; padding-left: 1rem; border-left: 3px solid #ccc; }
                </style>
                </head>
                <body>
                <nav><a href="/">Home</a> · <a href="/posts">All posts</a></nav>
                <main>
                %s</main>
                <footer><p>Rendered at %s. Behind nginx this time stays put while the page is cached,
                and moves on once a write purges it.</p></footer>
                </body>
                </html>
                """.formatted(escape(title), main, TIME.format(LocalTime.now()));
    }

    /** Escapes text for HTML element content and double-quoted attribute values. */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
