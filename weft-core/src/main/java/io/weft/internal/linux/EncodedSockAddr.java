package io.weft.internal.linux;

import java.io.Serial;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A socket address already in its kernel form (a {@code sockaddr_un} or
 * {@code sockaddr_vm}, see {@link SockAddr}), so that ops and handles below the public API
 * can carry Unix and vsock addresses without knowing the public types that describe them.
 * Immutable.
 */
public final class EncodedSockAddr extends SocketAddress {

    @Serial
    private static final long serialVersionUID = 1L;

    private final byte[] bytes;

    /** @param bytes the sockaddr as the kernel reads it; copied */
    public EncodedSockAddr(byte[] bytes) {
        if (bytes.length < 2 || bytes.length > SockAddr.MAX_SIZE) {
            throw new IllegalArgumentException("a sockaddr is 2 to " + SockAddr.MAX_SIZE + " bytes, not " + bytes.length);
        }
        this.bytes = bytes.clone();
    }

    /** The address family ({@code sa_family}, host order). */
    public int family() {
        return (bytes[0] & 0xff) | (bytes[1] & 0xff) << 8;
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    byte[] raw() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedSockAddr e && Arrays.equals(bytes, e.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** {@code unix:PATH}, {@code unix:@NAME}, {@code vsock:CID:PORT}, or the family and bytes in hex. */
    @Override
    public String toString() {
        if (family() == Libc.AF_UNIX) {
            byte[] name = SockAddr.unixName(bytes, bytes.length);
            return name == null ? "unix:(unnamed)"
                    : "unix:" + (SockAddr.isAbstract(bytes, bytes.length) ? "@" : "") + new String(name, StandardCharsets.UTF_8);
        }
        if (family() == Libc.AF_VSOCK && bytes.length >= SockAddr.VM_SIZE) {
            return "vsock:" + Integer.toUnsignedString(SockAddr.vsockCid(bytes)) + ":" + Integer.toUnsignedString(SockAddr.vsockPort(bytes));
        }
        return "sockaddr[family " + family() + ", " + HexFormat.of().formatHex(bytes) + "]";
    }
}
