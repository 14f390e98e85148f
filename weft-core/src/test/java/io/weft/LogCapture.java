package io.weft;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the records Weft logs while it is open: its System.Loggers are named after its
 * classes, all below "io.weft", and the JDK sends them to java.util.logging.
 */
final class LogCapture implements AutoCloseable {

    /** Held so that java.util.logging does not drop the logger, and the handler with it. */
    private final Logger logger = Logger.getLogger("io.weft");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    LogCapture() {
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** The records so far that {@code which} accepts. */
    List<LogRecord> matching(Predicate<LogRecord> which) {
        return records.stream().filter(which).toList();
    }

    /** Records whose message mentions {@code text}. */
    List<LogRecord> mentioning(String text) {
        return matching(r -> r.getMessage() != null && r.getMessage().contains(text));
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
