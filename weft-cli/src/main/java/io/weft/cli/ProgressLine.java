package io.weft.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Prints "elapsed, messages so far, messages per second over the last second" about once a
 * second, from its own platform thread, until closed. On a terminal it rewrites one line
 * with {@code \r}; elsewhere (a log, a pipe) it prints one line per tick.
 */
/*
 * A platform thread, not a task: printing is blocking I/O, which has no business on a
 * loop, and the count is a LongAdder that any thread may sum.
 */
final class ProgressLine implements AutoCloseable {

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier count;
    private final long start = System.nanoTime();
    private final Thread thread;
    /** Written by the ticker thread; read by close() after joining it. */
    private boolean printed;

    private ProgressLine(PrintStream out, boolean terminal, LongSupplier count) {
        this.out = out;
        this.terminal = terminal;
        this.count = count;
        this.thread = Thread.ofPlatform().daemon(true).name("weft-demo-progress").start(this::run);
    }

    /** Starts ticking. */
    static ProgressLine start(PrintStream out, boolean terminal, LongSupplier count) {
        return new ProgressLine(out, terminal, count);
    }

    private void run() {
        long last = 0;
        for (int tick = 1; ; tick++) {
            long sleep = start + tick * 1_000_000_000L - System.nanoTime();
            try {
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            } catch (InterruptedException e) {
                return;
            }
            long now = count.getAsLong();
            String line = String.format(Locale.ROOT, "%4d s  %,14d messages  %,12d msg/s", tick, now, now - last);
            last = now;
            out.print(terminal ? "\r" + line : line + System.lineSeparator());
            out.flush();
            printed = true;
        }
    }

    /** Stops ticking and ends the rewritten line, so what follows starts on a fresh one. */
    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (terminal && printed) { // join() ordered the ticker's write of `printed` before this read
            out.println();
        }
    }
}
