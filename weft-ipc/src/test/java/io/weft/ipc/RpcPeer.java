package io.weft.ipc;

import io.weft.Deadline;
import io.weft.Weft;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The other process of the cross-process tests, started by {@link PeerProcess}:
 *
 * <pre>
 *  server SOCKET    an RPC server: method 1 echoes, 2 throws, 3 sleeps a minute (prints
 *                   SLEEPING first), 4 answers how many method-3 calls are running, 5 how
 *                   many method-3 calls ended because they were cancelled
 *  corrupt RING     opens a one-to-one ring, writes records 0..2, then a record whose length
 *                   is out of range, and a wrong version into the header
 *  connect SOCKET   connects an RPC client and prints CONNECTED, or REFUSED and the reason
 *  call SOCKET M    connects an RPC client, prints CALLING and calls method M with one byte,
 *                   with no deadline (for a test to kill it mid-call)
 *  probe            loads the RPC classes and prints READY: whether this class path works
 * </pre>
 *
 * It prints READY when set up, and exits when its standard input closes (the test ended).
 */
public final class RpcPeer {

    static final int ECHO = 1;
    static final int FAIL = 2;
    static final int SLEEP = 3;
    static final int SLEEPERS = 4;
    static final int CANCELLED = 5;

    public static void main(String[] args) throws Exception {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for the end of stdin: the test is over or died
                }
            } catch (Exception ignored) {
                // same
            }
            System.exit(0);
        });
        switch (args[0]) {
            case "server" -> server(Path.of(args[1]));
            case "corrupt" -> corrupt(Path.of(args[1]));
            case "connect" -> connect(Path.of(args[1]));
            case "call" -> call(Path.of(args[1]), Integer.parseInt(args[2]));
            case "probe" -> probe();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void server(Path socket) throws Exception {
        AtomicInteger sleepers = new AtomicInteger();
        AtomicInteger cancelled = new AtomicInteger();
        Weft.run(() -> {
            try (RpcServer server = RpcServer.bind(socket, (method, request) -> switch (method) {
                case ECHO -> request;
                case FAIL -> throw new IllegalStateException("boom after " + request.byteSize() + " bytes");
                case SLEEP -> {
                    sleepers.incrementAndGet();
                    try {
                        System.out.println("SLEEPING");
                        System.out.flush();
                        Weft.sleep(Duration.ofMinutes(1));
                    } catch (CancellationException e) {
                        cancelled.incrementAndGet();
                        throw e;
                    } finally {
                        sleepers.decrementAndGet();
                    }
                    yield request;
                }
                case SLEEPERS -> MemorySegment.ofArray(new int[] {sleepers.get()});
                case CANCELLED -> MemorySegment.ofArray(new int[] {cancelled.get()});
                default -> throw new UnsupportedOperationException("method " + method);
            })) {
                System.out.println("READY");
                System.out.flush();
                Weft.sleep(Duration.ofMinutes(10));
            }
        });
    }

    private static void connect(Path socket) throws Exception {
        System.out.println("READY");
        Weft.run(() -> {
            try (RpcClient rpc = RpcClient.connect(socket)) {
                System.out.println("CONNECTED " + rpc.serverPid());
            } catch (RpcException e) {
                System.out.println("REFUSED " + e.getMessage());
            }
        });
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(1));
    }

    private static void call(Path socket, int method) throws Exception {
        System.out.println("READY");
        System.out.flush();
        Weft.run(() -> {
            try (RpcClient rpc = RpcClient.connect(socket)) {
                System.out.println("CALLING");
                System.out.flush();
                rpc.call(method, new byte[1], Deadline.NONE);
                System.out.println("ANSWERED");
                System.out.flush();
            }
        });
        Thread.sleep(Duration.ofMinutes(1));
    }

    private static void probe() throws Exception {
        // Linking these reads class files of both modules, as the real modes do.
        Class.forName(RpcClient.class.getName(), true, RpcPeer.class.getClassLoader());
        Class.forName(Weft.class.getName(), true, RpcPeer.class.getClassLoader());
        System.out.println("READY");
        System.out.flush();
    }

    private static void corrupt(Path ring) throws Exception {
        try (OneToOneRing r = OneToOneRing.open(ring)) {
            for (long k = 0; k < 3; k++) {
                long i = r.tryClaim(1, 8);
                r.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, k);
                r.commit(i);
            }
            long i = r.tryClaim(1, 8);
            r.buffer().set(ValueLayout.JAVA_INT, i - 8, 1 << 30); // a committed length far past the ring
            r.file.header.set(ValueLayout.JAVA_INT, RingLayout.VERSION_OFFSET, 77);
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(1));
    }
}
