package io.weft.internal.backend;

import io.weft.internal.wait.Op;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * A loop for backend tests: the test thread is the loop thread, and {@link #await} drives
 * {@code backend.poll()} on it until a condition holds, within a bound.
 */
public final class TestLoop implements LoopContext {

    private final Thread owner = Thread.currentThread();
    private final ArrayDeque<Runnable> local = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    public Backend backend;

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == owner;
    }

    @Override
    public void execute(Runnable r) {
        if (inLoop()) {
            local.add(r);
        } else {
            inbox.add(r);
            Backend b = backend;
            if (b != null) {
                b.wakeup();
            }
        }
    }

    @Override
    public int index() {
        return 0;
    }

    public void runQueued() {
        for (Runnable r; (r = inbox.poll()) != null; ) {
            local.add(r);
        }
        for (Runnable r; (r = local.poll()) != null; ) {
            r.run();
        }
    }

    /** Polls until {@code done}, for at most 10 seconds; false if it never held. */
    public boolean await(BooleanSupplier done) {
        long end = System.nanoTime() + 10_000_000_000L;
        while (true) {
            runQueued();
            if (done.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - end > 0) {
                return false;
            }
            backend.poll(100_000_000L);
        }
    }

    public boolean await(Op op) {
        return await(op::isDone);
    }
}
