package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** The user's {@link PurgeListener}s, called so that none of them can hurt delivery. */
final class Listeners {

    private static final System.Logger LOG = System.getLogger(Roan.class.getName());

    private final List<PurgeListener> listeners;
    private final AtomicBoolean warned = new AtomicBoolean();

    Listeners(List<PurgeListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    void delivered(String purgeUrl, String path, int status, Duration sinceRequested) {
        for (PurgeListener l : listeners) {
            try {
                l.purgeDelivered(purgeUrl, path, status, sinceRequested);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    void retried(String purgeUrl, String path) {
        for (PurgeListener l : listeners) {
            try {
                l.purgeRetried(purgeUrl, path);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    void failed(String purgeUrl, String path, String reason) {
        for (PurgeListener l : listeners) {
            try {
                l.purgeFailed(purgeUrl, path, reason);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    private void failed(PurgeListener listener, RuntimeException e) {
        if (warned.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "Roan's purge listener " + listener + " threw; Roan ignores it and goes on (logged"
                    + " once)", e);
        }
    }
}
