package dev.roan.jooq;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;

import dev.roan.testkit.Nginx;
import dev.roan.testkit.Upstream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A site for tests through a real cache: the test schema on H2, an application ({@link Upstream}) whose pages are
 * rendered from it, and what the test puts in front of it (nginx, Varnish, Roans). Registered as a
 * {@code @RegisterExtension} field, it closes every part after the test, the last made first: a Roan before the cache
 * it purges, the cache before the application, the application before the database.
 */
final class SiteFixture implements AfterEachCallback {

    private final Deque<AutoCloseable> made = new ArrayDeque<>();
    private TestDb db;
    private Upstream app;

    /** Closes {@code part} after the test, before everything made earlier; returns it. */
    <T extends AutoCloseable> T closing(T part) {
        made.push(part);
        return part;
    }

    /** The H2 database with the test schema, made on first use. */
    TestDb db() {
        if (db == null) {
            db = closing(new TestDb());
        }
        return db;
    }

    /** Starts the application: each page is what {@code render} answers for its path, such as a read of {@link #db()}. */
    Upstream app(Function<String, String> render) {
        if (app != null) {
            throw new IllegalStateException("the application runs already: start it once per test");
        }
        app = closing(Upstream.start(render));
        return app;
    }

    /** The test kit's nginx in front of the {@linkplain #app application}. */
    Nginx nginx() {
        if (app == null) {
            throw new IllegalStateException("no application to cache: start it with app(render) first");
        }
        return closing(Nginx.builder(app.address()).start());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception failure = null;
        while (!made.isEmpty()) {
            try {
                made.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        db = null;
        app = null;
        if (failure != null) {
            throw failure;
        }
    }
}
