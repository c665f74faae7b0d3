/**
 * Roan for Spring: purges after Spring-managed transactions commit. Start at
 * {@link dev.roan.spring.SpringTransactionBoundary}.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.roan.spring;

import org.jspecify.annotations.NullMarked;
