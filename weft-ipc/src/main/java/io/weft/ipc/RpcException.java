package io.weft.ipc;

import java.io.IOException;

/** An RPC failed for a reason on the channel: the handshake was refused, the peer went away, a frame was malformed. */
public class RpcException extends IOException {

    public RpcException(String message) {
        super(message);
    }

    public RpcException(String message, Throwable cause) {
        super(message, cause);
    }
}
