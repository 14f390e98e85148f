package io.weft.net;

import io.weft.Deadline;
import io.weft.Runtime;
import io.weft.Task;
import io.weft.Weft;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A memfd holding data goes from this JVM to a second one (started here with the same
 * class path and JVM flags) over a Unix socket; the child maps it, reads the data, sends
 * it back as bytes and writes its answer into the shared pages, which this side reads.
 */
@Timeout(120)
class MemfdAcrossProcessesTest {

    static final int SIZE = 1 << 16;
    static final String MESSAGE = "frame 42: shared between two JVMs";
    static final String ANSWER = "written by the child";

    @TempDir
    Path dir;

    static Stream<String> fdBackends() {
        return UnixSocketConformanceTest.fdBackends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void aMemfdPassedToAnotherProcessIsReadThereAndSharesItsPages(String backend) throws Exception {
        Path sock = dir.resolve("child.sock");
        TcpConformanceTest.on(backend, () -> {
            try (UnixListener l = UnixListener.bind(sock);
                 OwnedFd memfd = OwnedFd.memfd("weft-cross-process", SIZE);
                 Arena arena = Arena.ofShared()) {
                MemorySegment shm = memfd.map(arena, 0, SIZE);
                shm.setString(0, MESSAGE);
                Process child = startChild(backend, sock);
                try {
                    try (UnixStream conn = l.accept(Duration.ofSeconds(60))) {
                        assertEquals(child.pid(), conn.peerCredentials().pid(), "the peer is the child process");
                        conn.send(ByteBuffer.wrap(new byte[] {'M'}), memfd);
                        byte[] echoed = new byte[MESSAGE.length()];
                        conn.readFully(echoed, Deadline.after(Duration.ofSeconds(60)));
                        assertEquals(MESSAGE, new String(echoed, StandardCharsets.UTF_8), "the child read the memfd's data");
                        assertEquals(-1, conn.read(new byte[1], 0, 1, Deadline.after(Duration.ofSeconds(60))));
                    }
                    Task<Boolean> exited = Weft.spawn(() -> io.weft.Blocking.call(() -> child.waitFor(60, TimeUnit.SECONDS)));
                    assertTrue(exited.join(), "the child exits");
                    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertEquals(0, child.exitValue(), "child output:\n" + out);
                    assertEquals(ANSWER, shm.getString(SIZE / 2), "the child's write is visible through our mapping");
                } finally {
                    child.destroyForcibly();
                }
            }
        });
    }

    private static Process startChild(String backend, Path sock) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags());
        String scheduler = System.getProperty("weft.scheduler");
        if (scheduler != null) {
            cmd.add("-Dweft.scheduler=" + scheduler); // Surefire passes it as a property, not a flag
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Child.class.getName());
        cmd.add(backend);
        cmd.add(sock.toString());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    /**
     * This JVM's own flags: the arguments between the launcher and the class path, jar or
     * main class, read from /proc/self/cmdline (java.management is not in this module's reach).
     */
    static List<String> jvmFlags() throws Exception {
        String[] argv = new String(Files.readAllBytes(Path.of("/proc/self/cmdline")), StandardCharsets.UTF_8).split("\0");
        Set<String> withValue = Set.of("--add-opens", "--add-exports", "--add-reads", "--add-modules",
                "--enable-native-access", "--limit-modules", "--patch-module");
        List<String> flags = new ArrayList<>();
        for (int i = 1; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("-jar") || a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path") || !a.startsWith("-")) {
                break;
            }
            flags.add(a);
            if (withValue.contains(a) && i + 1 < argv.length) {
                flags.add(argv[++i]);
            }
        }
        return flags;
    }

    /** The second process: receives the memfd, echoes what it holds, writes its answer into it. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path sock = Path.of(args[1]);
            if (!Files.exists(sock)) {
                throw new IllegalStateException("no socket at " + sock);
            }
            Weft.run(Runtime.builder().backend(args[0]).loops(1), () -> {
                try (UnixStream s = UnixStream.connect(UnixAddress.of(sock), Duration.ofSeconds(30));
                     UnixMessage m = s.receive(ByteBuffer.allocate(1), 1, Deadline.after(Duration.ofSeconds(30)));
                     Arena arena = Arena.ofConfined()) {
                    if (m.fds().size() != 1) {
                        throw new IllegalStateException("expected one descriptor, got " + m);
                    }
                    MemorySegment shm = m.fds().get(0).map(arena, 0, SIZE);
                    String text = shm.getString(0);
                    shm.setString(SIZE / 2, ANSWER);
                    s.writeAll(text.getBytes(StandardCharsets.UTF_8));
                }
            });
            System.exit(0);
        }
    }
}
