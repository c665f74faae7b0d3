package dev.roan.spring.boot;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.roan.jooq.Roan;
import org.jooq.DSLContext;
import org.jooq.impl.DefaultConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.Ordered;

/**
 * Attaches Roan to the {@code DefaultConfiguration} of Boot's {@code DSLContext} with {@link Roan#attachInPlace}:
 * Boot's hook ({@code DefaultConfigurationCustomizer}, in a package of its own in each Boot version, which each
 * starter's {@code RoanJooqConfigurationCustomizer} implements by calling {@link #attach}) hands over the
 * configuration it will use and ignores anything returned. Ordered last, so that customizers of the application that
 * set listeners or a transaction provider run before and are kept. Once every singleton exists, it attaches again,
 * which adds only what is missing (rules that beans register after Boot built the {@code DSLContext} need nothing:
 * Roan has no record listener). At startup it warns about {@code DSLContext} beans that {@link Roan#isAttached} says
 * run without Roan, such as those the application built itself.
 */
abstract class RoanConfigurationAttacher implements Ordered, SmartInitializingSingleton {

    private static final System.Logger LOG = System.getLogger(RoanConfigurationAttacher.class.getName());

    private final ObjectProvider<Roan> roan;
    private final ObjectProvider<DSLContext> dslContexts;
    private volatile boolean customized;
    /** Boot's configurations this customized, attached again once every bean exists. */
    private final List<DefaultConfiguration> configurations = new CopyOnWriteArrayList<>();

    RoanConfigurationAttacher(ObjectProvider<Roan> roan, ObjectProvider<DSLContext> dslContexts) {
        this.roan = roan;
        this.dslContexts = dslContexts;
    }

    /** Boot's hook: {@code configuration} is the one Boot's {@code DSLContext} will run with. */
    final void attach(DefaultConfiguration configuration) {
        roan.getObject().attachInPlace(configuration);
        configurations.add(configuration);
        customized = true;
    }

    @Override
    public void afterSingletonsInstantiated() {
        // Attaching again adds only what is missing: rules registered by beans after Boot built its DSLContext need
        // nothing more since Roan has no record listener.
        Roan current = roan.getIfAvailable();
        if (current != null && !current.isClosed()) {
            configurations.forEach(current::attachInPlace);
        }
        int unattached = unattached();
        if (unattached > 0) {
            LOG.log(Level.WARNING, "Roan is not attached to " + unattached + " of the application's DSLContext beans:"
                    + " the application builds them itself, not from Spring Boot's jOOQ configuration. Their writes"
                    + " purge nothing until you attach the Roan bean: DSL.using(roan.attach(configuration))");
        }
    }

    /** How many DSLContext beans run without Roan. */
    int unattached() {
        Roan current = roan.getIfAvailable();
        if (current == null) {
            return 0;
        }
        List<DSLContext> without = new ArrayList<>();
        dslContexts.stream().forEach(dsl -> {
            try {
                if (!current.isAttached(dsl.configuration())) {
                    without.add(dsl);
                }
            } catch (RuntimeException e) {
                // Only a diagnostic: never fail startup over it.
                LOG.log(Level.DEBUG, "Could not tell whether Roan is attached to " + dsl, e);
            }
        });
        return without.size();
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public String toString() {
        return "RoanJooqConfigurationCustomizer[customized=" + customized + "]";
    }
}
