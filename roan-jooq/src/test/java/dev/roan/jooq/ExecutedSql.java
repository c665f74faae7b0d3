package dev.roan.jooq;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.jooq.Configuration;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.ExecuteListenerProvider;
import org.jooq.impl.DefaultExecuteListenerProvider;

/**
 * The SQL of every statement a configuration starts to execute, in order, Roan's own reads included: for tests that
 * check which reads Roan ran. {@link RoanFixture#executed()} puts one on the application's configuration.
 */
final class ExecutedSql implements ExecuteListener {

    private static final long serialVersionUID = 1L;

    private final List<String> executed = new CopyOnWriteArrayList<>();

    /** Adds this listener to {@code configuration}'s own, before Roan is attached to it. */
    Configuration on(Configuration configuration) {
        ExecuteListenerProvider[] present = configuration.executeListenerProviders();
        ExecuteListenerProvider[] with = Arrays.copyOf(present, present.length + 1);
        with[present.length] = new DefaultExecuteListenerProvider(this);
        return configuration.set(with);
    }

    @Override
    public void executeStart(ExecuteContext ctx) {
        if (ctx.sql() != null) {
            executed.add(ctx.sql());
        }
    }

    /**
     * The statements since the last call (or {@link #clear()}) whose SQL, in lower case, passes {@code which}, as
     * executed; every statement so far is forgotten.
     */
    List<String> take(Predicate<String> which) {
        List<String> taken = executed.stream().filter(sql -> which.test(sql.toLowerCase(Locale.ROOT))).toList();
        executed.clear();
        return taken;
    }

    /** Forgets the statements so far: the next {@link #take} starts here. */
    void clear() {
        executed.clear();
    }
}
