package io.weft.internal.backend.epoll;

import io.weft.TestSupport;
import io.weft.internal.backend.Backend;
import io.weft.internal.backend.BackendUnavailableException;
import io.weft.internal.backend.Backends;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.fd.FdSocket;
import io.weft.internal.linux.Errno;
import io.weft.internal.linux.Libc;
import io.weft.internal.wait.Op;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The epoll backend driven directly, with the test thread as its loop thread; loopback only. */
@Timeout(60)
class EpollBackendTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private EpollProvider provider;
    private TestLoop loop;
    private Backend backend;
    private Arena arena;
    private final List<FdSocket> sockets = new ArrayList<>();

    @BeforeEach
    void open() throws IOException {
        try {
            provider = EpollProvider.probe();
        } catch (BackendUnavailableException e) {
            assumeTrue(false, "epoll unavailable: " + e.getMessage());
        }
        loop = new TestLoop();
        backend = provider.open(loop);
        loop.backend = backend;
        arena = Arena.ofShared();
    }

    @AfterEach
    void close() throws IOException {
        if (backend == null) {
            return;
        }
        for (FdSocket s : sockets) {
            s.close();
        }
        loop.until(() -> sockets.stream().allMatch(s -> s.inflightCount() == 0), "sockets to close");
        backend.close();
        arena.close();
    }

    // ---- helpers ---------------------------------------------------------------------

    private <T extends FdSocket> T track(T s) {
        sockets.add(s);
        return s;
    }

    private FdSocket listener() throws IOException {
        FdSocket l = track(FdSocket.openTcp(StandardProtocolFamily.INET, true));
        l.bind(new InetSocketAddress(LOOPBACK, 0), 256);
        return l;
    }

    private <T extends IoOp> T submit(T op) {
        assertTrue(op.submitTo(backend));
        return op;
    }

    /** A connected pair: [client, server]. */
    private FdSocket[] pair(FdSocket listener) throws IOException {
        FdSocket client = track(FdSocket.openTcp(StandardProtocolFamily.INET, false));
        NetOps.Accept accept = submit(new NetOps.Accept(listener));
        NetOps.Connect connect = submit(new NetOps.Connect(client, listener.localAddress()));
        assertEquals(0, loop.await(connect));
        assertEquals(0, loop.await(accept));
        return new FdSocket[] {client, track((FdSocket) accept.attachment())};
    }

    private MemorySegment bytes(String s) {
        return arena.allocateFrom(s, StandardCharsets.US_ASCII).asSlice(0, s.length());
    }

    private long write(FdSocket s, MemorySegment data) {
        return loop.await(submit(new NetOps.Write(s, data)));
    }

    /** Reads exactly {@code n} bytes, in as many reads as it takes. */
    private byte[] readFully(FdSocket s, int n) {
        byte[] out = new byte[n];
        int got = 0;
        while (got < n) {
            long r = loop.await(submit(new NetOps.Read(s, MemorySegment.ofArray(out).asSlice(got))));
            assertTrue(r > 0, "read returned " + r + " after " + got + " of " + n + " bytes");
            got += (int) r;
        }
        return out;
    }

    // ---- connect, accept, read, write ---------------------------------------------------

    @Test
    void bytesTravelBothWaysThroughNativeAndHeapBuffers() throws IOException {
        FdSocket[] p = pair(listener());
        FdSocket client = p[0];
        FdSocket server = p[1];
        assertEquals(client.localAddress(), server.remoteAddress());

        assertEquals(5, write(client, bytes("hello")));
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), readFully(server, 5));

        byte[] heap = "..world..".getBytes(StandardCharsets.US_ASCII);
        assertEquals(5, write(server, MemorySegment.ofArray(heap).asSlice(2, 5)));
        MemorySegment in = arena.allocate(16);
        assertEquals(5, loop.await(submit(new NetOps.Read(client, in))));
        assertEquals("world", new String(in.asSlice(0, 5).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
    }

    @Test
    void readParksUntilDataArrives() throws IOException {
        FdSocket[] p = pair(listener());
        byte[] buf = new byte[8];
        NetOps.Read read = submit(new NetOps.Read(p[1], MemorySegment.ofArray(buf)));
        loop.turn(0);
        assertFalse(read.isDone(), "nothing was sent yet");
        write(p[0], bytes("late"));
        assertEquals(4, loop.await(read));
        assertEquals("late", new String(buf, 0, 4, StandardCharsets.US_ASCII));
    }

    @Test
    void aReadAfterAShortReadWaitsForTheEdgeAndStillGetsBytesAlreadyThere() throws IOException {
        FdSocket[] p = pair(listener());
        byte[] buf = new byte[8];
        NetOps.Read first = submit(new NetOps.Read(p[1], MemorySegment.ofArray(buf)));
        loop.turn(0); // EAGAIN: the socket joins epoll
        write(p[0], bytes("late"));
        assertEquals(4, loop.await(first), "a short read: the queue is empty now");
        write(p[0], bytes("more"));
        NetOps.Read second = submit(new NetOps.Read(p[1], MemorySegment.ofArray(buf)));
        assertFalse(second.isDone(), "after a short read the next one waits for the edge, no syscall");
        assertEquals(4, loop.await(second), "the edge of the bytes sent before it completes it");
        assertEquals("more", new String(buf, 0, 4, StandardCharsets.US_ASCII));
        // A read that fills its buffer leaves the socket maybe-readable: the next one tries at once.
        write(p[0], bytes("12345678abc"));
        assertEquals(8, loop.await(submit(new NetOps.Read(p[1], MemorySegment.ofArray(buf)))));
        NetOps.Read third = submit(new NetOps.Read(p[1], MemorySegment.ofArray(buf)));
        assertTrue(third.isDone(), "read at once, without waiting for an edge");
        assertEquals(3, third.result());
    }

    /**
     * The idiomatic buffer, from the waiting task's own confined arena: the loop thread
     * makes the syscalls (the first try here, and the retry after the edge), although only
     * the task may touch the segment through FFM.
     */
    @Test
    void buffersConfinedToTheWaitingThreadWorkWhenTheLoopRetries() throws Exception {
        FdSocket[] p = pair(listener());
        SynchronousQueue<NetOps.Read> handOver = new SynchronousQueue<>();
        CountDownLatch done = new CountDownLatch(1);
        String[] seen = new String[1];
        Thread task = Thread.ofPlatform().start(() -> {
            try (Arena confined = Arena.ofConfined()) {
                NetOps.Read read = new NetOps.Read(p[1], confined.allocate(16));
                handOver.put(read);
                done.await();
                seen[0] = new String(read.buffer.asSlice(0, read.result()).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        NetOps.Read read = handOver.poll(TestLoop.PATIENCE_NANOS, TimeUnit.NANOSECONDS);
        submit(read);
        loop.turn(0);
        assertFalse(read.isDone(), "parked: no data yet");
        write(p[0], bytes("confined"));
        assertEquals(8, loop.await(read));
        done.countDown();
        task.join();
        assertEquals("confined", seen[0]);
    }

    @Test
    void aBufferFromAClosedArenaFailsTheOpAndNotTheLoop() throws IOException {
        FdSocket[] p = pair(listener());
        MemorySegment gone;
        try (Arena shortLived = Arena.ofShared()) {
            gone = shortLived.allocate(16);
        }
        write(p[0], bytes("x"));
        NetOps.Read read = submit(new NetOps.Read(p[1], gone));
        assertEquals(-Errno.EIO, loop.await(read));
        assertInstanceOf(UncheckedIOException.class, read.attachment());
        assertArrayEquals(new byte[] {'x'}, readFully(p[1], 1), "the byte is still there");
    }

    @Test
    void readAfterPeerShutdownOrCloseReturnsEndOfStream() throws IOException {
        FdSocket[] p = pair(listener());
        NetOps.Read parked = submit(new NetOps.Read(p[1], arena.allocate(8)));
        p[0].shutdownOutput();
        assertEquals(0, loop.await(parked));
        assertEquals(0, loop.await(submit(new NetOps.Read(p[1], arena.allocate(8)))), "end of stream stays");
        p[1].close();
        assertEquals(0, loop.await(submit(new NetOps.Read(p[0], arena.allocate(8)))), "the peer closed");
    }

    @Test
    void writeParksWhenTheSocketBufferIsFullAndNoByteIsLost() throws IOException {
        FdSocket[] p = pair(listener());
        p[0].setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        p[1].setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        MemorySegment chunk = arena.allocate(64 * 1024);
        for (int i = 0; i < chunk.byteSize(); i++) {
            chunk.set(ValueLayout.JAVA_BYTE, i, (byte) (i % 251));
        }
        // Write chunks until one parks: the kernel's buffers are bounded, so this ends.
        long sent = 0;
        NetOps.Write parked = null;
        for (int i = 0; i < 1000 && parked == null; i++) {
            NetOps.Write w = submit(new NetOps.Write(p[0], chunk.asSlice(sent % chunk.byteSize())));
            if (w.isDone()) {
                assertTrue(w.result() > 0);
                sent += w.result();
            } else {
                parked = w;
            }
        }
        assertTrue(parked != null, "a write parked once the buffers filled");
        // Drain the server side; the parked write completes once there is room.
        MemorySegment in = arena.allocate(16 * 1024);
        long received = 0;
        while (!parked.isDone()) {
            received += checkedRead(p[1], in, received, chunk.byteSize());
        }
        assertTrue(parked.result() > 0, "write returned " + parked.result());
        sent += parked.result();
        while (received < sent) {
            received += checkedRead(p[1], in, received, chunk.byteSize());
        }
        assertEquals(sent, received);
    }

    /** One read; checks that byte x of the stream is (x mod period) mod 251. */
    private long checkedRead(FdSocket s, MemorySegment in, long offset, long period) {
        long r = loop.await(submit(new NetOps.Read(s, in)));
        assertTrue(r > 0, "read returned " + r);
        for (int i = 0; i < r; i++) {
            assertEquals((byte) ((offset + i) % period % 251), in.get(ValueLayout.JAVA_BYTE, i), "byte " + (offset + i));
        }
        return r;
    }

    @Test
    void connectToAPortWithoutListenerIsRefused() throws IOException {
        // A bound socket that does not listen answers SYN with RST, deterministically.
        FdSocket bound = track(FdSocket.openTcp(StandardProtocolFamily.INET, false));
        bound.bind(new InetSocketAddress(LOOPBACK, 0), 0);
        FdSocket client = track(FdSocket.openTcp(StandardProtocolFamily.INET, false));
        long r = loop.await(submit(new NetOps.Connect(client, bound.localAddress())));
        assertEquals(-Errno.ECONNREFUSED, r);
        IOException e = Errno.exception((int) r, "connect to", bound.localAddress());
        assertInstanceOf(ConnectException.class, e);
        assertTrue(e.getMessage().contains("ECONNREFUSED"), e.getMessage());
    }

    /**
     * The server accepts and resets the connection before the client's loop has seen its
     * connect finish: the connect still succeeds (the handshake did), and the reset shows
     * on the first read, never as an orderly end of stream.
     */
    @Test
    void aResetBeforeTheConnectIsSeenFailsTheFirstReadNotTheConnect() throws IOException {
        FdSocket l = listener();
        FdSocket client = track(FdSocket.openTcp(StandardProtocolFamily.INET, false));
        NetOps.Connect connect = submit(new NetOps.Connect(client, l.localAddress()));
        assumeFalse(connect.isDone(), "the connect finished at once; no window for the race");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(a);
            MemorySegment pfd = a.allocate(Libc.POLLFD_LAYOUT);
            pfd.set(ValueLayout.JAVA_INT, 0, l.fd());
            pfd.set(ValueLayout.JAVA_SHORT, 4, (short) Libc.POLLIN);
            assertEquals(1, Libc.poll(cs, pfd, 1, (int) TimeUnit.NANOSECONDS.toMillis(TestLoop.PATIENCE_NANOS)));
            int fd = Libc.accept4(cs, l.fd(), MemorySegment.NULL, MemorySegment.NULL, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
            assertTrue(fd >= 0, Errno.name(fd));
            FdSocket server = FdSocket.accepted(fd, l);
            server.setOption(StandardSocketOptions.SO_LINGER, 0);
            server.close(); // RST, while the client's loop has not polled yet
        }
        assertEquals(0, loop.await(connect));
        long r = loop.await(submit(new NetOps.Read(client, arena.allocate(8))));
        assertEquals(-Errno.ECONNRESET, r);
        assertEquals(-Errno.ECONNRESET, loop.await(submit(new NetOps.Read(client, arena.allocate(8)))), "the reset stays");
        long w = loop.await(submit(new NetOps.Write(client, bytes("x"))));
        assertTrue(w == -Errno.EPIPE || w == -Errno.ECONNRESET, "write after reset: " + w);
    }

    @Test
    void dualStackSocketConnectsToAnIpv4Listener() throws IOException {
        TestSupport.assumeIpv6();
        FdSocket l = listener();
        FdSocket client = track(FdSocket.openTcp(StandardProtocolFamily.INET6, false));
        NetOps.Accept accept = submit(new NetOps.Accept(l));
        assertEquals(0, loop.await(submit(new NetOps.Connect(client, l.localAddress()))));
        assertEquals(0, loop.await(accept));
        FdSocket server = track((FdSocket) accept.attachment());
        assertEquals(l.localAddress(), client.remoteAddress());
        assertEquals(client.localAddress(), server.remoteAddress());
    }

    // ---- cancellation --------------------------------------------------------------

    @Test
    void cancelledParkedReadCompletesCancelledAndLeavesTheDataForTheNextRead() throws Exception {
        FdSocket[] p = pair(listener());
        NetOps.Read read = submit(new NetOps.Read(p[1], arena.allocate(8)));
        loop.turn(0);
        assertFalse(read.isDone());
        Thread canceller = Thread.ofPlatform().start(() -> read.requestCancel(Op.CANCEL_TASK));
        loop.await(read);
        canceller.join();
        assertTrue(read.wasCancelled());
        assertEquals(Op.CANCEL_TASK, read.cancelReason());
        assertEquals(0, p[1].inflightCount());

        write(p[0], bytes("kept"));
        assertArrayEquals("kept".getBytes(StandardCharsets.US_ASCII), readFully(p[1], 4));
    }

    @Test
    void anOpTheBackendNeverReceivedIsCompletedCancelled() throws IOException {
        FdSocket[] p = pair(listener());
        NetOps.Read never = new NetOps.Read(p[1], arena.allocate(8));
        backend.cancel(never);
        assertTrue(never.isDone());
        assertEquals(Op.CANCELLED, never.result());
    }

    @Test
    void closingTheHandleCancelsItsParkedOpsThenClosesTheFd() throws IOException {
        FdSocket[] p = pair(listener());
        NetOps.Read read = submit(new NetOps.Read(p[1], arena.allocate(8)));
        NetOps.Poll poll = submit(new NetOps.Poll(p[1], NetOps.POLLIN));
        loop.turn(0);
        assertFalse(read.isDone() || poll.isDone());
        p[1].close();
        loop.await(read);
        loop.await(poll);
        assertTrue(read.wasCancelled());
        assertEquals(Op.CANCEL_CLOSE, read.cancelReason());
        assertTrue(poll.wasCancelled());
        assertEquals(0, loop.await(submit(new NetOps.Read(p[0], arena.allocate(8)))), "the fd was closed, so the peer sees EOF");
        assertFalse(new NetOps.Read(p[1], arena.allocate(8)).submitTo(backend), "a closed handle takes no ops");
    }

    /**
     * A read parked on the loop races a writer and a canceller on two other threads (even
     * rounds), or only a canceller, with the bytes sent after it (odd rounds, so the
     * withdrawn outcome happens for sure). Every round the read either wins (its bytes
     * count) or is withdrawn having read nothing; either way the receiver ends up with
     * exactly the bytes sent, in order.
     */
    @Test
    void readsRacingCancelAndDataLoseNoBytesALot() throws Exception {
        FdSocket l = listener();
        NetOps.Accept accept = submit(new NetOps.Accept(l));
        int rounds = 200;
        try (Socket peer = new Socket(LOOPBACK, l.localAddress().getPort());
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            assertEquals(0, loop.await(accept));
            FdSocket server = track((FdSocket) accept.attachment());
            OutputStream out = peer.getOutputStream();
            long sent = 0;
            long received = 0;
            int won = 0;
            int withdrawn = 0;
            MemorySegment buf = arena.allocate(64);
            for (int round = 0; round < rounds; round++) {
                NetOps.Read read = submit(new NetOps.Read(server, buf));
                byte[] chunk = new byte[1 + round % 7];
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = (byte) ((sent + i) % 251);
                }
                sent += chunk.length;
                boolean race = round % 2 == 0;
                CountDownLatch go = new CountDownLatch(1);
                Future<?> writer = pool.submit(() -> {
                    go.await();
                    if (race) {
                        out.write(chunk);
                    }
                    return null;
                });
                Future<?> canceller = pool.submit(() -> {
                    go.await();
                    read.requestCancel(Op.CANCEL_TASK);
                    return null;
                });
                go.countDown();
                long r = loop.await(read);
                writer.get(TestLoop.PATIENCE_NANOS, TimeUnit.NANOSECONDS);
                canceller.get(TestLoop.PATIENCE_NANOS, TimeUnit.NANOSECONDS);
                if (!race) {
                    assertEquals(Op.CANCELLED, r, "nothing was sent before the cancel");
                    out.write(chunk);
                }
                if (r == Op.CANCELLED) {
                    withdrawn++;
                } else {
                    assertTrue(r > 0, "read returned " + r);
                    won++;
                    received += check(buf, received, r);
                }
                // Start every round with nothing pending, so that each round is a race.
                while (received < sent) {
                    long more = loop.await(submit(new NetOps.Read(server, buf)));
                    assertTrue(more > 0);
                    received += check(buf, received, more);
                }
            }
            assertEquals(sent, received);
            assertEquals(rounds, won + withdrawn);
            assertTrue(withdrawn >= rounds / 2, "every odd round withdraws its read");
            assertEquals(0, server.inflightCount());
        }
    }

    private static long check(MemorySegment buf, long offset, long n) {
        for (int i = 0; i < n; i++) {
            assertEquals((byte) ((offset + i) % 251), buf.get(ValueLayout.JAVA_BYTE, i), "byte " + (offset + i));
        }
        return n;
    }

    // ---- registrations -------------------------------------------------------------

    /**
     * A socket registered here is closed and its fd number comes back with a new socket:
     * the new one must be registered afresh (the kernel dropped the old file from epoll),
     * and its ops must see its own edges.
     */
    @Test
    void aReusedFdNumberIsRegisteredAgain() throws IOException {
        FdSocket l = listener();
        FdSocket[] first = pair(l);
        NetOps.Read parked = submit(new NetOps.Read(first[1], arena.allocate(8)));
        loop.turn(0);
        assertFalse(parked.isDone(), "parked, so the fd joined this loop's epoll");
        int number = first[1].fd();
        first[1].close();
        assertEquals(Op.CANCELLED, loop.await(parked));

        NetOps.Accept accept = submit(new NetOps.Accept(l));
        FdSocket client = track(FdSocket.openTcp(StandardProtocolFamily.INET, false));
        assertEquals(0, loop.await(submit(new NetOps.Connect(client, l.localAddress()))));
        assertEquals(0, loop.await(accept));
        FdSocket second = track((FdSocket) accept.attachment());
        assumeTrue(second.fd() == number || client.fd() == number,
                "another thread took fd " + number + " meanwhile; nothing to test");
        FdSocket reused = second.fd() == number ? second : client;
        FdSocket peer = reused == second ? client : second;
        NetOps.Read read = submit(new NetOps.Read(reused, arena.allocate(8)));
        loop.turn(0);
        assertFalse(read.isDone());
        write(peer, bytes("again"));
        assertEquals(5, loop.await(read));
    }

    @Test
    void oneSocketParkedInTwoLoopsGetsTheEdgeInBoth() throws IOException {
        FdSocket[] p = pair(listener());
        TestLoop otherLoop = new TestLoop();
        Backend other = provider.open(otherLoop);
        otherLoop.backend = other;
        try {
            NetOps.Poll here = submit(new NetOps.Poll(p[1], NetOps.POLLIN));
            NetOps.Poll there = new NetOps.Poll(p[1], NetOps.POLLIN);
            assertTrue(there.submitTo(other));
            loop.turn(0);
            otherLoop.turn(0);
            assertFalse(here.isDone() || there.isDone());
            write(p[0], bytes("both"));
            assertEquals(NetOps.POLLIN, loop.await(here));
            assertEquals(NetOps.POLLIN, otherLoop.await(there));
        } finally {
            other.close();
        }
    }

    // ---- poll ------------------------------------------------------------------------

    @Test
    void pollReportsWritableAtOnceAndReadableWhenDataArrives() throws IOException {
        FdSocket[] p = pair(listener());
        assertEquals(NetOps.POLLOUT, loop.await(submit(new NetOps.Poll(p[0], NetOps.POLLOUT))));
        NetOps.Poll in = submit(new NetOps.Poll(p[1], NetOps.POLLIN));
        loop.turn(0);
        assertFalse(in.isDone());
        write(p[0], bytes("x"));
        assertEquals(NetOps.POLLIN, loop.await(in));
        assertEquals(NetOps.POLLIN | NetOps.POLLOUT, loop.await(submit(new NetOps.Poll(p[1], NetOps.POLLIN | NetOps.POLLOUT))));
        // Poll consumes nothing: the byte is still there.
        assertArrayEquals(new byte[] {'x'}, readFully(p[1], 1));
    }

    @Test
    void parkedPollCanBeCancelledAndSeesPeerClose() throws Exception {
        FdSocket[] p = pair(listener());
        NetOps.Poll poll = submit(new NetOps.Poll(p[1], NetOps.POLLIN));
        loop.turn(0);
        Thread canceller = Thread.ofPlatform().start(() -> poll.requestCancel(Op.CANCEL_TIMEOUT));
        loop.await(poll);
        canceller.join();
        assertTrue(poll.wasCancelled());

        NetOps.Poll again = submit(new NetOps.Poll(p[1], NetOps.POLLIN));
        loop.turn(0);
        assertFalse(again.isDone());
        p[0].close();
        assertEquals(NetOps.POLLIN, loop.await(again), "end of stream is readable");
    }

    // ---- wake-up -------------------------------------------------------------------

    /**
     * An unbounded poll blocks in epoll_wait, where neither an interrupt nor JUnit's timeout
     * reaches it; so the polls run on a loop thread of their own, and this thread waits for
     * them with a bound. If they do not finish, it wakes the poller as a watchdog (so the
     * thread ends and closes its backend) and fails: a wake-up was lost.
     */
    @Test
    void wakeupFromAnotherThreadEndsAnUnboundedPoll() throws Exception {
        int rounds = 100;
        AtomicInteger polled = new AtomicInteger();
        AtomicBoolean rescued = new AtomicBoolean();
        CompletableFuture<Backend> opened = new CompletableFuture<>();
        Thread poller = Thread.ofPlatform().daemon(true).name("epoll-wakeup-poller").start(() -> {
            TestLoop own = new TestLoop();
            Backend b;
            try {
                b = provider.open(own);
            } catch (IOException | RuntimeException e) {
                opened.completeExceptionally(e);
                return;
            }
            own.backend = b;
            opened.complete(b);
            try {
                for (int i = 0; i < rounds && !rescued.get(); i++) {
                    Thread waker = Thread.ofPlatform().start(b::wakeup);
                    b.poll(Long.MAX_VALUE); // returns only because of a wake-up
                    polled.incrementAndGet();
                    waker.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                b.close();
            }
        });
        Backend polling = opened.get(10, TimeUnit.SECONDS);
        poller.join(Duration.ofSeconds(30));
        if (poller.isAlive()) {
            rescued.set(true);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (poller.isAlive() && System.nanoTime() - end < 0) {
                polling.wakeup();
                poller.join(Duration.ofMillis(10));
            }
            fail("a wake-up was lost: poll " + (polled.get() + 1) + " of " + rounds + " did not return within 30 s"
                    + (poller.isAlive() ? ", and further wake-ups did not end it either" : "; a further wake-up ended it"));
        }
        assertEquals(rounds, polled.get(), "every unbounded poll ended by its wake-up");
    }

    @Test
    void workHandedOverFromAnotherThreadRunsOnTheLoop() throws Exception {
        AtomicBoolean ranOnLoop = new AtomicBoolean();
        Thread other = Thread.ofPlatform().start(() -> loop.execute(() -> ranOnLoop.set(loop.inLoop())));
        loop.until(ranOnLoop::get, "the handed-over task");
        other.join();
    }

    // ---- many connections -------------------------------------------------------------

    @Test
    void twoHundredConnectionsEchoConcurrently() throws IOException {
        int n = 200;
        FdSocket l = listener();
        FdSocket[] clients = new FdSocket[n];
        NetOps.Accept[] accepts = new NetOps.Accept[n];
        NetOps.Connect[] connects = new NetOps.Connect[n];
        for (int i = 0; i < n; i++) {
            accepts[i] = submit(new NetOps.Accept(l));
        }
        for (int i = 0; i < n; i++) {
            clients[i] = track(FdSocket.openTcp(StandardProtocolFamily.INET, false));
            connects[i] = submit(new NetOps.Connect(clients[i], l.localAddress()));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(0, loop.await(connects[i]));
            assertEquals(0, loop.await(accepts[i]));
        }
        // Each server side reads its client's 4-byte id and sends it back.
        FdSocket[] servers = new FdSocket[n];
        NetOps.Read[] serverReads = new NetOps.Read[n];
        for (int i = 0; i < n; i++) {
            servers[i] = track((FdSocket) accepts[i].attachment());
            serverReads[i] = submit(new NetOps.Read(servers[i], arena.allocate(4)));
        }
        NetOps.Read[] clientReads = new NetOps.Read[n];
        for (int i = 0; i < n; i++) {
            clientReads[i] = submit(new NetOps.Read(clients[i], arena.allocate(4)));
            assertEquals(4, write(clients[i], arena.allocateFrom(ValueLayout.JAVA_INT, i)));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(4, loop.await(serverReads[i]), "4 bytes on loopback arrive in one piece");
            assertEquals(4, write(servers[i], serverReads[i].buffer));
        }
        boolean[] seen = new boolean[n];
        for (int i = 0; i < n; i++) {
            assertEquals(4, loop.await(clientReads[i]));
            int id = clientReads[i].buffer.get(ValueLayout.JAVA_INT, 0);
            assertEquals(i, id, "each client gets its own id back");
            seen[id] = true;
        }
        for (boolean b : seen) {
            assertTrue(b);
        }
    }

    // ---- selection -----------------------------------------------------------------

    @Test
    void epollCanBeChosenByName() throws BackendUnavailableException {
        Backends.Choice c = Backends.choose("epoll");
        assertEquals("epoll", c.provider().name());
        assertTrue(c.provider().capabilities().contains(Capability.POLL));
    }

    @Test
    void timeoutsRoundUpToWholeMilliseconds() {
        assertEquals(0, EpollBackend.timeoutMillis(0));
        assertEquals(0, EpollBackend.timeoutMillis(-5));
        assertEquals(1, EpollBackend.timeoutMillis(1));
        assertEquals(1, EpollBackend.timeoutMillis(1_000_000));
        assertEquals(2, EpollBackend.timeoutMillis(1_000_001));
        assertEquals(-1, EpollBackend.timeoutMillis(Long.MAX_VALUE));
        assertEquals(Integer.MAX_VALUE, EpollBackend.timeoutMillis(Long.MAX_VALUE - 1));
    }
}
