package io.weft.ipc;

import io.weft.Deadline;
import io.weft.DeadlineExceededException;
import io.weft.Task;
import io.weft.Weft;
import io.weft.net.OwnedFd;
import io.weft.net.UnixStream;
import io.weft.sync.Mutex;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.weft.ipc.RpcFrameLayout.*;

/**
 * One side of an RPC connection: the ring it writes (tx), the ring it reads (rx), the
 * Unix socket of the handshake, and the peer's pid. Sends framed, fragmented messages;
 * a reader task hands whole messages to a {@link Sink}; watcher tasks notice the peer's
 * exit (pidfd) or close (the socket's end of stream). Used by RpcClient and RpcServer.
 */
/*
 * Overview
 *
 * closed (AtomicReference<IOException>): null while open; the first cause of the end
 * (peer exited, peer closed, corrupted ring, local close()) once closing. Set once by CAS;
 * whoever sets it runs the teardown.
 *
 * Teardown (shutdown(cause)), in an order that never unmaps memory the kernel or a task
 * still uses:
 *   1. closed = cause; sink.onClosed(cause) (fail pending calls, cancel handlers)
 *   2. cancel the reader and watcher tasks; a futex wait in flight ends with its op
 *   3. ring both doorbells of tx here, so a sender asleep for space wakes, sees closed
 *   4. wait (bounded) for senders to leave and for the tasks to end, then unmap the rings
 *
 * Writers hold txLock for a whole message, so fragments of one message are contiguous in
 * the ring and at most one task per process sleeps on a doorbell (the eventfd doorbell
 * serves one sleeper per process; see TaskDoorbellWait).
 *
 * A sender waits for space in slices of PEER_CHECK so that it notices a dead peer even
 * when its own deadline is far away.
 */
final class RpcChannel {

    /**
     * Receives what the reader task assembles; called on the reader task, which it may
     * hold up only to apply back-pressure (the server's limit of calls in progress).
     */
    interface Sink {
        void onMessage(int kind, long correlation, int method, MemorySegment payload);

        /** False if a message for {@code correlation} would be dropped anyway (its call was given up): not assembled. */
        default boolean expects(long correlation) {
            return true;
        }

        void onClosed(IOException cause);
    }

    private static final Duration PEER_CHECK = Duration.ofMillis(50);
    private static final System.Logger LOG = System.getLogger(RpcChannel.class.getName());

    final ManyToOneRing tx;
    final ManyToOneRing rx;
    private final UnixStream control;
    private final List<OwnedFd> bells;
    final long peerPid;
    private final int maxMessage;
    private final long maxPartial;
    /** How this side waits on its rings (RpcOptions.waitStrategy: notify or hybrid, both fine in tasks). */
    private final WaitStrategy wait;
    private final String name;
    private final Mutex txLock = new Mutex();
    /** See the overview. */
    private final AtomicReference<IOException> closed = new AtomicReference<>();
    /** Senders between enter and exit of send(); teardown waits for 0 before unmapping. */
    private final AtomicInteger senders = new AtomicInteger();
    private volatile Sink sink;
    private Task<?> reader;
    private Task<?> pidWatcher;
    private Task<?> socketWatcher;

    RpcChannel(String name, ManyToOneRing tx, ManyToOneRing rx, UnixStream control, List<OwnedFd> bells, long peerPid, RpcOptions options) {
        this.name = name;
        this.tx = tx;
        this.rx = rx;
        this.control = control;
        this.bells = bells;
        this.peerPid = peerPid;
        this.maxMessage = options.maxMessageLength();
        this.maxPartial = options.maxPartialBytes();
        this.wait = options.waitStrategy();
    }

    /** Starts the reader and the watchers in the caller's runtime. */
    void start(Sink sink) {
        this.sink = sink;
        reader = Weft.spawn(this::readLoop);
        pidWatcher = Weft.spawn(this::watchPid);
        socketWatcher = Weft.spawn(this::watchSocket);
    }

    boolean isOpen() {
        return closed.get() == null;
    }

    IOException closedCause() {
        return closed.get();
    }

    // ---- sending --------------------------------------------------------------------------

    /**
     * Sends one message, fragmented as needed. The deadline bounds the wait to start it;
     * once its first fragment is in the ring the rest follows (only the peer's end stops it).
     */
    void send(int kind, long correlation, int method, MemorySegment payload, Deadline deadline) throws IOException {
        if (payload.byteSize() > maxMessage) {
            throw new IllegalArgumentException("message of " + payload.byteSize() + " bytes exceeds the limit of " + maxMessage);
        }
        senders.incrementAndGet();
        try {
            checkOpen();
            Mutex.Guard guard;
            try {
                guard = txLock.lock(deadline);
            } catch (DeadlineExceededException e) {
                throw new SocketTimeoutException(name + ": no room to send within the deadline");
            }
            try (guard) {
                int total = (int) payload.byteSize();
                int chunkMax = tx.maxPayloadLength() - HEADER_LENGTH;
                int off = 0;
                do {
                    int chunk = Math.min(chunkMax, total - off);
                    long i = claim(kind, HEADER_LENGTH + chunk, off == 0 ? deadline : Deadline.NONE);
                    MemorySegment b = tx.buffer();
                    b.set(ValueLayout.JAVA_LONG_UNALIGNED, i + CORRELATION_OFFSET, correlation);
                    b.set(ValueLayout.JAVA_INT_UNALIGNED, i + METHOD_OFFSET, method);
                    b.set(ValueLayout.JAVA_INT_UNALIGNED, i + FLAGS_OFFSET, (off == 0 ? FIRST : 0) | (off + chunk == total ? LAST : 0));
                    b.set(ValueLayout.JAVA_INT_UNALIGNED, i + TOTAL_OFFSET, total);
                    MemorySegment.copy(payload, off, b, i + HEADER_LENGTH, chunk);
                    tx.commit(i);
                    off += chunk;
                } while (off < total);
            }
        } finally {
            senders.decrementAndGet();
        }
    }

    private long claim(int kind, int length, Deadline deadline) throws IOException {
        while (true) {
            checkOpen();
            Deadline slice = Deadline.after(PEER_CHECK).min(deadline);
            long i;
            try {
                i = tx.claim(kind, length, wait, slice);
            } catch (RingCorruptedException | IllegalStateException e) {
                // The peer wrote positions no side writes, or a vow never to sleep that RPC
                // never makes: nothing more can be sent, so the session ends for every
                // caller, not just this one.
                RpcException cause = new RpcException(name + ": the ring to pid " + peerPid + " is corrupted: " + e.getMessage(), e);
                shutdown(cause);
                throw cause;
            }
            if (i >= 0) {
                return i;
            }
            if (deadline.hasPassed()) {
                throw new SocketTimeoutException(name + ": the ring to pid " + peerPid + " stayed full until the deadline");
            }
        }
    }

    private void checkOpen() throws IOException {
        IOException cause = closed.get();
        if (cause != null) {
            throw cause instanceof RpcPeerGoneException ? new RpcPeerGoneException(cause.getMessage(), cause)
                    : new RpcException(name + " is closed: " + cause.getMessage(), cause);
        }
    }

    // ---- receiving ------------------------------------------------------------------------

    /**
     * A message whose fragments are still arriving. Its buffer grows as they come (doubling,
     * up to the announced total), so a frame that only announces a large total costs nothing.
     */
    private static final class Assembly {
        final int total;
        final int method;
        byte[] data;
        int filled;

        Assembly(int total, int method) {
            this.total = total;
            this.method = method;
            this.data = new byte[0];
        }

        /** The buffer length that holds {@code more} bytes after those filled. */
        int grownLength(int more) {
            int need = filled + more;
            return need <= data.length ? data.length : (int) Math.min(total, Math.max(need, 2L * data.length));
        }
    }

    /** Bookkeeping charged per partial message on top of its buffer, so that empty ones count too. */
    static final int ASSEMBLY_OVERHEAD = 64;

    /**
     * The reader's state: messages being assembled, the bytes they hold against
     * maxPartialBytes, and the first protocol error. Reader task only.
     */
    private final class Reassembler implements RecordHandler {
        final Map<Long, Assembly> partial = new HashMap<>();
        /** Written by the reader only; volatile so that tests may watch it. */
        volatile long partialBytes;
        IOException protocolError;

        @Override
        public void onRecord(int type, MemorySegment buf, long index, int length) {
            if (protocolError != null) {
                return;
            }
            if (length < HEADER_LENGTH) {
                protocolError = new RpcException(name + ": RPC frame of " + length + " bytes, shorter than its header");
                return;
            }
            long corr = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index + CORRELATION_OFFSET);
            int method = buf.get(ValueLayout.JAVA_INT_UNALIGNED, index + METHOD_OFFSET);
            int flags = buf.get(ValueLayout.JAVA_INT_UNALIGNED, index + FLAGS_OFFSET);
            int total = buf.get(ValueLayout.JAVA_INT_UNALIGNED, index + TOTAL_OFFSET);
            int chunk = length - HEADER_LENGTH;
            if (total < 0 || total > maxMessage || chunk > total) {
                protocolError = new RpcException(name + ": RPC message length " + total + " out of range (limit " + maxMessage + ")");
                return;
            }
            if (type == CANCEL) {
                forget(corr); // a request cut short by its sender's cancellation ends here
            }
            Assembly a;
            if ((flags & FIRST) != 0) {
                if ((flags & LAST) != 0 && chunk == total) {
                    byte[] whole = new byte[total];
                    MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, index + HEADER_LENGTH, whole, 0, chunk);
                    deliver(type, corr, method, whole);
                    return;
                }
                forget(corr); // a second start for the same id replaces the first
                if (!sink.expects(corr)) {
                    return; // its fragments will find no assembly and be skipped
                }
                a = new Assembly(total, method);
                if (!charge(corr, ASSEMBLY_OVERHEAD)) {
                    return;
                }
                partial.put(corr, a);
            } else {
                a = partial.get(corr);
                if (a == null) {
                    return; // the rest of a message whose start was dropped with its call
                }
            }
            if (a.filled + chunk > a.total) {
                protocolError = new RpcException(name + ": fragments of message " + corr + " overrun its length " + a.total);
                return;
            }
            int grown = a.grownLength(chunk);
            if (grown != a.data.length) {
                if (!charge(corr, grown - a.data.length)) {
                    return;
                }
                a.data = Arrays.copyOf(a.data, grown);
            }
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, index + HEADER_LENGTH, a.data, a.filled, chunk);
            a.filled += chunk;
            if ((flags & LAST) != 0) {
                forget(corr);
                if (a.filled != a.total) {
                    protocolError = new RpcException(name + ": message " + corr + " ended after " + a.filled + " of " + a.total + " bytes");
                    return;
                }
                deliver(type, corr, a.method, a.data);
            }
        }

        /** Counts {@code bytes} more against the limit; past it, records the error and returns false. */
        private boolean charge(long corr, long bytes) {
            if (partialBytes + bytes > maxPartial) {
                protocolError = new RpcException(name + ": partial messages from pid " + peerPid + " would hold " + (partialBytes + bytes)
                        + " bytes with message " + corr + ", over this side's limit of " + maxPartial + " (RpcOptions.maxPartialBytes)");
                return false;
            }
            partialBytes += bytes;
            return true;
        }

        private void forget(long corr) {
            Assembly a = partial.remove(corr);
            if (a != null) {
                partialBytes -= ASSEMBLY_OVERHEAD + a.data.length;
            }
        }
    }

    /** Bytes the reader holds in partial messages now; for tests (a snapshot, read racily). */
    long partialBytes() {
        Reassembler r = reassembler;
        return r == null ? 0 : r.partialBytes;
    }

    private volatile Reassembler reassembler;

    private void readLoop() {
        Reassembler handler = new Reassembler();
        reassembler = handler;
        try {
            while (isOpen()) {
                if (rx.awaitRecords(wait, Deadline.NONE)) {
                    rx.read(handler, 256);
                    if (handler.protocolError != null) {
                        shutdown(handler.protocolError);
                        return;
                    }
                }
            }
        } catch (CancellationException e) {
            // teardown cancelled the reader
        } catch (RingCorruptedException e) {
            shutdown(new RpcException(name + ": the ring from pid " + peerPid + " is corrupted: " + e.getMessage(), e));
        } catch (Throwable e) {
            // Whatever went wrong (an Error included), this session cannot go on: end it, so
            // its callers fail instead of waiting on a reader that is gone.
            handler.partial.clear();
            if (e instanceof Error) {
                LOG.log(System.Logger.Level.WARNING, name + ": the reader failed; ending the session", e);
            }
            shutdown(new RpcException(name + ": reading from pid " + peerPid + " failed: " + e, e));
        }
    }

    private void deliver(int kind, long corr, int method, byte[] data) {
        sink.onMessage(kind, corr, method, MemorySegment.ofArray(data));
    }

    // ---- the peer's end ------------------------------------------------------------------

    private void watchPid() {
        int fd = Syscalls.pidfdOpen(peerPid);
        if (fd < 0) {
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": pidfd_open(" + peerPid + ") failed (" + fd + "); relying on the socket's end");
            return;
        }
        try (OwnedFd pidfd = OwnedFd.adopt(fd)) {
            pidfd.awaitReadable(Deadline.NONE);
            shutdown(new RpcPeerGoneException(name + ": peer process " + peerPid + " exited"));
        } catch (CancellationException e) {
            // teardown
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": watching pid " + peerPid + " failed: " + e);
        }
    }

    private void watchSocket() {
        byte[] one = new byte[1];
        try {
            int n = control.read(one, 0, 1, Deadline.NONE);
            shutdown(new RpcPeerGoneException(name + ": peer process " + peerPid + (n < 0 ? " closed the connection" : " sent bytes after the handshake")));
        } catch (CancellationException e) {
            // teardown
        } catch (IOException e) {
            shutdown(new RpcPeerGoneException(name + ": the connection to peer process " + peerPid + " failed: " + e.getMessage(), e));
        }
    }

    // ---- teardown ------------------------------------------------------------------------

    /** Ends the channel with {@code cause} (see the overview); the first call wins. Any task. */
    void shutdown(IOException cause) {
        if (!closed.compareAndSet(null, cause)) {
            return;
        }
        Sink s = sink;
        if (s != null) {
            try {
                s.onClosed(cause);
            } catch (RuntimeException | Error e) {
                // the teardown below must run whatever the sink did
                LOG.log(System.Logger.Level.WARNING, name + ": failing the calls of a closed session failed", e);
            }
        }
        Task<?> self = Task.current();
        for (Task<?> t : new Task<?>[] {reader, pidWatcher, socketWatcher}) {
            if (t != null && t != self) {
                t.cancel();
            }
        }
        tx.producerBell.ring();
        rx.consumerBell.ring();
        // Unmapping waits for the tasks that may touch the rings; from one of them, do it in another.
        Weft.spawn(this::release);
    }

    private void release() {
        Deadline limit = Deadline.after(Duration.ofSeconds(5));
        try {
            for (Task<?> t : new Task<?>[] {reader, pidWatcher, socketWatcher}) {
                if (t != null) {
                    try {
                        t.join(limit);
                    } catch (RuntimeException ignored) {
                        // its end is all that matters here
                    }
                }
            }
            while (senders.get() != 0 && !limit.hasPassed()) {
                tx.producerBell.ring();
                Weft.sleep(Duration.ofMillis(1));
            }
        } finally {
            closeQuietly(control);
            if (senders.get() == 0) {
                closeQuietly(tx);
                closeQuietly(rx);
            } else {
                LOG.log(System.Logger.Level.WARNING, name + ": senders still in the ring after 5 s; leaving it mapped");
            }
            bells.forEach(RpcChannel::closeQuietly);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "close of " + c + " failed: " + e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
