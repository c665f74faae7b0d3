/**
 * Roan for jOOQ: purges cached pages after the jOOQ writes that change them commit.
 *
 * <p>Start at {@link dev.roan.jooq.Roan}. Everything else in this package that is not public is an
 * implementation detail.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.roan.jooq;

import org.jspecify.annotations.NullMarked;
