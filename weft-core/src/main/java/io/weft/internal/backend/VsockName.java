package io.weft.internal.backend;

import java.io.Serial;
import java.net.SocketAddress;

/**
 * An AF_VSOCK address as plain values (context id and port, both unsigned 32-bit; -1 is
 * "any"), the form in which the public socket types hand vsock addresses to a
 * {@link SocketHandle} and get them back. The backend turns it into its kernel form
 * ({@link SocketNames}). Immutable.
 */
public final class VsockName extends SocketAddress {

    @Serial
    private static final long serialVersionUID = 1L;

    private final int cid;
    private final int port;

    public VsockName(int cid, int port) {
        this.cid = cid;
        this.port = port;
    }

    public int cid() {
        return cid;
    }

    public int port() {
        return port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VsockName v && cid == v.cid && port == v.port;
    }

    @Override
    public int hashCode() {
        return cid * 31 + port;
    }

    /** {@code vsock:CID:PORT}, both unsigned. */
    @Override
    public String toString() {
        return "vsock:" + Integer.toUnsignedString(cid) + ":" + Integer.toUnsignedString(port);
    }
}
