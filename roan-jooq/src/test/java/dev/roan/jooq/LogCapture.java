package dev.roan.jooq;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what Roan logs through System.Logger (java.util.logging by default), at every level, and keeps
 * it off the console while capturing.
 */
final class LogCapture extends Handler implements AutoCloseable {

    /** Held here: java.util.logging keeps only weak references to its loggers. */
    private final Logger logger = Logger.getLogger(Roan.class.getName());
    private final Level previous;
    private final boolean previousUseParentHandlers;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        previous = logger.getLevel();
        previousUseParentHandlers = logger.getUseParentHandlers();
        setLevel(Level.ALL);
        logger.addHandler(this);
        logger.setLevel(Level.ALL);
        logger.setUseParentHandlers(false);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    List<LogRecord> records() {
        return List.copyOf(records);
    }

    List<String> messages(Level level) {
        return records().stream().filter(r -> r.getLevel().equals(level)).map(LogRecord::getMessage).toList();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
        logger.setUseParentHandlers(previousUseParentHandlers);
    }
}
