package dev.roan.spring.boot;

import dev.roan.jooq.Roan;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Closes the {@code Roan} bean while the application context closes, before Boot's logging system shuts down: Boot
 * stops logging in a lifecycle phase ({@code Integer.MIN_VALUE + 1}) that comes before the beans' destroy methods, so
 * the lines Roan writes while it delivers the last purges (DEBUG per purge, WARNING for what stays owed, ERROR for
 * what is dropped) would go nowhere if the bean's own {@code close} were the first. Stopping the context without
 * closing it leaves Roan running.
 */
final class RoanShutdown implements SmartLifecycle, ApplicationListener<ContextClosedEvent>, ApplicationContextAware {

    /** After every other lifecycle (web servers, listener containers, schedulers), before Boot's logging. */
    static final int PHASE = Integer.MIN_VALUE + 1000;

    private final ObjectProvider<Roan> roan;
    private volatile ApplicationContext context;
    private volatile boolean running;
    private volatile boolean closing;

    RoanShutdown(ObjectProvider<Roan> roan) {
        this.roan = roan;
    }

    @Override
    public void setApplicationContext(ApplicationContext context) {
        this.context = context;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        // Published before the lifecycle beans stop, and only when a context closes: a child context's reaches its
        // parent's listeners too.
        if (event.getApplicationContext() == context) {
            closing = true;
        }
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        if (closing) {
            roan.ifUnique(Roan::close);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
