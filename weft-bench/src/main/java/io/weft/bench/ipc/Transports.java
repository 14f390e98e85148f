package io.weft.bench.ipc;

import java.io.IOException;
import java.nio.file.Path;

/** Each contender's two ends, by contender. */
final class Transports {
    private Transports() {
    }

    /**
     * The responder of {@code c} (not the floor), its channels open in {@code dir} and its
     * thread serving.
     */
    static Responder responder(IpcContender c, Path dir) throws IOException {
        return switch (c) {
            case TCP_LOOPBACK -> new StreamTransport.Server(true, dir);
            case UNIX_SOCKET -> new StreamTransport.Server(false, dir);
            case AGRONA_ONE_TO_ONE -> new AgronaTransport.Server(dir);
            case AERON_IPC -> new AeronTransport.Server(dir);
            case WEFT_RING_BUSY_SPIN, WEFT_RING_YIELD, WEFT_RING_BACKOFF, WEFT_RING_NOTIFY, WEFT_RING_HYBRID -> new WeftRingTransport.Server(c, dir);
            case WEFT_RPC_HYBRID, WEFT_RPC_NOTIFY -> new RpcTransport.Server(c, dir);
            case FLOOR -> throw new IllegalArgumentException("the floor has no responder process");
        };
    }

    /**
     * The requester of {@code c}, connected to its responder ({@code port}: the responder's
     * TCP port, 0 for the others; {@code responderCpu}: where the floor's second thread
     * goes, null to leave it unpinned). The RPC contenders' requester must be opened, used
     * and closed in one Weft task ({@link RpcTransport#needsTask}).
     */
    static IpcRequester requester(IpcContender c, Path dir, int port, int size, Integer responderCpu) throws IOException {
        return switch (c) {
            case TCP_LOOPBACK -> new StreamTransport.Client(true, dir, port, size);
            case UNIX_SOCKET -> new StreamTransport.Client(false, dir, port, size);
            case AGRONA_ONE_TO_ONE -> new AgronaTransport.Client(dir, size);
            case AERON_IPC -> new AeronTransport.Client(dir, size);
            case WEFT_RING_BUSY_SPIN, WEFT_RING_YIELD, WEFT_RING_BACKOFF, WEFT_RING_NOTIFY, WEFT_RING_HYBRID -> new WeftRingTransport.Client(c, dir, size);
            case WEFT_RPC_HYBRID, WEFT_RPC_NOTIFY -> new RpcTransport.Client(c, dir, size);
            case FLOOR -> new FloorPingPong(responderCpu);
        };
    }
}
