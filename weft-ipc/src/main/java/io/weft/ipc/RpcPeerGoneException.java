package io.weft.ipc;

/** The other process exited or closed its end; calls in progress and later ones fail with this. */
public final class RpcPeerGoneException extends RpcException {

    public RpcPeerGoneException(String message) {
        super(message);
    }

    public RpcPeerGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
