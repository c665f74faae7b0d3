package dev.roan.spring.boot;

import dev.roan.jooq.Roan;

/**
 * Registers rules on the auto-configured {@link Roan}: declare beans of this type, and each is called once, at
 * startup, before the {@code Roan} bean is handed to anyone.
 *
 * <pre>{@code
 * @Bean
 * RoanCustomizer blogPages() {
 *     return roan -> {
 *         roan.purge("/posts").onWrite(POST);
 *         roan.purge("/posts/{slug}").onWrite(POST).whenRowsUnknown("/posts");
 *     };
 * }
 * }</pre>
 *
 * <p>Customizers run in the order of {@code @Order} or {@code Ordered}. A customizer must not depend on the
 * {@code DSLContext}: the context builds it only after Roan.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface RoanCustomizer {

    /**
     * Customizes Roan, typically by registering rules with {@link Roan#purge(String)}.
     *
     * @param roan the auto-configured Roan
     */
    void customize(Roan roan);
}
