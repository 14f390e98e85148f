package io.weft.internal.backend;

import io.weft.TestSupport;
import io.weft.internal.backend.fd.FdSocket;
import io.weft.internal.linux.Errno;
import io.weft.internal.wait.Op;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A million socket ops with cancellation at random points: before the SQE reaches the
 * kernel, while the op is parked in it, and from another thread; and connections closed
 * with ops in flight. Every stream is checked byte for byte, so a cancelled read that
 * completed anyway must hand over its bytes and a cancelled write that completed anyway
 * must count. Afterwards the backend may hold nothing for an op and no fd may be left.
 * Each backend runs it through a subclass.
 */
public abstract class SocketCancelStress {

    private static final int OPS = 1_000_000;
    private static final int PAIRS = 8;
    private static final int MAX_OP = 4096;

    /** The byte at {@code position} of stream {@code id}: position-dependent, so a lost or repeated byte shows. */
    static byte expected(long id, long position) {
        long x = (id * 0x9E3779B97F4A7C15L) ^ (position * 0xC2B2AE3D27D4EB4FL);
        return (byte) (x ^ (x >>> 29) ^ (position >>> 8));
    }

    /** One connection and the op in flight in each direction of its client-to-server stream. */
    final class Conn {
        final long id;
        final FdSocket client;
        final FdSocket server;
        long written;
        long read;
        IoOp write;
        IoOp read0;
        MemorySegment writeBuf;
        MemorySegment readBuf;
        /** Native memory for this connection's ops; reused once the op that used it is done. */
        final MemorySegment nativeWrite = arena.allocate(MAX_OP);
        final MemorySegment nativeRead = arena.allocate(MAX_OP);
        boolean closing;

        Conn(long id, FdSocket client, FdSocket server) {
            this.id = id;
            this.client = client;
            this.server = server;
        }
    }

    private TestLoop loop;
    private Backend backend;
    private final SplittableRandom random = new SplittableRandom(20261122L);
    private final Arena arena = Arena.ofShared();
    private long opsDone;
    private long cancelled;
    private long cancelledButCompleted;
    private long connections;

    /** Makes the backend under test on {@code loop}. */
    protected abstract Backend open(TestLoop loop) throws Exception;

    /** What the backend still holds, for a failure message. */
    protected abstract String inFlight(Backend backend);

    /** Fails if the backend still holds anything for an op (slots, buffers, parked ops). */
    protected abstract void assertNothingHeld(Backend backend);

    /**
     * True if a cancel can lose to work already in the kernel (a completion-based backend),
     * so the run must show ops that completed despite their cancel. A readiness backend
     * withdraws a parked op on the loop thread before it retries the syscall, so there the
     * race is between two loop-thread steps and need not occur.
     */
    protected boolean cancelsRaceTheKernel() {
        return true;
    }

    @Test
    void socketOpsWithRandomCancellationALot() throws Exception {
        Set<String> fdsBefore = TestSupport.socketLikeFds();
        loop = new TestLoop();
        backend = open(loop);
        loop.backend = backend;
        ExecutorService canceller = Executors.newSingleThreadExecutor();
        FdSocket listener = FdSocket.openTcp(StandardProtocolFamily.INET, true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        List<Conn> conns = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            conns.add(connect(listener));
        }
        try {
            long lastProgress = System.nanoTime();
            long lastOps = -1;
            while (opsDone < OPS) {
                long before = opsDone;
                for (int i = 0; i < conns.size(); i++) {
                    Conn c = conns.get(i);
                    step(c, canceller);
                    if (c.closing && c.write == null && c.read0 == null) {
                        c.client.close();
                        c.server.close();
                        conns.set(i, connect(listener));
                    }
                }
                loop.runQueued();
                // A readiness backend completes many ops inline, in step(); then there may be
                // nothing for poll to report, and it must not sit out its timeout.
                boolean progressed = opsDone != before;
                backend.poll(progressed || random.nextInt(4) == 0 ? 0 : 1_000_000_000L);
                if (opsDone != lastOps) {
                    lastOps = opsDone;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > 30_000_000_000L) {
                    fail("no op completed for 30 s; " + inFlight(backend));
                }
            }
            for (Conn c : conns) {
                c.closing = true;
                cancel(c.write, canceller);
                cancel(c.read0, canceller);
            }
            assertTrue(loop.await(() -> {
                for (Conn c : conns) {
                    step(c, canceller);
                }
                return conns.stream().allMatch(c -> c.write == null && c.read0 == null);
            }), "ops did not end");
            for (Conn c : conns) {
                c.client.close();
                c.server.close();
            }
            listener.close();
            // A backend may keep an op on the listener beyond the accepts (io_uring's
            // multishot accept); closing cancels it, and it ends at the next reap.
            assertTrue(loop.await(() -> listener.inflightCount() == 0), "the listener's ops did not end");
            assertNothingHeld(backend);
        } finally {
            canceller.shutdown();
            backend.close();
            arena.close();
        }
        // Both outcomes of a cancel race happened: withdrawn, and completed anyway (kept).
        assertTrue(cancelled > OPS / 100, "ops withdrawn by a cancel: " + cancelled);
        if (cancelsRaceTheKernel()) {
            assertTrue(cancelledButCompleted > 0, "cancelled ops that completed anyway: " + cancelledButCompleted);
        }
        assertTrue(connections > PAIRS, "connections were closed with ops in flight: " + connections);
        // Only what this test opened counts (sockets, and the backend's epoll, eventfd or
        // ring): other code in this JVM may hold descriptors of its own meanwhile.
        TestSupport.assertNoNewSocketLikeFds(fdsBefore, Duration.ofSeconds(10));
    }

    private Conn connect(FdSocket listener) throws Exception {
        FdSocket client = FdSocket.openTcp(StandardProtocolFamily.INET, false);
        NetOps.Accept accept = new NetOps.Accept(listener);
        NetOps.Connect connect = new NetOps.Connect(client, listener.localAddress());
        assertTrue(accept.submitTo(backend));
        assertTrue(connect.submitTo(backend));
        assertTrue(loop.await(() -> accept.isDone() && connect.isDone()));
        assertEquals(0, connect.result(), () -> Errno.name((int) connect.result()));
        assertEquals(0, accept.result(), () -> Errno.name((int) accept.result()));
        connections++;
        return new Conn(connections, client, assertInstanceOf(FdSocket.class, accept.attachment()));
    }

    /** Finishes what completed on {@code c}, then starts (and maybe cancels) the next ops. */
    private void step(Conn c, ExecutorService canceller) {
        if (c.write != null && c.write.isDone()) {
            long r = c.write.result();
            opsDone++;
            if (r > 0) {
                c.written += r;
                if (c.write.cancelReason() != 0) {
                    cancelledButCompleted++;
                }
            } else if (r == Op.CANCELLED) {
                cancelled++;
            } else if (!c.closing) {
                fail("write failed: " + Errno.name((int) r));
            }
            c.write = null;
        }
        if (c.read0 != null && c.read0.isDone()) {
            long r = c.read0.result();
            opsDone++;
            if (r > 0) {
                for (int i = 0; i < r; i++) {
                    byte b = c.readBuf.get(ValueLayout.JAVA_BYTE, i);
                    if (b != expected(c.id, c.read + i)) {
                        fail("stream " + c.id + " corrupt at byte " + (c.read + i));
                    }
                }
                c.read += r;
                if (c.read0.cancelReason() != 0) {
                    cancelledButCompleted++;
                }
            } else if (r == Op.CANCELLED) {
                cancelled++;
            } else if (r == 0) {
                if (!c.closing) {
                    fail("unexpected end of stream " + c.id);
                }
            } else if (!c.closing) {
                fail("read failed: " + Errno.name((int) r));
            }
            c.read0 = null;
        }
        if (c.closing) {
            return;
        }
        if (random.nextInt(5000) == 0) {
            // Close with ops in flight: Handle.close cancels them, and the fds are released
            // only after their final CQEs.
            c.closing = true;
            closeQuietly(c.client);
            closeQuietly(c.server);
            return;
        }
        if (c.write == null && c.written - c.read < 256 * 1024) {
            int n = 1 + random.nextInt(random.nextBoolean() ? 64 : MAX_OP);
            c.writeBuf = buffer(n, c.nativeWrite);
            for (int i = 0; i < n; i++) {
                c.writeBuf.set(ValueLayout.JAVA_BYTE, i, expected(c.id, c.written + i));
            }
            c.write = new NetOps.Write(c.client, c.writeBuf);
            start(c.write, canceller);
        }
        if (c.read0 == null) {
            int n = 1 + random.nextInt(random.nextBoolean() ? 64 : MAX_OP);
            c.readBuf = buffer(n, c.nativeRead);
            c.read0 = new NetOps.Read(c.server, c.readBuf);
            start(c.read0, canceller);
        }
    }

    /** Heap or native, at random: the two take different paths (bounce buffer or direct). */
    private MemorySegment buffer(int n, MemorySegment nativeMemory) {
        return random.nextBoolean() ? MemorySegment.ofArray(new byte[n]) : nativeMemory.asSlice(0, n);
    }

    private static void closeQuietly(FdSocket s) {
        try {
            s.close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void start(IoOp op, ExecutorService canceller) {
        int dice = random.nextInt(100);
        if (dice < 2) {
            op.requestCancel(Op.CANCEL_TASK); // cancelled before it is submitted
        }
        assertTrue(op.submitTo(backend) || op.isDone());
        if (dice >= 2 && dice < 6) {
            op.requestCancel(Op.CANCEL_TASK); // its SQE is queued, not yet in the kernel
        } else if (dice >= 6 && dice < 10) {
            cancel(op, canceller); // from another thread, whenever it gets there
        }
    }

    private static void cancel(IoOp op, ExecutorService canceller) {
        if (op != null) {
            canceller.execute(() -> op.requestCancel(Op.CANCEL_TIMEOUT));
        }
    }
}
