package io.weft.ipc;

import io.weft.Deadline;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A socket file left by a dead server is replaced; one where a server listens is not. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StaleSocketTest {

    private static final RpcHandler ECHO = (method, request) -> request;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Path socket() throws Exception {
        return Files.createTempDirectory("weft-stale").resolve("s.sock");
    }

    private static void assertServes(Path sock) throws Exception {
        try (RpcClient rpc = RpcClient.connect(sock)) {
            assertArrayEquals(new byte[] {5}, rpc.call(1, new byte[] {5}, Deadline.after(WAIT)));
        }
    }

    /** Binds a server at {@code sock}, calls it once, closes it. From a Weft task. */
    private static void serveOnce(Path sock) throws Exception {
        RpcServer server = RpcServer.bind(sock, ECHO);
        try {
            assertServes(sock);
        } finally {
            server.close();
        }
    }

    @Test
    void aServerKilledWithSigkillCanBeRestartedAtItsPath() throws Exception {
        Path sock = socket();
        PeerProcess peer = PeerProcess.start("server", sock.toString());
        try {
            peer.process.destroyForcibly(); // SIGKILL: no close, the socket file stays
            assertTrue(peer.process.waitFor(30, TimeUnit.SECONDS), "the server process ends");
        } finally {
            peer.close();
        }
        assertTrue(Files.exists(sock), "the dead server's socket file is still there");
        try (LogCapture log = new LogCapture(RpcServer.class)) {
            Weft.run(() -> serveOnce(sock));
            String said = log.find("stale socket file");
            assertNotNull(said, "the replacement is logged; logged: " + log.messages());
            assertTrue(said.contains(sock.toString()), said);
        }
    }

    @Test
    void aSocketFileNobodyListensOnIsReplaced() throws Exception {
        Path sock = socket();
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(sock)); // closing leaves the file, as a crash does
        }
        assertTrue(Files.exists(sock));
        Weft.run(() -> serveOnce(sock));
    }

    @Test
    void aLiveServerAtThePathIsNotReplaced() throws Exception {
        Path sock = socket();
        Weft.run(() -> {
            RpcServer first = RpcServer.bind(sock, ECHO);
            try {
                BindException e = assertThrows(BindException.class, () -> RpcServer.bind(sock, ECHO));
                assertTrue(e.getMessage().contains("already in use") && e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
                assertTrue(Files.exists(sock), "the live server's socket file stays");
                assertServes(sock);
            } finally {
                first.close();
            }
        });
    }

    @Test
    void aFileThatIsNotASocketIsLeftAlone() throws Exception {
        Path sock = socket();
        Files.writeString(sock, "not a socket");
        Weft.run(() -> {
            assertThrows(BindException.class, () -> RpcServer.bind(sock, ECHO));
        });
        assertEquals("not a socket", Files.readString(sock));
    }
}
