package io.weft.net;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import io.weft.internal.backend.SocketNames;
import io.weft.internal.linux.EncodedSockAddr;
import io.weft.internal.linux.Libc;
import io.weft.internal.linux.SockAddr;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AF_VSOCK streams over the kernel's loopback transport (cid 1), on io_uring and epoll.
 * Where vsock_loopback is not loaded the stream tests skip and say so; the address codec
 * and nio's refusal are tested everywhere.
 */
@Timeout(60)
class VsockConformanceTest {

    static Stream<String> fdBackends() {
        return UnixSocketConformanceTest.fdBackends();
    }

    /** Binds a listener on the local cid, or skips the test with the kernel's reason. */
    static VsockListener localListenerOrSkip() throws IOException {
        try {
            return VsockListener.bind(new VsockAddress(VsockAddress.CID_LOCAL, VsockAddress.PORT_ANY));
        } catch (IOException e) {
            Assumptions.abort("no vsock loopback transport here (load vsock_loopback to run this): " + e.getMessage());
            throw e;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void streamsOverTheLocalCidBothWays(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (VsockListener l = localListenerOrSkip()) {
                assertEquals(VsockAddress.CID_LOCAL, l.localAddress().cid());
                assertTrue(l.localAddress().port() != VsockAddress.PORT_ANY, "the kernel picked a port");
                Task<Void> server = Weft.spawn(() -> {
                    try (VsockStream s = l.accept(Duration.ofSeconds(10))) {
                        byte[] b = new byte[5];
                        s.readFully(b, Deadline.after(Duration.ofSeconds(10)));
                        s.writeAll(b);
                    }
                });
                try (VsockStream c = VsockStream.connect(l.localAddress(), Duration.ofSeconds(10))) {
                    c.writeAll("vsock".getBytes());
                    byte[] back = new byte[5];
                    c.readFully(back, Deadline.after(Duration.ofSeconds(10)));
                    assertArrayEquals("vsock".getBytes(), back);
                    assertEquals(l.localAddress(), c.remoteAddress());
                }
                server.join();
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void acceptTimesOutOnAnIdleListener(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (VsockListener l = localListenerOrSkip()) {
                assertThrows(java.net.SocketTimeoutException.class, () -> l.accept(Duration.ofMillis(50)));
            }
        });
    }

    @Test
    void addressesEncodeAsSockaddrVmAndBack() {
        VsockAddress a = new VsockAddress(VsockAddress.CID_HOST, 5000);
        EncodedSockAddr e = (EncodedSockAddr) SocketNames.kernelForm(a.toName());
        assertEquals(Libc.AF_VSOCK, e.family());
        assertEquals(SockAddr.VM_SIZE, e.length());
        assertEquals(a, VsockAddress.fromName(SocketNames.fromKernel(e)));
        VsockAddress any = new VsockAddress(VsockAddress.CID_ANY, VsockAddress.PORT_ANY);
        assertEquals(any, VsockAddress.fromName(SocketNames.fromKernel(SocketNames.kernelForm(any.toName()))));
        assertEquals("vsock:4294967295:4294967295", any.toString());
    }

    @Test
    void nioRefusesVsockNamingTheBackendsThatHaveIt() throws Exception {
        TcpConformanceTest.on("nio", () -> {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> VsockListener.bind(new VsockAddress(VsockAddress.CID_LOCAL, 1234)));
            assertTrue(e.getMessage().contains("nio") && e.getMessage().contains("VSOCK"), e.getMessage());
        });
    }
}
