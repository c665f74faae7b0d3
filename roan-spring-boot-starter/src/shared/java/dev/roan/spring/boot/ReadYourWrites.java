package dev.roan.spring.boot;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.roan.jooq.Roan;
import org.jspecify.annotations.Nullable;
import org.springframework.web.method.HandlerMethod;

/**
 * The wait of {@code roan.read-your-writes}: after a request that may have written, {@link Roan#awaitPurges} for the
 * purges of the request thread's commits, bounded. Shared by the interceptor and the response body advice: whichever
 * runs first waits, the other then finds nothing owed.
 */
final class ReadYourWrites {

    private static final System.Logger LOG = System.getLogger(ReadYourWrites.class.getName());

    /** The longest wait {@code roan.read-your-writes.timeout} may ask for: a request thread is held that long. */
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(30);

    private final Roan roan;
    private final Duration timeout;
    /**
     * This thread waited in the current request already: the second of the two hooks finds nothing owed and must not
     * be taken for a wait that succeeded. Cleared by {@link #clear}.
     */
    private final ThreadLocal<Boolean> waited = new ThreadLocal<>();
    /** The last wait timed out: further timeouts are logged at DEBUG only, until a wait succeeds again. */
    private final AtomicBoolean timingOut = new AtomicBoolean();

    ReadYourWrites(Roan roan, Duration timeout) {
        this.roan = roan;
        this.timeout = timeout;
        // Roan tracks each thread's purges from the first call on; before it, a call waits for everyone's.
        roan.awaitPurges(Duration.ZERO);
    }

    /** GET, HEAD, OPTIONS and TRACE do not write, by HTTP's rules: their responses never wait. */
    static boolean unsafe(String method) {
        return switch (method) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        };
    }

    /**
     * Names a handler for the log, as {@code OwnerController.processUpdate}: not the request's URI, which may carry
     * a secret (a password reset token in the path).
     */
    static String describe(@Nullable Object handler) {
        if (handler instanceof HandlerMethod method) {
            return method.getBeanType().getSimpleName() + "." + method.getMethod().getName();
        }
        return handler == null ? "the handler" : handler.getClass().getSimpleName();
    }

    /**
     * Waits for the purges of this thread's commits, if {@code method} may have written. Never throws.
     *
     * @param handler what handled the request, for the log, as {@link #describe} names it
     */
    void awaitAfter(String method, String handler) {
        if (!unsafe(method) || waited.get() != null) {
            return;
        }
        waited.set(Boolean.TRUE);
        boolean delivered;
        try {
            delivered = roan.awaitPurges(timeout);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "Roan's read-your-writes wait failed; the response goes on", e);
            return;
        }
        if (delivered) {
            if (timingOut.get()) {
                timingOut.set(false);
                LOG.log(Level.INFO, "Roan: responses after writes get their purges delivered in time again");
            }
        } else if (timingOut.compareAndSet(false, true)) {
            LOG.log(Level.INFO, () -> "Roan: the response to a " + method + " handled by " + handler + " waited "
                    + timeout + " (roan.read-your-writes.timeout) for the purges of its writes, which were not all delivered"
                    + " (a cache node is slow or down, see Roan's warnings); answered anyway, and the next page may"
                    + " be stale. Logged once until a wait succeeds again; further ones at DEBUG");
        } else {
            LOG.log(Level.DEBUG, () -> "Roan: the response to a " + method + " handled by " + handler + " waited "
                    + timeout + " for its purges; answered anyway");
        }
    }

    /** After the request: the thread's record is forgotten, so that its next request does not wait for this one's. */
    void clear() {
        waited.remove();
        try {
            roan.awaitPurges(Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "Roan could not clear the thread's read-your-writes record", e);
        }
    }

    Duration timeout() {
        return timeout;
    }
}
