package dev.roan.jooq;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what Roan logs through System.Logger (java.util.logging by default). */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger(Roan.class.getName());
    private final Level previous;
    private final List<LogRecord> records = new ArrayList<>();

    LogCapture() {
        previous = logger.getLevel();
        logger.setLevel(Level.ALL);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    synchronized List<LogRecord> records() {
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
    }
}
