package dev.roan.jooq;

/**
 * Roan's one logger, {@value #NAME}, the name the README documents: every class logs through it, so that users
 * configure one name, and no class needs the facade to name it.
 */
final class Log {

    /** The logger name users configure; the facade's class name, checked by a test. */
    static final String NAME = "dev.roan.jooq.Roan";

    static final System.Logger LOGGER = System.getLogger(NAME);

    private Log() {}
}
