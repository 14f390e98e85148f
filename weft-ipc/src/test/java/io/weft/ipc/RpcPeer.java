package io.weft.ipc;

import io.weft.Weft;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The other process of the cross-process tests, started by {@link PeerProcess}:
 *
 * <pre>
 *  server SOCKET    an RPC server: method 1 echoes, 2 throws, 3 sleeps a minute (prints
 *                   SLEEPING first), 4 answers how many method-3 calls are running
 *  corrupt RING     opens a one-to-one ring, writes records 0..2, then a record whose length
 *                   is out of range, and a wrong version into the header
 *  connect SOCKET   connects an RPC client and prints CONNECTED, or REFUSED and the reason
 * </pre>
 *
 * It prints READY when set up, and exits when its standard input closes (the test ended).
 */
public final class RpcPeer {

    static final int ECHO = 1;
    static final int FAIL = 2;
    static final int SLEEP = 3;
    static final int SLEEPERS = 4;

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
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void server(Path socket) throws Exception {
        AtomicInteger sleepers = new AtomicInteger();
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
                    } finally {
                        sleepers.decrementAndGet();
                    }
                    yield request;
                }
                case SLEEPERS -> MemorySegment.ofArray(new int[] {sleepers.get()});
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
