package io.weft.internal.backend.uring;

import io.weft.internal.backend.BackendOp;
import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.fd.FdSocket;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * One listener's multishot accept: the accept ops waiting for a connection, and the
 * connections the kernel accepted while none was waiting. Loop thread only.
 *
 * <p>The queue lives as long as its {@link Multishot} op, which the listener's handle
 * counts as in flight. That op is how closing the listener reaches the backend: the
 * handle cancels it, the backend withdraws the kernel's accept and closes the sockets
 * still queued, and only then does the listener's fd get closed. Without it, the kernel
 * would keep a reference to the listening socket and go on accepting after close(2).
 */
/*
 * Overview
 *
 *   state           the multishot SQE        waiters          ready
 *   --------------  -----------------------  ---------------  ---------------------
 *   armed           in the kernel            any              empty, or fewer than
 *                                                             READY_LIMIT sockets
 *   paused          ended (cancelled when    none             1..READY_LIMIT
 *                   ready was full, or ended
 *                   by the kernel)
 *   retired         ended                    none             none (closed)
 *
 * A connection goes to the oldest waiter or, with none, to `ready`. An accept that finds
 * `ready` non-empty completes at once without a syscall. A paused queue re-arms when a
 * waiter finds `ready` empty. The queue retires (and its op completes, letting the
 * listener close) when the op was cancelled, or when it has nothing left to hold.
 */
final class AcceptQueue {

    /** Sockets accepted ahead of demand before the multishot is paused. */
    static final int READY_LIMIT = 64;

    /** The op a listener's handle counts while this queue lives; never waited on by a task. */
    static final class Multishot extends BackendOp {
        final AcceptQueue queue;

        Multishot(FdSocket listener, AcceptQueue queue) {
            super(listener);
            this.queue = queue;
        }
    }

    final FdSocket listener;
    final Multishot op;
    final ArrayDeque<NetOps.Accept> waiters = new ArrayDeque<>();
    final ArrayDeque<FdSocket> ready = new ArrayDeque<>();
    /** The multishot SQE is in the kernel (its slot is the op's state in the backend). */
    boolean armed;
    /** Connections the kernel delivered on this queue's current or earlier arms. */
    long delivered;

    AcceptQueue(FdSocket listener) {
        this.listener = listener;
        this.op = new Multishot(listener, this);
    }

    /** Hands {@code socket} to the oldest waiter still pending, else queues it. */
    void offer(FdSocket socket) {
        delivered++;
        for (NetOps.Accept w; (w = waiters.poll()) != null; ) {
            if (w.complete(0, socket)) {
                return;
            }
        }
        ready.add(socket);
    }

    /** Fails the oldest waiter with {@code errno} (accept's EMFILE and the like). */
    void fail(int errno) {
        for (NetOps.Accept w; (w = waiters.poll()) != null; ) {
            if (w.complete(errno)) {
                return;
            }
        }
    }

    /**
     * Closes what is queued and ends the op with {@code result}. Waiters left are
     * cancelled for the op's own cancel reason (the listener closing, usually), so that
     * each reports the close rather than a bare ECANCELED; their cancel goes through
     * the backend's cancelOnLoop, which finds them in no queue and completes them.
     * Without a reason (the backend closing) they end as cancelled at once.
     */
    void retire(long result) {
        for (FdSocket s; (s = ready.poll()) != null; ) {
            try {
                s.close();
            } catch (IOException e) {
                System.getLogger(AcceptQueue.class.getName()).log(System.Logger.Level.DEBUG, "close of a queued accepted socket failed", e);
            }
        }
        int reason = op.cancelReason();
        for (NetOps.Accept w; (w = waiters.poll()) != null; ) {
            if (reason == 0) {
                w.complete(IoOp.CANCELLED);
            } else {
                w.requestCancel(reason);
            }
        }
        op.complete(result);
    }
}
