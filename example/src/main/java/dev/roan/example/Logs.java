package dev.roan.example;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One-line console logging through java.util.logging, where {@code System.Logger} (Roan's logger) writes by default.
 */
final class Logs {

    // java.util.logging holds loggers weakly: keep them, or their levels are lost when they are collected.
    private static final Logger ROOT = Logger.getLogger("");
    private static final Logger ROAN = Logger.getLogger("dev.roan");
    private static final Logger FLYWAY = Logger.getLogger("org.flywaydb");
    private static final Logger JOOQ = Logger.getLogger("org.jooq");

    private Logs() {
    }

    /** Shows INFO and above, and Roan's DEBUG lines (one per purge) too when {@code debug} is set. */
    static void configure(boolean debug) {
        for (Handler handler : ROOT.getHandlers()) {
            ROOT.removeHandler(handler);
        }
        Handler console = new ConsoleHandler();
        console.setLevel(Level.ALL);
        console.setFormatter(new OneLine());
        ROOT.addHandler(console);
        ROOT.setLevel(Level.INFO);
        ROAN.setLevel(debug ? Level.FINE : Level.INFO);
        // Flyway tells each step of the migration and jOOQ which database it found; the blog prints the outcome.
        FLYWAY.setLevel(Level.WARNING);
        JOOQ.setLevel(Level.WARNING);
    }

    /** {@code 12:00:01 WARNING dev.roan.jooq.Roan: message}, then the stack trace if there is one. */
    private static final class OneLine extends Formatter {

        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder()
                    .append(TIME.format(LocalTime.ofInstant(record.getInstant(), ZoneId.systemDefault())))
                    .append(' ').append(record.getLevel().getName())
                    .append(' ').append(record.getLoggerName())
                    .append(": ").append(formatMessage(record))
                    .append(System.lineSeparator());
            Throwable thrown = record.getThrown();
            if (thrown != null) {
                StringWriter trace = new StringWriter();
                thrown.printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            return line.toString();
        }
    }
}
