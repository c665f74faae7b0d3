/**
 * Roan's Spring Boot starters: a {@link dev.roan.jooq.Roan} bean from {@code roan.*} properties, attached to the
 * {@code DSLContext} Spring Boot's jOOQ auto-configuration creates. Start at
 * {@link dev.roan.spring.boot.RoanAutoConfiguration}. The same package, and the same classes, in
 * {@code roan-spring-boot-starter} (Spring Boot 4) and {@code roan-spring-boot3-starter} (Spring Boot 3.5): an
 * application's {@link dev.roan.spring.boot.RoanCustomizer} beans work on both.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.roan.spring.boot;

import org.jspecify.annotations.NullMarked;
