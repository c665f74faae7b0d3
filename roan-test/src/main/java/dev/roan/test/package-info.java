/**
 * Tests of an application's Roan rules: {@link dev.roan.test.RecordingCache}, a local purge endpoint that records what
 * Roan sends and asserts on it, and {@link dev.roan.test.RoanExtension}, a JUnit 5 extension that gives a test a
 * {@code Roan} pointed at one. For end-to-end tests with real caches and databases, see the program starters of
 * {@code dev.roan.testkit} ({@code Nginx}, {@code Varnish}, {@code Postgres}, {@code MariaDb}).
 *
 * @since 0.1.0
 */
@NullMarked
package dev.roan.test;

import org.jspecify.annotations.NullMarked;
