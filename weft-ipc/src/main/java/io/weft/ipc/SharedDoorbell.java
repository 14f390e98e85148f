package io.weft.ipc;

import io.weft.Blocking;
import io.weft.Deadline;
import io.weft.Task;
import io.weft.internal.ipc.LoopWaits;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.function.BooleanSupplier;

/**
 * A doorbell in memory shared between processes, for protocols other than this package's
 * rings: one waiting side sleeps on it with a {@link WaitStrategy}, any process that maps
 * the memory rings it. It is the rings' own doorbell (see {@link WaitStrategy#notifying()}),
 * so a ring costs a fence and a load unless the waiter sleeps.
 *
 * <p>One bell serves one waiter at a time; a protocol with many waiters gives each its own
 * bell. In a Weft task the notifying wait is a loop operation where the backend waits on
 * futexes (io_uring, Linux 6.7+); elsewhere in a task it sleeps on a thread of the
 * runtime's blocking pool, so the loop is never held. Bells here have no eventfd.
 */
public final class SharedDoorbell {

    /** Bytes a bell takes in the shared memory; its offset must be a multiple of 4. */
    public static final int LENGTH = 16;

    private final Doorbell bell;

    /**
     * The bell at {@code offset} of {@code memory}, which must stay mapped while the bell is
     * used. Zeroed memory is a bell nobody sleeps on.
     *
     * @throws IndexOutOfBoundsException if the bell does not fit at {@code offset}
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of 4
     */
    public SharedDoorbell(MemorySegment memory, long offset) {
        if (offset < 0 || offset > memory.byteSize() - LENGTH) {
            throw new IndexOutOfBoundsException("a doorbell at offset " + offset + " does not fit in " + memory.byteSize() + " bytes");
        }
        if ((offset & 3) != 0) {
            throw new IllegalArgumentException("a doorbell needs an offset that is a multiple of 4: " + offset);
        }
        this.bell = new Doorbell(memory, offset);
    }

    /** Wakes the waiter if it sleeps. Any thread or task. @return true if it woke a sleeper */
    public boolean ring() {
        return bell.ring();
    }

    /**
     * Waits with {@code strategy} until {@code ready} is true or the deadline passes.
     * {@code ready} must turn true only after a change that is followed by {@link #ring}.
     *
     * @return true if ready, false if the deadline passed first
     * @throws java.util.concurrent.CancellationException if the task was cancelled or the thread interrupted
     * @throws IllegalStateException if a spinning strategy is used in a Weft task
     */
    public boolean await(BooleanSupplier ready, WaitStrategy strategy, Deadline deadline) throws IOException {
        if (strategy.runsInTasks() && Task.current() != null && !LoopWaits.futexWaitAvailable()) {
            if (ready.getAsBoolean()) {
                return true;
            }
            try {
                // futex sleeps there last at most 100 ms, so a cancellation is seen that soon
                return Blocking.call(() -> WaitStrategy.notifying().await(ready, bell, deadline));
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        return strategy.await(ready, bell, deadline);
    }
}
