package dev.roan.spring.boot;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.roan.jooq.Roan;

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

    /** Waits for the purges of this thread's commits, if {@code method} may have written. Never throws. */
    void awaitAfter(String method, String uri) {
        if (!unsafe(method)) {
            return;
        }
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
            LOG.log(Level.INFO, () -> "Roan: the response to " + method + " " + uri + " waited " + timeout
                    + " (roan.read-your-writes.timeout) for the purges of its writes, which were not all delivered"
                    + " (a cache node is slow or down, see Roan's warnings); answered anyway, and the next page may"
                    + " be stale. Logged once until a wait succeeds again; further ones at DEBUG");
        } else {
            LOG.log(Level.DEBUG, () -> "Roan: the response to " + method + " " + uri + " waited " + timeout
                    + " for its purges; answered anyway");
        }
    }

    /** After the request: the thread's record is forgotten, so that its next request does not wait for this one's. */
    void clear() {
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
