package dev.roan.jooq;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** The user's {@link PurgeListener}s, called so that none of them can hurt delivery. */
final class Listeners {

    private static final System.Logger LOG = Log.LOGGER;

    private final List<PurgeListener> listeners;
    private final AtomicBoolean warned = new AtomicBoolean();

    Listeners(List<PurgeListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Whether no listener is registered, so that events need not be built at all. */
    boolean isEmpty() {
        return listeners.isEmpty();
    }

    void tell(PurgeEvent event) {
        for (PurgeListener l : listeners) {
            try {
                l.onPurge(event);
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
