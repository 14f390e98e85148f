package io.weft.ipc;

import java.lang.foreign.MemorySegment;

/**
 * Serves the calls of an {@link RpcServer}. Each call runs in its own Weft task, so a
 * handler may block in Weft style (sockets, sleeps, channels) and many run at once. What
 * it throws reaches the caller as an {@link RpcRemoteException}; a cancelled call (the
 * caller's deadline or cancellation) cancels its task.
 */
@FunctionalInterface
public interface RpcHandler {

    /**
     * @param method  the caller's method id
     * @param request the request payload, a heap segment that stays valid after the call
     * @return the response payload (any segment; read once, before the next call on it)
     */
    MemorySegment handle(int method, MemorySegment request) throws Exception;
}
