package dev.roan.jooq;

import java.time.Duration;

/**
 * How long tests wait for what should happen within milliseconds, such as a purge to arrive: generous by default, so
 * that a slow machine never fails a test, and short under mutation testing (the {@code mutation} profile sets
 * {@code roan.test.delivery-wait}), where a mutant that stops a purge should fail the test quickly instead of running
 * into pitest's timeout, which costs a restarted test JVM per mutant.
 */
final class Waits {

    /** The longest wait for a purge that should arrive. */
    static final Duration DELIVERY = Duration.parse(System.getProperty("roan.test.delivery-wait", "PT10S"));

    private Waits() {}
}
