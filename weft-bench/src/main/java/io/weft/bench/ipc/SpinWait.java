package io.weft.bench.ipc;

import java.io.IOException;

/**
 * One spinning wait of a requester ({@link Thread#onSpinWait()} between polls) that now
 * and then checks the clock, and gives up after {@link IpcRequester#STALL_NANOS} without
 * progress: a responder that died must end the run with an error, not hang it.
 * <pre>{@code
 * spin.reset();
 * while (ring.read(handler, 1) == 0) {
 *     spin.spin("response");
 * }
 * }</pre>
 */
final class SpinWait {
    private long deadline;
    private int spins;

    /** Starts a new wait. */
    void reset() {
        deadline = 0;
        spins = 0;
    }

    /**
     * One turn of the wait.
     *
     * @throws IOException naming {@code what} was awaited, once the wait has lasted too long
     */
    void spin(String what) throws IOException {
        if ((++spins & 0xFFFF) == 0) {
            long now = System.nanoTime();
            if (deadline == 0) {
                deadline = now + IpcRequester.STALL_NANOS;
            } else if (now - deadline > 0) {
                throw new IOException("no " + what + " for " + IpcRequester.STALL_NANOS / 1_000_000_000L
                        + " s: has the responder stopped?");
            }
        }
        Thread.onSpinWait();
    }
}
