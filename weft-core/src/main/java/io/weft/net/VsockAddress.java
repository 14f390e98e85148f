package io.weft.net;

import io.weft.internal.backend.VsockName;

import java.net.SocketAddress;

/**
 * An AF_VSOCK address: a context id (which machine: the host, a guest, or this one) and a
 * port. Both are unsigned 32-bit numbers; {@link #ANY} stands for "any" in either place.
 *
 * <pre>{@code
 * VsockListener l = VsockListener.bind(new VsockAddress(VsockAddress.CID_ANY, 5000));   // in a guest
 * VsockStream s = VsockStream.connect(new VsockAddress(42, 5000));                     // from the host to guest 42
 * }</pre>
 *
 * @param cid  the context id ({@link #CID_HOST}, {@link #CID_LOCAL}, a guest's, or {@link #CID_ANY})
 * @param port the port ({@link #PORT_ANY} when binding picks one)
 */
public record VsockAddress(int cid, int port) {

    /** VMADDR_CID_ANY and VMADDR_PORT_ANY: -1U. */
    public static final int ANY = -1;
    public static final int CID_ANY = ANY;
    public static final int PORT_ANY = ANY;
    /** VMADDR_CID_HYPERVISOR. */
    public static final int CID_HYPERVISOR = 0;
    /** VMADDR_CID_LOCAL: this machine, over the vsock loopback transport (vsock_loopback). */
    public static final int CID_LOCAL = 1;
    /** VMADDR_CID_HOST: the host, seen from a guest. */
    public static final int CID_HOST = 2;

    /** The name a socket handle binds or connects to. */
    VsockName toName() {
        return new VsockName(cid, port);
    }

    /** The address a socket handle reported, or null if it is not a vsock one. */
    static VsockAddress fromName(SocketAddress reported) {
        return reported instanceof VsockName v ? new VsockAddress(v.cid(), v.port()) : null;
    }

    @Override
    public String toString() {
        return "vsock:" + Integer.toUnsignedString(cid) + ":" + Integer.toUnsignedString(port);
    }
}
