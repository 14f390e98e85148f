package io.weft.internal.backend;

import java.util.concurrent.Executor;

/**
 * What a backend may ask of the event loop that drives it: whether the caller is on the
 * loop's thread, and a way to run something there.
 */
public interface LoopContext extends Executor {

    /** True if the calling thread may touch loop-confined state (the loop thread, or a task mounted on it). */
    boolean inLoop();

    /** Runs {@code r} on the loop thread: now if {@link #inLoop()}, else at the loop's next turn. */
    default void runOnLoop(Runnable r) {
        if (inLoop()) {
            r.run();
        } else {
            execute(r);
        }
    }

    /** The loop's index within its runtime, for names and logs. */
    int index();
}
