package dev.roan.jooq;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.roan.testkit.PurgeServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Answers of a purge endpoint ({@code cache.respond(held)}): 200 at once, except for paths starting with a prefix,
 * whose answers wait until the test calls {@link #release()} (at most 30 seconds): a purge on the wire for as long as
 * a test needs. Registered as a {@code @RegisterExtension} field, it releases what is still held after each test, so
 * that closing Roan does not wait.
 */
final class HeldAnswers implements Function<String, PurgeServer.Answer>, AfterEachCallback {

    private final String prefix;
    private final CountDownLatch release = new CountDownLatch(1);

    /** Holds the answers to paths starting with {@code prefix}, such as {@code "/held"}. */
    HeldAnswers(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public PurgeServer.Answer apply(String path) {
        if (path.startsWith(prefix)) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return PurgeServer.Answer.status(200);
    }

    /** Answers what is held and what will be asked from now on. */
    void release() {
        release.countDown();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        release();
    }
}
