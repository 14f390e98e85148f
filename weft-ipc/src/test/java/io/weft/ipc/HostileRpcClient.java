package io.weft.ipc;

import io.weft.Deadline;
import io.weft.net.OwnedFd;
import io.weft.net.UnixMessage;
import io.weft.net.UnixStream;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.weft.ipc.RpcFrameLayout.*;

/**
 * A client that shakes hands like {@link RpcClient} and then writes whatever a test tells
 * it into the rings it received: frames with any header, and any value into any header
 * word, through its own mappings of the server's rings. From a Weft task.
 */
final class HostileRpcClient implements AutoCloseable {

    final UnixStream socket;
    /** The ring this client writes and the server reads. */
    final ManyToOneRing requests;
    /** The ring the server writes and this client reads. */
    final ManyToOneRing responses;
    /** The memfds as received, for attempts to resize them. */
    final List<OwnedFd> ringFds;
    private final List<OwnedFd> bells;

    private HostileRpcClient(UnixStream socket, ManyToOneRing requests, ManyToOneRing responses, List<OwnedFd> ringFds, List<OwnedFd> bells) {
        this.socket = socket;
        this.requests = requests;
        this.responses = responses;
        this.ringFds = ringFds;
        this.bells = bells;
    }

    static HostileRpcClient connect(Path sock) throws IOException {
        Deadline deadline = Deadline.after(Duration.ofSeconds(10));
        UnixStream s = UnixStream.connect(sock);
        s.writeAll(ByteBuffer.allocate(12).putInt(RpcHandshake.MAGIC).putInt(RpcHandshake.PROTOCOL_VERSION).putInt(RingLayout.VERSION).flip());
        List<OwnedFd> fds = new ArrayList<>();
        ByteBuffer reply = ByteBuffer.allocate(64);
        try (UnixMessage m = s.receive(reply, RpcHandshake.REPLY_FDS, deadline)) {
            for (int i = 0; i < m.fds().size(); i++) {
                fds.add(m.takeFd(i));
            }
        }
        if (fds.size() != RpcHandshake.REPLY_FDS || reply.getInt(8) != RpcHandshake.OK) {
            throw new IOException("unexpected handshake reply with " + fds.size() + " descriptors");
        }
        ManyToOneRing requests = ManyToOneRing.open(fds.get(0));
        ManyToOneRing responses = ManyToOneRing.open(fds.get(1));
        List<OwnedFd> bells = fds.subList(2, 6);
        requests.useEventFds(bells.get(0), bells.get(1));
        responses.useEventFds(bells.get(2), bells.get(3));
        s.writeAll(ByteBuffer.wrap(new byte[] {1}), deadline);
        return new HostileRpcClient(s, requests, responses, fds.subList(0, 2), bells);
    }

    /** Writes one frame with the given header and data, whatever they say; false if the ring is full. */
    boolean frame(int kind, long correlation, int method, int flags, int total, byte[] data) throws IOException {
        long i = requests.tryClaim(kind, HEADER_LENGTH + data.length);
        if (i < 0) {
            return false;
        }
        MemorySegment b = requests.buffer();
        b.set(ValueLayout.JAVA_LONG_UNALIGNED, i + CORRELATION_OFFSET, correlation);
        b.set(ValueLayout.JAVA_INT_UNALIGNED, i + METHOD_OFFSET, method);
        b.set(ValueLayout.JAVA_INT_UNALIGNED, i + FLAGS_OFFSET, flags);
        b.set(ValueLayout.JAVA_INT_UNALIGNED, i + TOTAL_OFFSET, total);
        MemorySegment.copy(data, 0, b, ValueLayout.JAVA_BYTE, i + HEADER_LENGTH, data.length);
        requests.commit(i);
        return true;
    }

    /** A whole one-record request. */
    boolean request(long correlation, int method, byte[] data) throws IOException {
        return frame(REQUEST, correlation, method, FIRST | LAST, data.length, data);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        requests.close();
        responses.close();
        for (OwnedFd fd : ringFds) {
            fd.close();
        }
        for (OwnedFd fd : bells) {
            fd.close();
        }
    }
}
