package io.weft.internal.backend.uring;

import io.weft.internal.backend.TestLoop;
import io.weft.internal.backend.FutexWait;
import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.NetOps;
import io.weft.internal.wait.Op;
import io.weft.internal.backend.fd.FdSocket;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The io_uring backend driven directly, on the test thread as its loop, over 127.0.0.1. */
@Tag("mode-independent") // drives the backend directly, no tasks: runs once
class UringBackendTest {

    static UringProbe.Support support;

    @BeforeAll
    static void probe() {
        support = UringTesting.probeOrSkip();
    }

    private TestLoop loop;
    private UringBackend backend;
    private final List<FdSocket> sockets = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        open(UringBackend.Config.DEFAULT);
    }

    private void open(UringBackend.Config config) throws Exception {
        loop = new TestLoop();
        backend = new UringBackend(loop, support, config);
        loop.backend = backend;
    }

    @AfterEach
    void close() throws Exception {
        for (FdSocket s : sockets) {
            s.close();
        }
        loop.runQueued();
        if (backend != null) {
            loop.await(() -> backend.slotsInUse() == 0);
            assertEquals(0, backend.slotsInUse(), "slots leaked");
            assertEquals(0, backend.net().buffersInUse(), "bounce buffers leaked");
            assertEquals(0, backend.ring().cqOverflowDropped(), "completions dropped");
            backend.close();
        }
    }

    private FdSocket socket(boolean listener) throws Exception {
        FdSocket s = FdSocket.openTcp(StandardProtocolFamily.INET, listener);
        sockets.add(s);
        return s;
    }

    private FdSocket listener() throws Exception {
        FdSocket l = socket(true);
        l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        return l;
    }

    /** A connected pair: [client, server side]. */
    private FdSocket[] pair() throws Exception {
        FdSocket l = listener();
        FdSocket[] p = connectTo(l);
        // Close the listener and let its multishot accept end, so that tests counting
        // slots count only their own ops.
        l.close();
        assertTrue(loop.await(() -> backend.net().acceptQueues() == 0));
        return p;
    }

    private long run(IoOp op) {
        assertTrue(op.submitTo(backend));
        assertTrue(loop.await(op), "op did not complete: " + op);
        return op.result();
    }

    private static MemorySegment heap(String text) {
        return MemorySegment.ofArray(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void ringIsSetUpAndTornDown() {
        backend.poll(0);
        backend.poll(1_000_000L);
        assertTrue(backend.ring().isEnabled());
        assertEquals(0, backend.slotsInUse());
    }

    @Test
    void aBackendMadeOnAnotherThreadRunsOnItsLoopThread() throws Exception {
        backend.close();
        // Made off the loop (as a provider may be): the ring starts disabled, and the loop
        // thread enables it with its first call, becoming the ring's single issuer.
        UringBackend[] made = new UringBackend[1];
        Thread maker = Thread.ofPlatform().start(() -> {
            try {
                made[0] = new UringBackend(loop, support, UringBackend.Config.DEFAULT);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        maker.join();
        backend = made[0];
        loop.backend = backend;
        assertEquals(support.singleIssuer(), !backend.ring().isEnabled(), "disabled until the loop thread enables it");
        FdSocket[] p = pair();
        assertTrue(backend.ring().isEnabled());
        assertEquals(4, run(new NetOps.Write(p[0], heap("ping"))));
        assertEquals(4, run(new NetOps.Read(p[1], MemorySegment.ofArray(new byte[8]))));
    }

    @Test
    void oneEnterPerPoll() throws Exception {
        FdSocket[] p = pair();
        NetOps.Write w1 = new NetOps.Write(p[0], heap("a"));
        NetOps.Write w2 = new NetOps.Write(p[0], heap("b"));
        NetOps.Poll p1 = new NetOps.Poll(p[1], NetOps.POLLOUT);
        assertTrue(w1.submitTo(backend));
        assertTrue(w2.submitTo(backend));
        assertTrue(p1.submitTo(backend));
        long before = backend.stats().enters;
        backend.poll(1_000_000_000L);
        assertEquals(before + 1, backend.stats().enters, "three ops, one io_uring_enter");
        assertTrue(loop.await(() -> w1.isDone() && w2.isDone() && p1.isDone()));
    }

    @Test
    void wakeupFromAnotherThreadEndsTheWait() throws Exception {
        backend.poll(0);
        Thread waker = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            backend.wakeup();
        });
        // Without the wake-up this poll would wait for a minute; the bound keeps a broken
        // build from hanging, it is not a timing assertion.
        for (int i = 0; i < 100 && backend.stats().wakeupsReaped == 0; i++) {
            backend.poll(60_000_000_000L);
        }
        waker.join();
        assertEquals(1, backend.stats().wakeupsReaped);
        // A second wake-up after the first was reaped works too.
        Thread.ofPlatform().start(backend::wakeup).join();
        for (int i = 0; i < 100 && backend.stats().wakeupsReaped == 1; i++) {
            backend.poll(60_000_000_000L);
        }
        assertEquals(2, backend.stats().wakeupsReaped);
    }

    @Test
    void runsTasksQueuedFromAnotherThread() throws Exception {
        boolean[] ran = new boolean[1];
        Thread.ofPlatform().start(() -> loop.execute(() -> ran[0] = true)).join();
        assertTrue(loop.await(() -> ran[0]));
    }

    @Test
    void acceptConnectWriteReadHeap() throws Exception {
        FdSocket[] p = pair();
        assertEquals(5, run(new NetOps.Write(p[0], heap("hello"))));
        byte[] into = new byte[64];
        NetOps.Read read = new NetOps.Read(p[1], MemorySegment.ofArray(into));
        assertEquals(5, run(read));
        assertEquals("hello", new String(into, 0, 5, StandardCharsets.UTF_8));
        assertTrue(backend.net().fixedBuffers(), "heap I/O should use registered buffers here");
    }

    @Test
    void writeReadNative() throws Exception {
        FdSocket[] p = pair();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocateFrom("native bytes");
            MemorySegment in = arena.allocate(64);
            long n = run(new NetOps.Write(p[1], out.asSlice(0, 12)));
            assertEquals(12, n);
            assertEquals(12, run(new NetOps.Read(p[0], in)));
            assertEquals("native bytes", in.getString(0).substring(0, 12));
        }
    }

    @Test
    void largeHeapTransferArrivesIntact() throws Exception {
        FdSocket[] p = pair();
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >>> 8));
        }
        byte[] got = new byte[data.length];
        int[] sent = {0};
        int[] received = {0};
        IoOp[] w = {null};
        IoOp[] r = {null};
        assertTrue(loop.await(() -> {
            if (w[0] == null || w[0].isDone()) {
                if (w[0] != null) {
                    assertTrue(w[0].result() > 0, () -> Errno.name((int) w[0].result()));
                    sent[0] += (int) w[0].result();
                }
                w[0] = null;
                if (sent[0] < data.length) {
                    w[0] = new NetOps.Write(p[0], MemorySegment.ofArray(data).asSlice(sent[0]));
                    w[0].submitTo(backend);
                }
            }
            if (r[0] == null || r[0].isDone()) {
                if (r[0] != null) {
                    assertTrue(r[0].result() > 0);
                    received[0] += (int) r[0].result();
                }
                r[0] = null;
                if (received[0] < data.length) {
                    r[0] = new NetOps.Read(p[1], MemorySegment.ofArray(got).asSlice(received[0]));
                    r[0].submitTo(backend);
                }
            }
            return sent[0] == data.length && received[0] == data.length;
        }));
        assertArrayEquals(data, got);
    }

    @Test
    void endOfStreamReadsZero() throws Exception {
        FdSocket[] p = pair();
        NetOps.Read read = new NetOps.Read(p[1], MemorySegment.ofArray(new byte[16]));
        assertTrue(read.submitTo(backend));
        backend.poll(0);
        p[0].close();
        assertTrue(loop.await(read));
        assertEquals(0, read.result());
    }

    @Test
    void connectToAClosedPortIsRefused() throws Exception {
        FdSocket l = listener();
        InetSocketAddress address = l.localAddress();
        l.close();
        sockets.remove(l);
        FdSocket c = socket(false);
        assertEquals(-Errno.ECONNREFUSED, run(new NetOps.Connect(c, address)));
    }

    @Test
    void cancelAParkedRead() throws Exception {
        FdSocket[] p = pair();
        NetOps.Read read = new NetOps.Read(p[1], MemorySegment.ofArray(new byte[16]));
        assertTrue(read.submitTo(backend));
        backend.poll(0);
        assertEquals(1, backend.slotsInUse());
        Thread.ofPlatform().start(() -> read.requestCancel(Op.CANCEL_TASK)).join();
        assertTrue(loop.await(read));
        assertTrue(read.wasCancelled(), "result " + read.result());
        assertEquals(Op.CANCEL_TASK, read.cancelReason());
        assertEquals(0, backend.slotsInUse());
        // The connection still works after the withdrawn read.
        assertEquals(2, run(new NetOps.Write(p[0], heap("ok"))));
        assertEquals(2, run(new NetOps.Read(p[1], MemorySegment.ofArray(new byte[16]))));
    }

    @Test
    void cancelBeforeSubmitNeverReachesTheKernel() throws Exception {
        FdSocket[] p = pair();
        NetOps.Read read = new NetOps.Read(p[1], MemorySegment.ofArray(new byte[16]));
        read.requestCancel(Op.CANCEL_TASK);
        assertTrue(read.isDone() && read.wasCancelled());
        assertTrue(read.submitTo(backend));
        assertEquals(0, backend.slotsInUse());
    }

    @Test
    void closingTheHandleCancelsItsOps() throws Exception {
        FdSocket l = listener();
        NetOps.Accept accept = new NetOps.Accept(l);
        assertTrue(accept.submitTo(backend));
        backend.poll(0);
        l.close();
        assertTrue(loop.await(accept));
        assertTrue(accept.wasCancelled());
        assertEquals(Op.CANCEL_CLOSE, accept.cancelReason());
    }

    @Test
    void oneMultishotAcceptServesManyConnectionsAndHandsOutQueuedOnesWithoutWaiting() throws Exception {
        FdSocket l = listener();
        for (int i = 0; i < 10; i++) {
            FdSocket[] p = connectTo(l);
            assertEquals(1, run(new NetOps.Write(p[0], heap("" + i))));
            MemorySegment in = MemorySegment.ofArray(new byte[1]);
            assertEquals(1, run(new NetOps.Read(p[1], in)));
            assertEquals('0' + i, in.get(ValueLayout.JAVA_BYTE, 0));
        }
        assertEquals(1, backend.stats().multishotArms, "one ACCEPT SQE served every connection");
        // Connections that arrive while nobody accepts wait in the queue...
        List<FdSocket> early = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FdSocket c = socket(false);
            assertEquals(0, run(new NetOps.Connect(c, l.localAddress())));
            early.add(c);
        }
        assertTrue(loop.await(() -> backend.net().queuedConnections() == 3));
        // ...and an accept takes one at submission, without a trip to the kernel.
        for (int i = 0; i < 3; i++) {
            NetOps.Accept a = new NetOps.Accept(l);
            assertTrue(a.submitTo(backend));
            assertTrue(a.isDone(), "completed at once from the queue");
            sockets.add(assertInstanceOf(FdSocket.class, a.attachment()));
        }
        assertEquals(1, backend.stats().multishotArms);
        assertEquals(1, l.inflightCount(), "the multishot is the listener's only op in flight");
    }

    @Test
    void closingAListenerWithdrawsItsMultishotAndClosesQueuedConnections() throws Exception {
        FdSocket l = listener();
        InetSocketAddress address = l.localAddress();
        connectTo(l);
        List<FdSocket> queued = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            FdSocket c = socket(false);
            assertEquals(0, run(new NetOps.Connect(c, address)));
            queued.add(c);
        }
        assertTrue(loop.await(() -> backend.net().queuedConnections() == 2));
        l.close();
        assertTrue(loop.await(() -> backend.net().acceptQueues() == 0 && l.inflightCount() == 0));
        for (FdSocket c : queued) {
            long r = run(new NetOps.Read(c, MemorySegment.ofArray(new byte[4])));
            assertTrue(r == 0 || r == -Errno.ECONNRESET, "a queued connection was closed: " + r);
        }
        // The kernel let go of the listening socket: nothing accepts on its port any more.
        FdSocket late = socket(false);
        assertEquals(-Errno.ECONNREFUSED, run(new NetOps.Connect(late, address)));
    }

    /** Connects a new client to {@code l} and accepts it: [client, server side]. */
    private FdSocket[] connectTo(FdSocket l) throws Exception {
        FdSocket c = socket(false);
        NetOps.Accept accept = new NetOps.Accept(l);
        NetOps.Connect connect = new NetOps.Connect(c, l.localAddress());
        assertTrue(accept.submitTo(backend));
        assertTrue(connect.submitTo(backend));
        assertTrue(loop.await(() -> accept.isDone() && connect.isDone()));
        assertEquals(0, connect.result(), () -> Errno.name((int) connect.result()));
        assertEquals(0, accept.result(), () -> Errno.name((int) accept.result()));
        FdSocket s = assertInstanceOf(FdSocket.class, accept.attachment());
        sockets.add(s);
        return new FdSocket[] {c, s};
    }

    @Test
    void aStreamReleasedOnTheLoopThreadIsClosedByTheRingAndAListenerAtOnce() throws Exception {
        FdSocket[] p = pair();
        p[0].close();
        assertEquals(1, backend.pendingCloses(), "the close waits for the next enter");
        assertEquals(0, run(new NetOps.Read(p[1], MemorySegment.ofArray(new byte[4]))),
                "the peer sees the end of stream once the OP_CLOSE ran");
        assertEquals(0, backend.pendingCloses());
        FdSocket l = listener();
        l.close();
        assertEquals(0, backend.pendingCloses(), "a listener's port is free when close returns");
    }

    @Test
    void aWriteTheSocketCanTakeIsSentDirectlyAndOneThatWouldWaitTakesTheRing() throws Exception {
        FdSocket[] p = pair();
        long before = backend.stats().directSends;
        assertEquals(5, run(new NetOps.Write(p[0], heap("hello"))));
        assertEquals(before + 1, backend.stats().directSends, "sent without an SQE");
        // Fill the peer's receive buffer and our send buffer: the next write would wait.
        MemorySegment big = MemorySegment.ofArray(new byte[1 << 20]);
        long sent = 0;
        NetOps.Write w;
        while (true) {
            w = new NetOps.Write(p[0], big);
            assertTrue(w.submitTo(backend));
            if (!w.isDone()) {
                break; // parked in the ring: the socket had no room
            }
            long r = w.result();
            assertTrue(r > 0, () -> Errno.name((int) r));
            sent += r;
        }
        assertEquals(1, backend.slotsInUse(), "the waiting write holds a slot");
        NetOps.Write behind = new NetOps.Write(p[0], heap("x"));
        assertTrue(behind.submitTo(backend));
        assertEquals(2, backend.slotsInUse(), "a write behind a queued one queues too, keeping the order");
        // Drain the peer until both writes are done.
        MemorySegment sink = MemorySegment.ofArray(new byte[64 * 1024]);
        NetOps.Write waiting = w;
        long drained = 0;
        while (!(waiting.isDone() && behind.isDone())) {
            long n = run(new NetOps.Read(p[1], sink));
            assertTrue(n > 0);
            drained += n;
        }
        assertTrue(waiting.result() > 0 && behind.result() == 1);
        assertTrue(drained > 0 && sent > 0);
    }

    @Test
    void aReadAfterOneThatDrainedTheSocketWaitsForDataAndFindsDataAlreadyThere() throws Exception {
        FdSocket[] p = pair();
        byte[] into = new byte[4];
        assertTrue(UringBackend.socketState(p[1]).mayHaveData, "a new socket may hold bytes");
        assertEquals(6, run(new NetOps.Write(p[0], heap("abcdef"))));
        // A short read leaves bytes behind: the CQE says so, and the next read goes at once.
        assertEquals(4, run(new NetOps.Read(p[1], MemorySegment.ofArray(into))));
        assertTrue(UringBackend.socketState(p[1]).mayHaveData, "two bytes are still there");
        assertEquals(2, run(new NetOps.Read(p[1], MemorySegment.ofArray(into))));
        assertEquals("ef", new String(into, 0, 2, StandardCharsets.UTF_8));
        assertFalse(UringBackend.socketState(p[1]).mayHaveData, "that read drained the socket");
        // Drained: the next RECV polls first. Data already there when it is submitted...
        assertEquals(3, run(new NetOps.Write(p[0], heap("ghi"))));
        assertEquals(3, run(new NetOps.Read(p[1], MemorySegment.ofArray(into))));
        assertEquals("ghi", new String(into, 0, 3, StandardCharsets.UTF_8));
        // ...and data that comes later both complete it.
        NetOps.Read later = new NetOps.Read(p[1], MemorySegment.ofArray(into));
        assertTrue(later.submitTo(backend));
        backend.poll(0);
        assertFalse(later.isDone(), "nothing to read yet");
        assertEquals(1, run(new NetOps.Write(p[0], heap("j"))));
        assertTrue(loop.await(later));
        assertEquals(1, later.result());
        assertEquals('j', into[0]);
    }

    @Test
    void shutdownRunsAsAnOp() throws Exception {
        FdSocket[] p = pair();
        assertEquals(0, run(new NetOps.Shutdown(p[0], NetOps.SHUT_WR)));
        assertEquals(0, run(new NetOps.Read(p[1], MemorySegment.ofArray(new byte[4]))), "end of stream");
        assertEquals(1, run(new NetOps.Write(p[1], heap("x"))), "the other direction is open");
    }

    @Test
    void pollReportsReadiness() throws Exception {
        FdSocket[] p = pair();
        assertEquals(NetOps.POLLOUT, run(new NetOps.Poll(p[0], NetOps.POLLOUT)));
        NetOps.Poll in = new NetOps.Poll(p[1], NetOps.POLLIN);
        assertTrue(in.submitTo(backend));
        backend.poll(0);
        assertTrue(!in.isDone());
        assertEquals(1, run(new NetOps.Write(p[0], heap("x"))));
        assertTrue(loop.await(in));
        assertEquals(NetOps.POLLIN, in.result());
    }

    @Test
    void futexWaitEndsOnAWakeAChangedWordACancelOrItsDeadline() throws Exception {
        assumeTrue(support.supports(UringAbi.OP_FUTEX_WAIT), "kernel has no IORING_OP_FUTEX_WAIT (Linux 6.7+)");
        long sysFutex = "aarch64".equals(System.getProperty("os.arch")) ? 98 : 202;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            assertEquals(-Errno.EAGAIN, run(new FutexWait(word.address(), 1, true)), "the word does not hold 1");

            FutexWait woken = new FutexWait(word.address(), 0, true);
            assertTrue(woken.submitTo(backend));
            backend.poll(0);
            assertEquals(1, backend.slotsInUse());
            Thread.ofPlatform().start(() -> {
                word.set(ValueLayout.JAVA_INT, 0, 1);
                try (Arena a = Arena.ofConfined()) {
                    Libc.syscall(Libc.newCallState(a), sysFutex, word.address(), 1 /* FUTEX_WAKE, shared */, Integer.MAX_VALUE);
                }
            }).join();
            assertTrue(loop.await(woken));
            assertEquals(0, woken.result());

            FutexWait cancelled = new FutexWait(word.address(), 1, true);
            assertTrue(cancelled.submitTo(backend));
            backend.poll(0);
            Thread.ofPlatform().start(() -> cancelled.requestCancel(Op.CANCEL_TASK)).join();
            assertTrue(loop.await(cancelled));
            assertTrue(cancelled.wasCancelled(), "result " + cancelled.result());

            if (support.linkTimeout()) {
                FutexWait timed = new FutexWait(word.address(), 1, true);
                timed.setDeadline(System.nanoTime() + 20_000_000L);
                assertEquals(-Errno.ETIMEDOUT, run(timed));
            }
            assertEquals(0, backend.slotsInUse());
        }
    }

    @Test
    void deadlineEndsAReadWithTimedOut() throws Exception {
        assumeTrue(support.linkTimeout(), "kernel has no IORING_OP_LINK_TIMEOUT");
        FdSocket[] p = pair();
        NetOps.Read read = new NetOps.Read(p[1], MemorySegment.ofArray(new byte[16]));
        read.setDeadline(System.nanoTime() + 20_000_000L);
        assertEquals(-Errno.ETIMEDOUT, run(read));
        // A deadline that is not reached leaves the result alone.
        NetOps.Read later = new NetOps.Read(p[1], MemorySegment.ofArray(new byte[16]));
        later.setDeadline(System.nanoTime() + 60_000_000_000L);
        assertTrue(later.submitTo(backend));
        assertEquals(3, run(new NetOps.Write(p[0], heap("abc"))));
        assertTrue(loop.await(later));
        assertEquals(3, later.result());
    }

    @Test
    void completionsAreReapedWithoutBlockingPolls() throws Exception {
        FdSocket[] p = pair();
        NetOps.Read read = new NetOps.Read(p[1], MemorySegment.ofArray(new byte[16]));
        assertTrue(read.submitTo(backend));
        backend.poll(0);
        NetOps.Write write = new NetOps.Write(p[0], heap("z"));
        assertTrue(write.submitTo(backend));
        // A busy loop only ever polls with timeout 0; completions must still arrive.
        for (int i = 0; i < 10_000 && !(read.isDone() && write.isDone()); i++) {
            backend.poll(0);
            if (i > 100) {
                Thread.sleep(1);
            }
        }
        assertTrue(read.isDone() && write.isDone());
        assertEquals(1, read.result());
    }

    @Test
    void moreOpsThanSqEntriesAndAnOverflowingCq() throws Exception {
        backend.close();
        open(new UringBackend.Config(4, 8, 4096, 4, 4, 4096, false));
        FdSocket[] p = pair();
        List<NetOps.Poll> polls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            NetOps.Poll op = new NetOps.Poll(p[i % 2], NetOps.POLLOUT);
            polls.add(op);
            assertTrue(op.submitTo(backend)); // 200 SQEs through a 4-entry SQ
        }
        // 200 completions into an 8-entry CQ: most wait on the kernel's overflow list.
        assertTrue(loop.await(() -> polls.stream().allMatch(Op::isDone)));
        for (NetOps.Poll op : polls) {
            assertEquals(NetOps.POLLOUT, op.result());
        }
        assertTrue(backend.stats().overflowFlushes > 0, "the CQ should have overflowed");
        assertEquals(0, backend.ring().cqOverflowDropped());
        assertEquals(0, backend.slotsInUse());
    }

    @Test
    void parkedHeapReadsHoldNoBuffer() throws Exception {
        assumeTrue(backend.net().providedReadBuffers(), "kernel has no provided-buffer rings");
        List<FdSocket[]> pairs = new ArrayList<>();
        List<NetOps.Read> reads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            FdSocket[] p = pair();
            pairs.add(p);
            NetOps.Read r = new NetOps.Read(p[1], MemorySegment.ofArray(new byte[8]));
            reads.add(r);
            assertTrue(r.submitTo(backend));
        }
        backend.poll(0);
        assertEquals(6, backend.slotsInUse());
        assertEquals(0, backend.net().buffersInUse(), "a parked read must not hold a bounce buffer");
        for (int i = 0; i < 6; i++) {
            assertEquals(2, run(new NetOps.Write(pairs.get(i)[0], heap("r" + i))));
        }
        assertTrue(loop.await(() -> reads.stream().allMatch(Op::isDone)));
        for (int i = 0; i < 6; i++) {
            NetOps.Read r = reads.get(i);
            assertEquals(2, r.result());
            assertEquals("r" + i, new String(r.buffer.toArray(ValueLayout.JAVA_BYTE), 0, 2, StandardCharsets.UTF_8));
        }
    }

    @Test
    void readsFallBackToBounceBuffersWhenProvidedBuffersRunOutAndThoseSpill() throws Exception {
        backend.close();
        // One provided buffer, two registered chunks: most reads of a burst must fall back,
        // and some of those spill past the registered chunks.
        open(new UringBackend.Config(8, 16, 4096, 2, 1, 4096, false));
        List<FdSocket[]> pairs = new ArrayList<>();
        List<NetOps.Read> reads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            FdSocket[] p = pair();
            pairs.add(p);
            assertEquals(2, run(new NetOps.Write(p[0], heap("s" + i)))); // data waits before the read
        }
        for (FdSocket[] p : pairs) {
            NetOps.Read r = new NetOps.Read(p[1], MemorySegment.ofArray(new byte[8]));
            reads.add(r);
            assertTrue(r.submitTo(backend));
        }
        assertTrue(loop.await(() -> reads.stream().allMatch(Op::isDone)));
        for (int i = 0; i < 6; i++) {
            NetOps.Read r = reads.get(i);
            assertEquals(2, r.result());
            assertEquals("s" + i, new String(r.buffer.toArray(ValueLayout.JAVA_BYTE), 0, 2, StandardCharsets.UTF_8));
        }
        if (backend.net().providedReadBuffers()) {
            assertTrue(backend.stats().bufferSelectFallbacks > 0, "six ready reads, one provided buffer");
        }
    }

    @Test
    void closingTheBackendEndsOpsInFlight() throws Exception {
        FdSocket[] p = pair();
        NetOps.Read read = new NetOps.Read(p[1], MemorySegment.ofArray(new byte[16]));
        assertTrue(read.submitTo(backend));
        backend.poll(0);
        backend.close();
        assertTrue(read.isDone());
        assertEquals(Op.CANCELLED, read.result());
        backend = null;
    }
}
