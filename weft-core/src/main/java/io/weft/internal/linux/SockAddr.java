package io.weft.internal.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.channels.UnresolvedAddressException;
import java.util.Arrays;

/**
 * Encodes {@link InetSocketAddress}es as {@code struct sockaddr_in} / {@code sockaddr_in6}
 * and decodes them back.
 *
 * <pre>
 * sockaddr_in, 16 bytes
 *  0        2        4                 8                                 16
 *  +--------+--------+-----------------+---------------------------------+
 *  | family |  port  |    IPv4 addr    |            zero                 |
 *  +--------+--------+-----------------+---------------------------------+
 *    host     network   network order
 *    order    order
 *
 * sockaddr_in6, 28 bytes
 *  0        2        4                 8                                 24        28
 *  +--------+--------+-----------------+---------------------------------+---------+
 *  | family |  port  |    flowinfo     |          IPv6 addr (16)         |scope_id |
 *  +--------+--------+-----------------+---------------------------------+---------+
 *    host     network   network order     network order                    host order
 * </pre>
 *
 * <p>A socket opened as {@code AF_INET6} is dual-stack (IPV6_V6ONLY off), so an IPv4
 * address bound or connected through it is written in the IPv4-mapped form
 * {@code ::ffff:a.b.c.d}; decoding turns that form back into an {@link Inet4Address}, as
 * the JDK does.
 *
 * <p>Unix-domain and vsock addresses travel below the public API as
 * {@link EncodedSockAddr}s, built and read here:
 *
 * <pre>
 * sockaddr_un, 2 + up to 108 bytes
 *  0        2                                                          110
 *  +--------+-----------------------------------------------------------+
 *  | family |  sun_path: "path\0"  or  "\0" abstract name (no NUL end)  |
 *  +--------+-----------------------------------------------------------+
 *    AF_UNIX   the length passed to bind/connect ends the abstract name;
 *    host      an unnamed socket (socketpair, unbound) reports length 2
 *
 * sockaddr_vm, 16 bytes
 *  0        2          4                   8                   12    13         16
 *  +--------+----------+-------------------+-------------------+-----+----------+
 *  | family | reserved |     svm_port      |     svm_cid       |flags|  zero    |
 *  +--------+----------+-------------------+-------------------+-----+----------+
 *    AF_VSOCK             u32, host order     u32, host order
 * </pre>
 */
public final class SockAddr {
    private SockAddr() {
    }

    /** {@code sizeof(struct sockaddr_storage)}: room for any address the kernel returns. */
    public static final int MAX_SIZE = 128;
    public static final int IN_SIZE = 16;
    public static final int IN6_SIZE = 28;

    /** offsetof(struct sockaddr_un, sun_path), and the room there. */
    public static final int UN_PATH = 2;
    public static final int UN_PATH_MAX = 108;
    public static final int VM_SIZE = 16;
    private static final long VM_PORT = 4;
    private static final long VM_CID = 8;

    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt SCOPE_ID = ValueLayout.JAVA_INT_UNALIGNED;
    private static final long IN_ADDR = 4;
    private static final long IN6_FLOWINFO = 4;
    private static final long IN6_ADDR = 8;
    private static final long IN6_SCOPE_ID = 24;

    /**
     * Writes {@code address} into {@code dst} (at least {@link #IN6_SIZE} bytes).
     *
     * @param inet6 true if the socket is {@code AF_INET6}
     * @return the length written, or {@code -EAFNOSUPPORT} if an {@code AF_INET} socket is
     *         given an IPv6 address that is not IPv4-mapped
     * @throws UnresolvedAddressException if {@code address} is unresolved
     */
    public static int encode(InetSocketAddress address, boolean inet6, MemorySegment dst) {
        if (address.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        InetAddress ip = address.getAddress();
        byte[] raw = ip.getAddress();
        if (!inet6) {
            if (raw.length == 16) {
                if (!isV4Mapped(raw)) {
                    return -Errno.EAFNOSUPPORT;
                }
                raw = Arrays.copyOfRange(raw, 12, 16);
            }
            dst.asSlice(0, IN_SIZE).fill((byte) 0);
            dst.set(FAMILY, 0, (short) Libc.AF_INET);
            dst.set(PORT, 2, (short) address.getPort());
            MemorySegment.copy(raw, 0, dst, ValueLayout.JAVA_BYTE, IN_ADDR, 4);
            return IN_SIZE;
        }
        dst.asSlice(0, IN6_SIZE).fill((byte) 0);
        dst.set(FAMILY, 0, (short) Libc.AF_INET6);
        dst.set(PORT, 2, (short) address.getPort());
        if (raw.length == 4) {
            dst.set(ValueLayout.JAVA_BYTE, IN6_ADDR + 10, (byte) 0xff);
            dst.set(ValueLayout.JAVA_BYTE, IN6_ADDR + 11, (byte) 0xff);
            MemorySegment.copy(raw, 0, dst, ValueLayout.JAVA_BYTE, IN6_ADDR + 12, 4);
        } else {
            MemorySegment.copy(raw, 0, dst, ValueLayout.JAVA_BYTE, IN6_ADDR, 16);
            if (ip instanceof Inet6Address v6) {
                dst.set(SCOPE_ID, IN6_SCOPE_ID, v6.getScopeId());
            }
        }
        assert dst.get(ValueLayout.JAVA_INT_UNALIGNED, IN6_FLOWINFO) == 0;
        return IN6_SIZE;
    }

    /**
     * Writes any address Weft's sockets take: an {@link InetSocketAddress} (see
     * {@link #encode(InetSocketAddress, boolean, MemorySegment)}) or an
     * {@link EncodedSockAddr}, copied as it is. {@code dst} must hold {@link #MAX_SIZE}.
     *
     * @return the length written, or a negative errno
     * @throws UnresolvedAddressException if an inet address is unresolved
     */
    public static int encode(SocketAddress address, boolean inet6, MemorySegment dst) {
        if (address instanceof InetSocketAddress isa) {
            return encode(isa, inet6, dst);
        }
        if (address instanceof EncodedSockAddr e) {
            MemorySegment.copy(e.raw(), 0, dst, ValueLayout.JAVA_BYTE, 0, e.raw().length);
            return e.raw().length;
        }
        return -Errno.EAFNOSUPPORT;
    }

    /**
     * A {@code sockaddr_un}: a filesystem path (NUL-terminated), or with {@code abstractName}
     * a name in Linux's abstract namespace (a leading NUL, then exactly the name's bytes).
     *
     * @throws IllegalArgumentException if the name is too long for sun_path or holds a NUL
     */
    public static EncodedSockAddr unix(byte[] name, boolean abstractName) {
        int room = UN_PATH_MAX - 1; // an abstract name loses a byte to its leading NUL, a path to its trailing one
        if (name.length > room) {
            throw new IllegalArgumentException("Unix socket name of " + name.length + " bytes is longer than the "
                    + room + " that sun_path holds");
        }
        if (!abstractName) {
            for (byte b : name) {
                if (b == 0) {
                    throw new IllegalArgumentException("Unix socket path holds a NUL byte");
                }
            }
            if (name.length == 0) {
                throw new IllegalArgumentException("empty Unix socket path");
            }
        }
        byte[] raw = new byte[UN_PATH + name.length + 1];
        raw[0] = (byte) Libc.AF_UNIX;
        System.arraycopy(name, 0, raw, UN_PATH + (abstractName ? 1 : 0), name.length);
        return new EncodedSockAddr(raw);
    }

    /**
     * The name in a {@code sockaddr_un} of {@code length} bytes: null for an unnamed socket;
     * for an abstract one, the bytes after the leading NUL; for a path, the bytes before
     * the first NUL.
     */
    public static byte[] unixName(byte[] raw, int length) {
        if (length <= UN_PATH) {
            return null;
        }
        if (raw[UN_PATH] == 0) {
            return java.util.Arrays.copyOfRange(raw, UN_PATH + 1, length);
        }
        int end = UN_PATH;
        while (end < length && raw[end] != 0) {
            end++;
        }
        return java.util.Arrays.copyOfRange(raw, UN_PATH, end);
    }

    /** True if a {@code sockaddr_un} names the abstract namespace. */
    public static boolean isAbstract(byte[] raw, int length) {
        return length > UN_PATH && raw[UN_PATH] == 0;
    }

    /** A {@code sockaddr_vm}; cid and port are unsigned 32-bit values (-1 is VMADDR_*_ANY). */
    public static EncodedSockAddr vsock(int cid, int port) {
        byte[] raw = new byte[VM_SIZE];
        MemorySegment m = MemorySegment.ofArray(raw);
        m.set(FAMILY, 0, (short) Libc.AF_VSOCK);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, VM_PORT, port);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, VM_CID, cid);
        return new EncodedSockAddr(raw);
    }

    /** The cid of a {@code sockaddr_vm}. */
    public static int vsockCid(byte[] raw) {
        return MemorySegment.ofArray(raw).get(ValueLayout.JAVA_INT_UNALIGNED, VM_CID);
    }

    /** The port of a {@code sockaddr_vm}. */
    public static int vsockPort(byte[] raw) {
        return MemorySegment.ofArray(raw).get(ValueLayout.JAVA_INT_UNALIGNED, VM_PORT);
    }

    /**
     * Reads any address the kernel wrote: an {@link InetSocketAddress} for AF_INET and
     * AF_INET6, else an {@link EncodedSockAddr} of exactly {@code length} bytes (at least
     * the family), or null if the kernel wrote none.
     */
    public static SocketAddress decodeAny(MemorySegment src, int length) {
        if (length < 2) {
            return null;
        }
        int family = src.get(FAMILY, 0);
        if (family == Libc.AF_INET || family == Libc.AF_INET6) {
            return decode(src, length);
        }
        byte[] raw = new byte[Math.min(length, MAX_SIZE)];
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, raw, 0, raw.length);
        return new EncodedSockAddr(raw);
    }

    /**
     * Reads the address the kernel wrote into {@code src}.
     *
     * @param length the length the kernel reported
     * @throws IllegalArgumentException if the family is neither AF_INET nor AF_INET6, or the
     *                                  length is too short for it
     */
    public static InetSocketAddress decode(MemorySegment src, int length) {
        int family = length >= 2 ? src.get(FAMILY, 0) : -1;
        int port = Short.toUnsignedInt(src.get(PORT, 2));
        try {
            if (family == Libc.AF_INET && length >= 8) {
                byte[] raw = new byte[4];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, IN_ADDR, raw, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(raw), port);
            }
            if (family == Libc.AF_INET6 && length >= 24) {
                byte[] raw = new byte[16];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, IN6_ADDR, raw, 0, 16);
                int scope = length >= IN6_SIZE ? src.get(SCOPE_ID, IN6_SCOPE_ID) : 0;
                InetAddress ip = scope != 0 && !isV4Mapped(raw)
                        ? Inet6Address.getByAddress(null, raw, scope)
                        : InetAddress.getByAddress(raw); // turns ::ffff:a.b.c.d into an Inet4Address
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
        }
        throw new IllegalArgumentException("not an IPv4 or IPv6 sockaddr: family " + family + ", length " + length);
    }

    private static boolean isV4Mapped(byte[] raw) {
        for (int i = 0; i < 10; i++) {
            if (raw[i] != 0) {
                return false;
            }
        }
        return raw[10] == (byte) 0xff && raw[11] == (byte) 0xff;
    }
}
