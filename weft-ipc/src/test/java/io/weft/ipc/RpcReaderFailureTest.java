package io.weft.ipc;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import io.weft.net.UnixStream;
import io.weft.sync.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/** Whatever the reader task of a channel meets, an Error included, ends that channel and tells both sides. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RpcReaderFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void anErrorInTheReaderEndsTheSessionAndItsPeerHearsOfIt() throws Exception {
        Weft.run(() -> {
            try (UnixStream.Pair pair = UnixStream.pair()) {
                RpcOptions options = RpcOptions.defaults().withRingCapacity(64 * 1024);
                Task<RpcChannel> accepted = Weft.spawn(() -> RpcHandshake.accept(pair.first(), options, Deadline.after(WAIT)));
                RpcChannel client = RpcHandshake.connect(pair.second(), options, Deadline.after(WAIT));
                RpcChannel server = accepted.join();
                Promise<IOException> serverEnd = new Promise<>();
                Promise<IOException> clientEnd = new Promise<>();
                server.start(new RpcChannel.Sink() {
                    @Override
                    public void onMessage(int kind, long correlation, int method, MemorySegment payload) {
                        throw new OutOfMemoryError("thrown by the test, as if the heap ran out");
                    }

                    @Override
                    public void onClosed(IOException cause) {
                        serverEnd.complete(cause);
                    }
                });
                client.start(new RpcChannel.Sink() {
                    @Override
                    public void onMessage(int kind, long correlation, int method, MemorySegment payload) {
                    }

                    @Override
                    public void onClosed(IOException cause) {
                        clientEnd.complete(cause);
                    }
                });
                client.send(RpcFrameLayout.REQUEST, 1, 1, MemorySegment.ofArray(new byte[8]), Deadline.after(WAIT));

                IOException why = serverEnd.await(Deadline.after(WAIT));
                assertTrue(why.getMessage().contains("OutOfMemoryError"), why.getMessage());
                assertFalse(server.isOpen(), "the session is over, not listed as alive with a dead reader");
                IOException peer = clientEnd.await(Deadline.after(WAIT));
                assertInstanceOf(RpcPeerGoneException.class, peer, peer.toString());
                assertThrows(RpcException.class, () -> client.send(RpcFrameLayout.REQUEST, 2, 1, MemorySegment.ofArray(new byte[8]), Deadline.after(WAIT)));
            }
        });
    }
}
