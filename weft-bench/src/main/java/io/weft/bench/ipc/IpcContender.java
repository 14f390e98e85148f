package io.weft.bench.ipc;

import io.weft.bench.ContenderIds;

import java.util.List;

/** The transports the IPC benchmark compares, by the names used on the command line and in results. */
public enum IpcContender implements ContenderIds.Named {
    WEFT_RING_BUSY_SPIN("weft-ring-busy-spin", "Weft OneToOneRing pair over /dev/shm, busy-spin wait"),
    WEFT_RING_YIELD("weft-ring-yield", "Weft OneToOneRing pair over /dev/shm, yield wait"),
    WEFT_RING_BACKOFF("weft-ring-backoff", "Weft OneToOneRing pair over /dev/shm, backoff wait"),
    WEFT_RING_NOTIFY("weft-ring-notify", "Weft OneToOneRing pair over /dev/shm, notify wait (sleeps until signalled)"),
    WEFT_RING_HYBRID("weft-ring-hybrid", "Weft OneToOneRing pair over /dev/shm, hybrid wait (polls 50 µs, then sleeps until signalled)"),
    WEFT_RPC_HYBRID("weft-rpc-hybrid", "Weft RpcClient calling an echoing RpcServer, one loop each, hybrid wait on both sides"),
    WEFT_RPC_NOTIFY("weft-rpc-notify", "Weft RpcClient calling an echoing RpcServer, one loop each, notify wait on both sides"),
    AGRONA_ONE_TO_ONE("agrona-one-to-one", "Agrona OneToOneRingBuffer pair on mapped files in /dev/shm, busy-spin polling"),
    AERON_IPC("aeron-ipc", "Aeron aeron:ipc publication and subscription each way, embedded media driver in the responder, busy-spin polling"),
    UNIX_SOCKET("unix-socket", "JDK SocketChannel over a Unix-domain socket, blocking"),
    TCP_LOOPBACK("tcp-loopback", "JDK SocketChannel over TCP on 127.0.0.1, TCP_NODELAY, blocking"),
    FLOOR("floor", "two threads of one process handing one cache line back and forth (no transport: the hardware's floor)");

    private final String id;
    private final String description;

    IpcContender(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** The name on the command line and in results, e.g. {@code weft-ring-busy-spin}. */
    @Override
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** True for the one contender whose two ends are threads of the requester's own process. */
    public boolean inProcess() {
        return this == FLOOR;
    }

    /** The contender called {@code id}. @throws IllegalArgumentException naming the known ones */
    public static IpcContender byId(String id) {
        return ContenderIds.byId(IpcContender.class, id);
    }

    public static List<String> ids() {
        return ContenderIds.ids(IpcContender.class);
    }
}
