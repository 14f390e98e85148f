package io.weft.internal.backend;

import io.weft.internal.linux.EncodedSockAddr;
import io.weft.internal.linux.Libc;
import io.weft.internal.linux.SockAddr;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Converts between the names the public socket types speak ({@link InetSocketAddress},
 * {@link UnixName}, {@link VsockName}) and the kernel's sockaddrs, which the ops carry as
 * {@link EncodedSockAddr}s and the backends write into their own memory.
 */
public final class SocketNames {
    private SocketNames() {
    }

    /**
     * The form an op or a bind passes to the kernel: an {@link InetSocketAddress} as it
     * is, a Unix or vsock name as its {@link EncodedSockAddr}; any other address unchanged,
     * for the backend to refuse.
     *
     * @throws IllegalArgumentException for {@link UnixName#UNNAMED}, which names nothing to reach
     */
    public static SocketAddress kernelForm(SocketAddress address) {
        if (address instanceof UnixName u) {
            if (u.isUnnamed()) {
                throw new IllegalArgumentException("an unnamed Unix address cannot be bound or connected to");
            }
            return SockAddr.unix(u.bytes(), u.isAbstract());
        }
        if (address instanceof VsockName v) {
            return SockAddr.vsock(v.cid(), v.port());
        }
        return address;
    }

    /**
     * The name in a sockaddr the kernel wrote ({@code length} bytes at {@code src}): an
     * {@link InetSocketAddress}, {@link UnixName} or {@link VsockName}; null if the kernel
     * wrote none or a family Weft has no name for.
     */
    public static SocketAddress read(MemorySegment src, int length) {
        return fromKernel(SockAddr.decodeAny(src, length));
    }

    /** {@code kernel} (as {@link SockAddr#decodeAny} gives it) in the form the public types speak. */
    public static SocketAddress fromKernel(SocketAddress kernel) {
        if (!(kernel instanceof EncodedSockAddr e)) {
            return kernel;
        }
        byte[] raw = e.bytes();
        if (e.family() == Libc.AF_UNIX) {
            byte[] n = SockAddr.unixName(raw, raw.length);
            return n == null ? UnixName.UNNAMED : UnixName.reported(n, SockAddr.isAbstract(raw, raw.length));
        }
        if (e.family() == Libc.AF_VSOCK && raw.length >= SockAddr.VM_SIZE) {
            return new VsockName(SockAddr.vsockCid(raw), SockAddr.vsockPort(raw));
        }
        return null;
    }
}
