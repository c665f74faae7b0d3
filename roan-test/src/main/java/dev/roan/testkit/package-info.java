/**
 * Real programs for end-to-end tests, started by the test itself: {@link dev.roan.testkit.Nginx} (with
 * ngx_cache_purge), {@link dev.roan.testkit.Varnish} (with or without the xkey vmod), {@link dev.roan.testkit.Postgres}
 * and {@link dev.roan.testkit.MariaDb}, each on a free loopback port in a temporary folder that {@code close()}
 * deletes, stopped by its own process id; {@link dev.roan.testkit.Upstream} stands in for the application behind a
 * cache, and {@link dev.roan.testkit.RawHttp} reads pages through it.
 *
 * <p>The programs must be installed (Debian or Ubuntu: {@code apt-get install nginx libnginx-mod-http-cache-purge
 * varnish varnish-modules postgresql mariadb-server}). When one is missing the calling test is skipped with a message
 * that names the package, or fails when the environment variable {@code CI} is {@code true}
 * ({@link dev.roan.testkit.Programs}): a build server never passes by skipping. JUnit 5 must be on the test class path.
 *
 * <p>Also here: local stand-ins for purge endpoints and CDN APIs that Roan's own tests use
 * ({@link dev.roan.testkit.PurgeServer}, {@link dev.roan.testkit.FastlyEndpoint},
 * {@link dev.roan.testkit.CloudflareEndpoint}) and {@link dev.roan.testkit.JavaProcess}, a child JVM a test can kill.
 * For tests of an application's rules, start with {@link dev.roan.test.RoanExtension}.
 *
 * @since 0.1.0
 */
package dev.roan.testkit;
