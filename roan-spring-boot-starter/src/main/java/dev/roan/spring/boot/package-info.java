/**
 * Roan's Spring Boot starter: a {@link dev.roan.jooq.Roan} bean from {@code roan.*} properties, attached to the
 * {@code DSLContext} Spring Boot's jOOQ auto-configuration creates. Start at
 * {@link dev.roan.spring.boot.RoanAutoConfiguration}.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.roan.spring.boot;

import org.jspecify.annotations.NullMarked;
