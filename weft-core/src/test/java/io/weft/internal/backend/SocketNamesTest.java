package io.weft.internal.backend;

import io.weft.internal.linux.EncodedSockAddr;
import io.weft.internal.linux.Libc;
import io.weft.internal.linux.SockAddr;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The names the public socket types hand the backend, to the kernel's sockaddrs and back, without sockets. */
@Tag("mode-independent")
class SocketNamesTest {

    @Test
    void unixPathsAndAbstractNamesRoundTripThroughTheirSockaddr() {
        for (boolean abstractName : new boolean[] {false, true}) {
            UnixName n = new UnixName("run/app.sock".getBytes(StandardCharsets.UTF_8), abstractName);
            EncodedSockAddr e = (EncodedSockAddr) SocketNames.kernelForm(n);
            assertEquals(Libc.AF_UNIX, e.family());
            assertEquals(abstractName, SockAddr.isAbstract(e.bytes(), e.length()));
            assertEquals(n, SocketNames.fromKernel(e));
            assertEquals(n, SocketNames.read(MemorySegment.ofArray(e.bytes()), e.length()));
        }
    }

    @Test
    void aReportedNameThatFillsSunPathIsTakenAsItIs() {
        // A path of 108 bytes has no room for a NUL; the kernel still reports it.
        byte[] raw = new byte[SockAddr.UN_PATH + SockAddr.UN_PATH_MAX];
        raw[0] = (byte) Libc.AF_UNIX;
        java.util.Arrays.fill(raw, SockAddr.UN_PATH, raw.length, (byte) 'a');
        UnixName n = (UnixName) SocketNames.fromKernel(new EncodedSockAddr(raw));
        assertArrayEquals("a".repeat(SockAddr.UN_PATH_MAX).getBytes(StandardCharsets.UTF_8), n.bytes());
    }

    @Test
    void anUnnamedSocketReportsUnnamedAndCannotBeReached() {
        assertSame(UnixName.UNNAMED, SocketNames.fromKernel(new EncodedSockAddr(new byte[] {(byte) Libc.AF_UNIX, 0})));
        assertTrue(UnixName.UNNAMED.isUnnamed());
        assertNull(UnixName.UNNAMED.bytes());
        assertThrows(IllegalArgumentException.class, () -> SocketNames.kernelForm(UnixName.UNNAMED));
    }

    @Test
    void unixNamesThatDoNotFitAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new UnixName("a".repeat(108).getBytes(StandardCharsets.UTF_8), false));
        assertThrows(IllegalArgumentException.class, () -> new UnixName(new byte[] {'a', 0}, false));
        assertThrows(IllegalArgumentException.class, () -> new UnixName(new byte[0], false));
    }

    @Test
    void vsockNamesRoundTripAndInetAddressesPassThrough() {
        VsockName v = new VsockName(-1, 5000);
        EncodedSockAddr e = (EncodedSockAddr) SocketNames.kernelForm(v);
        assertEquals(Libc.AF_VSOCK, e.family());
        assertEquals(v, SocketNames.fromKernel(e));
        assertEquals("vsock:4294967295:5000", v.toString());
        InetSocketAddress inet = new InetSocketAddress("127.0.0.1", 80);
        assertSame(inet, SocketNames.kernelForm(inet));
        assertSame(inet, SocketNames.fromKernel(inet));
    }
}
