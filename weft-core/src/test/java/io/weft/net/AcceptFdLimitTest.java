package io.weft.net;

import io.weft.Deadline;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * An accept that runs out of file descriptors backs off instead of spinning, keeps
 * serving, and accepts again once descriptors are free. Runs in a child JVM whose
 * descriptor limit is lowered with {@code ulimit -n}, so this JVM is never starved.
 */
@Timeout(120)
class AcceptFdLimitTest {

    @Test
    void acceptBacksOffOnEmfileAndRecovers() throws Exception {
        runChild("accept", 1, 20);
    }

    /** The same through serve's per-loop SO_REUSEPORT sockets: each acceptor backs off and recovers. */
    @Test
    void perLoopAcceptorsBackOffOnEmfileAndRecover() throws Exception {
        runChild("serve", 2, 40);
    }

    /** A Unix listener shares TCP's accept loop: it backs off on EMFILE too, and recovers. */
    @Test
    void unixAcceptBacksOffOnEmfileAndRecovers() throws Exception {
        assumeFalse("nio".equals(System.getProperty("weft.backend")), "the nio backend has no Unix sockets");
        Path dir = Files.createTempDirectory("weft-accept-fd-limit");
        try {
            runChild("unix " + dir.resolve("l.sock"), 1, 20);
        } finally {
            Files.deleteIfExists(dir.resolve("l.sock"));
            Files.delete(dir);
        }
    }

    /**
     * Runs {@link Child} with {@code loops} loops, connects 3 clients while its descriptor
     * table is full, and checks that all 3 were accepted after at most {@code maxBackoffs}
     * back-offs (each acceptor backs off on its own).
     */
    private static void runChild(String mode, int loops, int maxBackoffs) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String backend = System.getProperty("weft.backend", "auto");
        String scheduler = System.getProperty("weft.scheduler", "auto");
        String cmd = "ulimit -n 256 && exec '" + java + "' --add-opens java.base/java.lang=ALL-UNNAMED"
                + " --enable-native-access=ALL-UNNAMED -Djdk.trackAllThreads=false"
                + " -Dweft.backend=" + backend + " -Dweft.scheduler=" + scheduler + " -Dweft.loops=" + loops
                + " -cp '" + System.getProperty("java.class.path") + "' '" + Child.class.getName() + "' " + mode;
        String unixPath = mode.startsWith("unix ") ? mode.substring(5) : null;
        Process child = new ProcessBuilder("bash", "-c", cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("READY "), "child started: " + ready);
            List<AutoCloseable> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // each connect completes in the kernel's backlog
                if (unixPath != null) {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    clients.add(c);
                    c.connect(UnixDomainSocketAddress.of(unixPath));
                } else {
                    clients.add(new Socket("127.0.0.1", Integer.parseInt(ready.substring(6).trim())));
                }
            }
            String result = out.readLine();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child finished");
            for (AutoCloseable c : clients) {
                c.close();
            }
            assertTrue(result != null && result.startsWith("ACCEPTED "), "child reported: " + result);
            String[] parts = result.split(" ");
            int accepted = Integer.parseInt(parts[1]);
            long backoffs = Long.parseLong(parts[2]);
            assertEquals(3, accepted, "every connection was accepted once descriptors were free");
            assertTrue(backoffs >= 1, "accept hit the limit and backed off");
            // The child held the limit for 500 ms after the first backoff; backoff starts at
            // 10 ms and doubles, so a loop that spun instead would show thousands of attempts.
            assertTrue(backoffs <= maxBackoffs, "accept backed off rather than spinning: " + backoffs + " attempts");
            assertEquals(0, child.exitValue());
        } finally {
            child.destroyForcibly();
        }
    }

    /**
     * The child: fills its descriptor table, lets accept hit EMFILE, then frees it. With
     * argument {@code serve}, accepts through {@link TcpListener#serve} on per-loop sockets;
     * with {@code unix PATH}, through a {@link UnixListener} bound there.
     */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            if (args.length > 0 && args[0].equals("serve")) {
                serve();
                return;
            }
            if (args.length > 1 && args[0].equals("unix")) {
                unix(Path.of(args[1]));
                return;
            }
            Weft.run(() -> {
                try (TcpListener l = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0))) {
                    // One round first, so every class on the path is loaded: with no
                    // descriptor left, not even a class file could be opened.
                    var warm = Weft.spawn(() -> l.accept(Duration.ofSeconds(10)).close());
                    TcpStream.connect(l.localAddress()).close();
                    warm.join();
                    List<FileChannel> filler = fillDescriptorTable();
                    System.out.println("READY " + l.localAddress().getPort());
                    System.out.flush();
                    var acceptor = Weft.spawn(() -> {
                        List<TcpStream> got = new ArrayList<>();
                        while (got.size() < 3) {
                            got.add(l.accept(Duration.ofSeconds(30)));
                        }
                        for (TcpStream s : got) {
                            s.close();
                        }
                        return got.size();
                    });
                    // Wait (bounded) until the parent's connections have made accept hit
                    // EMFILE, then hold the limit 500 ms longer: a loop that spun instead of
                    // backing off would show thousands of attempts by then. This task keeps
                    // running meanwhile: the loop is not stuck.
                    Deadline limit = Deadline.after(Duration.ofSeconds(60));
                    while (l.fdLimitBackoffs() == 0 && !limit.hasPassed()) {
                        Weft.sleep(Duration.ofMillis(5));
                    }
                    Weft.sleep(Duration.ofMillis(500));
                    for (FileChannel f : filler) {
                        f.close();
                    }
                    int accepted = acceptor.join();
                    System.out.println("ACCEPTED " + accepted + " " + l.fdLimitBackoffs());
                }
            });
        }

        private static void serve() throws Exception {
            Weft.run(() -> {
                AtomicInteger accepted = new AtomicInteger();
                TcpListener l = TcpListener.builder().spread(TcpListener.Spread.REUSE_PORT)
                        .bind(new InetSocketAddress("127.0.0.1", 0));
                var server = Weft.spawn(() -> l.serve(conn -> accepted.incrementAndGet()));
                // Warm the path (see above); the kernel spreads these over the sockets.
                for (int i = 0; i < 8; i++) {
                    TcpStream.connect(l.localAddress()).close();
                }
                awaitAccepted(accepted, 8);
                accepted.set(0);
                List<FileChannel> filler = fillDescriptorTable();
                System.out.println("READY " + l.localAddress().getPort());
                System.out.flush();
                Deadline limit = Deadline.after(Duration.ofSeconds(60));
                while (l.fdLimitBackoffs() == 0 && !limit.hasPassed()) {
                    Weft.sleep(Duration.ofMillis(5));
                }
                Weft.sleep(Duration.ofMillis(500));
                for (FileChannel f : filler) {
                    f.close();
                }
                awaitAccepted(accepted, 3);
                System.out.println("ACCEPTED " + accepted.get() + " " + l.fdLimitBackoffs());
                l.close();
                server.join(Duration.ofSeconds(30));
            });
        }

        private static void unix(Path path) throws Exception {
            Weft.run(() -> {
                try (UnixListener l = UnixListener.bind(path)) {
                    // Warm the path (see above).
                    var warm = Weft.spawn(() -> l.accept(Duration.ofSeconds(10)).close());
                    UnixStream.connect(path).close();
                    warm.join();
                    List<FileChannel> filler = fillDescriptorTable();
                    System.out.println("READY " + path);
                    System.out.flush();
                    var acceptor = Weft.spawn(() -> {
                        List<UnixStream> got = new ArrayList<>();
                        while (got.size() < 3) {
                            got.add(l.accept(Duration.ofSeconds(30)));
                        }
                        for (UnixStream s : got) {
                            s.close();
                        }
                        return got.size();
                    });
                    Deadline limit = Deadline.after(Duration.ofSeconds(60));
                    while (l.fdLimitBackoffs() == 0 && !limit.hasPassed()) {
                        Weft.sleep(Duration.ofMillis(5));
                    }
                    Weft.sleep(Duration.ofMillis(500));
                    for (FileChannel f : filler) {
                        f.close();
                    }
                    int accepted = acceptor.join();
                    System.out.println("ACCEPTED " + accepted + " " + l.fdLimitBackoffs());
                }
            });
        }

        /** Opens /dev/null until the descriptor table is full: accept will then fail with EMFILE. */
        private static List<FileChannel> fillDescriptorTable() {
            List<FileChannel> filler = new ArrayList<>();
            try {
                while (true) {
                    filler.add(FileChannel.open(Path.of("/dev/null")));
                }
            } catch (IOException full) {
                return filler;
            }
        }

        private static void awaitAccepted(AtomicInteger accepted, int n) {
            Deadline limit = Deadline.after(Duration.ofSeconds(30));
            while (accepted.get() < n && !limit.hasPassed()) {
                Weft.sleep(Duration.ofMillis(5));
            }
        }
    }
}
