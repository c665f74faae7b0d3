package dev.roan.spring.boot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;

/** The log records of one logger while open: a test's look at what was logged. */
final class LogRecords extends Handler implements AutoCloseable {

    private final Logger logger;
    private final @Nullable Level previous;
    private final boolean everyLevel;
    final List<LogRecord> all = new CopyOnWriteArrayList<>();

    private LogRecords(Logger logger, boolean everyLevel) {
        this.logger = logger;
        this.previous = logger.getLevel();
        this.everyLevel = everyLevel;
        if (everyLevel) {
            logger.setLevel(Level.ALL);
        }
        logger.addHandler(this);
    }

    /** Every level of the records {@code source} logs. */
    static LogRecords of(Class<?> source) {
        return new LogRecords(Logger.getLogger(source.getName()), true);
    }

    /**
     * The records of every logger, at the levels they log anyway: all levels of all of them (Tomcat's FINE ones too)
     * would be a flood.
     */
    static LogRecords everyLogger() {
        return new LogRecords(Logger.getLogger(""), false);
    }

    List<String> messages(Level level) {
        return all.stream().filter(r -> r.getLevel() == level).map(LogRecord::getMessage).toList();
    }

    @Override
    public void publish(LogRecord record) {
        all.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        if (everyLevel) {
            logger.setLevel(previous);
        }
    }
}
