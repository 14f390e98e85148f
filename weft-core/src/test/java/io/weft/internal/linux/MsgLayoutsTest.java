package io.weft.internal.linux;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sockaddr_un / sockaddr_vm encoding and the control-message walk, without sockets. */
@Tag("mode-independent")
class MsgLayoutsTest {

    @Test
    void unixPathsAreNulTerminatedAndAbstractNamesStartWithNul() {
        EncodedSockAddr p = SockAddr.unix("/tmp/a.sock".getBytes(StandardCharsets.UTF_8), false);
        byte[] raw = p.bytes();
        assertEquals(Libc.AF_UNIX, p.family());
        assertEquals(2 + 11 + 1, raw.length);
        assertEquals(0, raw[raw.length - 1]);
        assertArrayEquals("/tmp/a.sock".getBytes(StandardCharsets.UTF_8), SockAddr.unixName(raw, raw.length));
        assertFalse(SockAddr.isAbstract(raw, raw.length));
        assertEquals("unix:/tmp/a.sock", p.toString());

        EncodedSockAddr a = SockAddr.unix("name".getBytes(StandardCharsets.UTF_8), true);
        byte[] ar = a.bytes();
        assertEquals(2 + 1 + 4, ar.length, "an abstract name's length ends it; no trailing NUL");
        assertEquals(0, ar[2]);
        assertTrue(SockAddr.isAbstract(ar, ar.length));
        assertArrayEquals("name".getBytes(StandardCharsets.UTF_8), SockAddr.unixName(ar, ar.length));
        assertEquals("unix:@name", a.toString());

        assertNull(SockAddr.unixName(new byte[] {1, 0}, 2), "length 2 is an unnamed socket");
    }

    @Test
    void unixNamesThatDoNotFitOrHoldNulAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SockAddr.unix(new byte[108], true));
        assertThrows(IllegalArgumentException.class, () -> SockAddr.unix("a".repeat(108).getBytes(), false));
        SockAddr.unix("a".repeat(107).getBytes(), false); // the longest path that fits
        assertThrows(IllegalArgumentException.class, () -> SockAddr.unix(new byte[] {'a', 0, 'b'}, false));
        assertThrows(IllegalArgumentException.class, () -> SockAddr.unix(new byte[0], false));
    }

    @Test
    void vsockAddressesHaveTheirFieldsWhereTheKernelReadsThem() {
        byte[] raw = SockAddr.vsock(3, 0x01020304).bytes();
        assertEquals(16, raw.length);
        assertEquals(Libc.AF_VSOCK, raw[0] & 0xff);
        assertEquals(0x01020304, MemorySegment.ofArray(raw).get(ValueLayout.JAVA_INT_UNALIGNED, 4), "svm_port at 4");
        assertEquals(3, MemorySegment.ofArray(raw).get(ValueLayout.JAVA_INT_UNALIGNED, 8), "svm_cid at 8");
        assertEquals(3, SockAddr.vsockCid(raw));
        assertEquals(0x01020304, SockAddr.vsockPort(raw));
    }

    @Test
    void rightsMessagesRoundTripAndTheWalkStopsAtABrokenHeader() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = arena.allocate(256, 8);
            long used = CmsgLayout.putRights(c, 0, new int[] {5, 6, 7});
            assertEquals(CmsgLayout.space(12), used);
            assertEquals(32, used, "16-byte header, 12 bytes padded to 16");
            // a second message behind it, then garbage with a length running past the end
            CmsgLayout.putRights(c, used, new int[] {9});
            long second = CmsgLayout.space(4);
            c.set(ValueLayout.JAVA_LONG, used + second, 4096);
            List<int[]> seen = new ArrayList<>();
            CmsgLayout.forEach(c, used + second + 16, (level, type, data) -> {
                assertEquals(Libc.SOL_SOCKET, level);
                assertEquals(Libc.SCM_RIGHTS, type);
                seen.add(data.toArray(ValueLayout.JAVA_INT));
            });
            assertEquals(2, seen.size());
            assertArrayEquals(new int[] {5, 6, 7}, seen.get(0));
            assertArrayEquals(new int[] {9}, seen.get(1));
            // a length shorter than a header ends the walk too
            c.set(ValueLayout.JAVA_LONG, 0, 3);
            int[] count = {0};
            CmsgLayout.forEach(c, 256, (l, t, d) -> count[0]++);
            assertEquals(0, count[0]);
        }
    }

    @Test
    void msghdrFieldsSitAtTheirAbiOffsets() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(MsgHdrLayout.SIZE, 8);
            MsgHdrLayout.set(m, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66);
            assertEquals(0x11, m.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0x22, m.get(ValueLayout.JAVA_INT, 8));
            assertEquals(0x33, m.get(ValueLayout.JAVA_LONG, 16));
            assertEquals(0x44, m.get(ValueLayout.JAVA_LONG, 24));
            assertEquals(0x55, m.get(ValueLayout.JAVA_LONG, 32));
            assertEquals(0x66, m.get(ValueLayout.JAVA_LONG, 40));
            assertEquals(0, MsgHdrLayout.flags(m, 0));
            assertEquals(64, MsgHdrLayout.MMSGHDR_SIZE);
        }
    }
}
