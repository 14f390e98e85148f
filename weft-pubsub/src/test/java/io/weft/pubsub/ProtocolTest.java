package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.Runtime;
import io.weft.Weft;
import io.weft.net.UnixStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/** The socket protocol: versions, malformed frames, and the wait on another backend. */
class ProtocolTest {

    @TempDir
    Path dir;

    private static Deadline soon() {
        return Deadline.after(Duration.ofSeconds(10));
    }

    @Test
    void anotherVersionIsRefusedWithBothVersionsAndTheConnectionStays() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 UnixStream s = UnixStream.connect(server.socket())) {
                ByteBuffer f = ByteBuffer.allocate(12).putInt(8).putInt(99).putInt(Wire.OP_LIST).flip();
                s.writeAll(f, soon());
                ByteBuffer reply = readFrame(s);
                assertEquals(Wire.PROTOCOL_VERSION, reply.getInt());
                assertEquals(Wire.REFUSED, reply.getInt());
                String why = Wire.getString(reply);
                assertTrue(why.contains("speaks pub/sub protocol version 99; this server speaks version " + Wire.PROTOCOL_VERSION), why);
                // the same connection still works in the right version
                s.writeAll(Wire.finish(Wire.start(Wire.OP_LIST)), soon());
                ByteBuffer list = readFrame(s);
                assertEquals(Wire.PROTOCOL_VERSION, list.getInt());
                assertEquals(Wire.OK, list.getInt());
                assertEquals(0, list.getInt(), "no channels");
            }
        });
    }

    @Test
    void malformedFramesCostOnlyTheirOwnConnection() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient good = PubSubClient.connect(server.socket());
                 Subscriber sub = good.subscriber("keep", SubscriberOptions.defaults())) {
                for (ByteBuffer bad : new ByteBuffer[] {
                        ByteBuffer.allocate(4).putInt(1 << 30).flip(),                                      // a frame too long
                        ByteBuffer.allocate(12).putInt(8).putInt(Wire.PROTOCOL_VERSION).putInt(77).flip(), // no such operation
                        ByteBuffer.allocate(16).putInt(12).putInt(Wire.PROTOCOL_VERSION).putInt(Wire.OP_PUBLISHER).putInt(-5).flip()}) { // string of length -5
                    try (UnixStream s = UnixStream.connect(server.socket())) {
                        s.writeAll(bad, soon());
                        assertEquals(-1, s.read(ByteBuffer.allocate(64), soon()), "the server drops the connection");
                    }
                }
                try (Publisher pub = good.publisher("keep", PublisherOptions.defaults())) {
                    pub.publish(new byte[] {5});
                    try (Message m = sub.next(soon())) {
                        assertArrayEquals(new byte[] {5}, m.toArray());
                    }
                }
            }
        });
    }

    @Test
    void waitsWorkOnTheEpollBackendThroughTheBlockingPool() throws Exception {
        Weft.run(Runtime.builder().backend("epoll"), () -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Publisher pub = c.publisher("e", PublisherOptions.defaults().withReliable(true).withSlots(64, 4));
                 Subscriber sub = c.subscriber("e", SubscriberOptions.defaults().withReliable(true))) {
                var reader = Weft.spawn(() -> {
                    for (int i = 0; i < 200; i++) {
                        try (Message m = sub.next(soon())) {
                            assertEquals((byte) i, m.toArray()[0]);
                        }
                    }
                });
                for (int i = 0; i < 200; i++) {
                    pub.publish(new byte[] {(byte) i});
                }
                reader.join();
                assertThrows(io.weft.DeadlineExceededException.class, () -> sub.next(Deadline.after(Duration.ofMillis(20))));
            }
        });
    }

    private static ByteBuffer readFrame(UnixStream s) throws Exception {
        ByteBuffer head = ByteBuffer.allocate(4);
        s.readFully(head, soon());
        ByteBuffer body = ByteBuffer.allocate(head.getInt(0));
        s.readFully(body, soon());
        return body.flip();
    }
}
