package io.weft.net;

import io.weft.internal.backend.MsgBatch;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Batched datagram I/O for a task: many datagrams per syscall with sendmmsg / recvmmsg
 * ({@link MsgBatch}), waiting for readiness between tries with a {@link NetOps.Poll} op
 * that keeps the deadline and cancellation of any other wait.
 */
final class BatchIo {
    private BatchIo() {
    }

    /**
     * Sends as many of {@code datagrams} as the kernel takes in one sendmmsg (at least
     * one), each to {@code target} (null when connected); advances each sent buffer.
     *
     * @return the number of datagrams sent
     */
    static int send(EventLoop loop, SocketHandle socket, List<ByteBuffer> datagrams, SocketAddress target, long deadline,
                    Object what) throws IOException {
        return MsgBatch.send(socket, datagrams, target,
                events -> NetIo.run(loop, new NetOps.Poll(socket, events), deadline, "sendmmsg to", what), "sendmmsg to", what);
    }

    /**
     * Receives up to {@code buffers.size()} datagrams in one recvmmsg, waiting for the
     * first; each goes into the next buffer (advancing its position).
     */
    static List<UdpMessage> receive(EventLoop loop, SocketHandle socket, List<ByteBuffer> buffers, long deadline,
                                    Object what) throws IOException {
        List<MsgBatch.Datagram> got = MsgBatch.receive(socket, buffers,
                events -> NetIo.run(loop, new NetOps.Poll(socket, events), deadline, "recvmmsg on", what), "recvmmsg on", what);
        List<UdpMessage> out = new ArrayList<>(got.size());
        for (MsgBatch.Datagram d : got) {
            out.add(new UdpMessage(d.length(), d.fullLength(), d.from(), d.destination()));
        }
        return out;
    }
}
