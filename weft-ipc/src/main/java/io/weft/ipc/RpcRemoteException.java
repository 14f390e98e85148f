package io.weft.ipc;

/**
 * The server's handler for a call threw: this carries the class name and message of what
 * it threw (not its stack, which stays in the server process).
 */
public final class RpcRemoteException extends RpcException {

    private final int method;
    private final String remoteClass;
    private final String remoteMessage;

    public RpcRemoteException(int method, String remoteClass, String remoteMessage) {
        super("the server's handler for method " + method + " failed: " + remoteClass + (remoteMessage == null ? "" : ": " + remoteMessage));
        this.method = method;
        this.remoteClass = remoteClass;
        this.remoteMessage = remoteMessage;
    }

    public int method() {
        return method;
    }

    /** The class name of the exception the handler threw. */
    public String remoteClass() {
        return remoteClass;
    }

    /** Its message, or null. */
    public String remoteMessage() {
        return remoteMessage;
    }
}
