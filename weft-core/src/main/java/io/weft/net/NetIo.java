package io.weft.net;

import io.weft.internal.backend.Capability;
import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.SocketFamily;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;
import io.weft.internal.wait.Op;
import io.weft.internal.wait.Waits;
import io.weft.internal.wait.Failures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CancellationException;

/** Runs one socket op on the caller's loop and turns its outcome into a value or an exception. */
final class NetIo {
    private NetIo() {
    }

    /** The calling task's loop; sockets can only be used from Weft tasks. */
    static EventLoop loop(String what) {
        return Failures.inTask(EventLoop.current(), what);
    }

    /**
     * Opens a Unix, UDP or vsock socket on the loop's backend.
     *
     * @throws UnsupportedOperationException if the backend lacks {@code needs}; the message
     *                                       names the backend to use instead
     */
    static SocketHandle openSocket(EventLoop loop, Capability needs, SocketFamily family, boolean datagram,
                                   boolean listener) throws IOException {
        return loop.provider().openSocket(needs, family, datagram, listener);
    }

    /**
     * Opens a stream socket of {@code family} and connects it to {@code remote} by {@code deadline}
     * (System.nanoTime scale); on failure the socket is closed.
     */
    static SocketHandle connect(EventLoop loop, Capability needs, SocketFamily family, SocketAddress remote,
                                long deadline, Object target) throws IOException {
        SocketHandle s = openSocket(loop, needs, family, false, false);
        try {
            run(loop, new NetOps.Connect(s, remote), deadline, "connect to", target);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Submits {@code op}, waits until it is done, and returns its non-negative result.
     *
     * @param deadline System.nanoTime scale, or {@link Waits#NONE}
     * @throws SocketTimeoutException the deadline passed first ("Read timed out: ...")
     * @throws SocketException        the socket was closed meanwhile ("Socket closed: ...")
     * @throws CancellationException  the task was cancelled or the thread interrupted
     * @throws IOException            the call failed; the message names errno, call and target
     */
    static long run(EventLoop loop, IoOp op, long deadline, String call, Object target) throws IOException {
        int early = Waits.reasonNotToStart(deadline);
        if (early != 0) {
            throw Failures.cancelled(early, Failures.SOCKET, call, target);
        }
        if (op instanceof NetOps.Accept && op.handle() instanceof SocketHandle listener
                && listener.acceptLoop(loop) instanceof EventLoop home && home.runtime() == loop.runtime()) {
            loop = home; // see SocketHandle.acceptLoop
        }
        loop.submitAndAwait(op, deadline);
        long r = op.result();
        if (r >= 0) {
            return r;
        }
        if (op.wasCancelled()) {
            throw Failures.cancelled(op.cancelReason(), Failures.SOCKET, call, target);
        }
        if (op.attachment() instanceof IOException e) {
            throw e;
        }
        if (op.attachment() instanceof UncheckedIOException e) {
            throw e.getCause();
        }
        throw Failures.failed(r, Failures.SOCKET, call, target, deadline);
    }
}
