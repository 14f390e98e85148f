package io.weft.bench.ipc;

import io.weft.bench.ThreadAffinity;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * {@code floor}: the requester's thread and a responder thread of the same process hand
 * one 64-bit word back and forth. No transport, no copy, no process boundary: a round trip
 * is two cache-line transfers between the cores, the least any IPC round trip can cost.
 * One word holds one message, so the window is 1.
 */
/*
 * Overview
 *
 * The word (WORD on cell[SLOT]) goes through these values:
 *   2s      idle: the answer to request s-1 (0 at first)
 *   2s + 1  request s posted by the requester (setRelease; the responder's getAcquire pairs)
 *   2s + 2  answered by the responder (setRelease; the requester's getAcquire pairs)
 * The requester writes only odd values and the responder only even ones, so each spins on
 * a value only the other can write. SLOT sits 64 bytes into a long[] three lines long, so
 * the line that holds it holds nothing else.
 *
 * The responder thread pins itself to the responder's core with sched_setaffinity (this
 * process as a whole sits on the requester's core), so the two spin on different cores as
 * the two processes of the other contenders do.
 */
final class FloorPingPong implements IpcRequester {

    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int SLOT = 8;

    private final long[] cell = new long[3 * SLOT];
    /** Cleared once by close(); the responder reads it while it spins. */
    private volatile boolean running = true;
    private final Thread responder;
    /** Where the responder runs; written by the responder before it first answers, read after the first round trip. */
    private volatile String placement = "";
    private long pending;
    private final SpinWait spin = new SpinWait();

    /** Starts the responder thread, pinned to {@code responderCpu} unless it is null. */
    FloorPingPong(Integer responderCpu) {
        responder = Thread.ofPlatform().name("ipc-floor-responder").daemon(true).start(() -> answer(responderCpu));
    }

    private void answer(Integer cpu) {
        if (cpu != null) {
            String why = ThreadAffinity.pinCurrentThread(cpu);
            placement = why == null ? "responder thread pinned to CPU " + cpu : "responder thread not pinned: " + why;
        } else {
            placement = "responder thread unpinned";
        }
        int spins = 0;
        while (true) {
            long w = (long) WORD.getAcquire(cell, SLOT); // pairs with setRelease in send()
            if ((w & 1) != 0) {
                WORD.setRelease(cell, SLOT, w + 1); // pairs with getAcquire in receive()
            } else {
                if ((++spins & 0x3FF) == 0 && !running) {
                    return;
                }
                Thread.onSpinWait();
            }
        }
    }

    @Override
    public void send(long seq) {
        pending = seq;
        WORD.setRelease(cell, SLOT, 2 * seq + 1); // pairs with getAcquire in answer()
    }

    @Override
    public long receive() throws IOException {
        long want = 2 * pending + 2;
        spin.reset();
        while ((long) WORD.getAcquire(cell, SLOT) != want) { // pairs with setRelease in answer()
            spin.spin("answer from the floor's responder thread");
        }
        return pending;
    }

    @Override
    public int maxWindow() {
        return 1;
    }

    @Override
    public String info() {
        return placement;
    }

    @Override
    public void close() {
        running = false;
        try {
            responder.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
