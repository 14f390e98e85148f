package io.weft.internal.backend.epoll;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.LoopContext;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A stand-in event loop for backend tests: the test thread is the loop thread, and it
 * drives {@link Backend#poll} itself. Work handed over from other threads waits in an
 * inbox and wakes the backend, as the real loop does.
 */
final class TestLoop implements LoopContext {

    /** How long a test waits for anything before it fails; generous, never a measurement. */
    static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final Thread owner = Thread.currentThread();
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    volatile Backend backend;

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == owner;
    }

    @Override
    public void execute(Runnable r) {
        inbox.add(r);
        Backend b = backend;
        if (b != null) {
            b.wakeup();
        }
    }

    @Override
    public int index() {
        return 0;
    }

    /** Runs handed-over work, then polls for up to {@code timeoutNanos} (0 if work is waiting). */
    void turn(long timeoutNanos) {
        runInbox();
        backend.poll(inbox.isEmpty() ? timeoutNanos : 0);
        runInbox();
    }

    private void runInbox() {
        Runnable r;
        while ((r = inbox.poll()) != null) {
            r.run();
        }
    }

    /** Turns the loop until {@code done}, failing after {@link #PATIENCE_NANOS}. */
    void until(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("gave up waiting for " + what);
            }
            turn(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /** Turns the loop until {@code op} is done; returns its result. */
    long await(IoOp op) {
        until(op::isDone, op.getClass().getSimpleName());
        return op.result();
    }
}
