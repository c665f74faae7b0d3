package dev.roan.spring.boot;

import dev.roan.jooq.Roan;
import org.jooq.DSLContext;
import org.jooq.impl.DefaultConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.jooq.autoconfigure.DefaultConfigurationCustomizer;

/** Spring Boot 4's jOOQ hook, {@code org.springframework.boot.jooq.autoconfigure}: see {@link RoanConfigurationAttacher}. */
final class RoanJooqConfigurationCustomizer extends RoanConfigurationAttacher implements DefaultConfigurationCustomizer {

    RoanJooqConfigurationCustomizer(ObjectProvider<Roan> roan, ObjectProvider<DSLContext> dslContexts) {
        super(roan, dslContexts);
    }

    @Override
    public void customize(DefaultConfiguration configuration) {
        attach(configuration);
    }
}
