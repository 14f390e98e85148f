package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.DeadlineExceededException;
import io.weft.Task;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.*;

/** Publishers and subscribers with an embedded server, all in this JVM. */
class PubSubInProcessTest {

    @TempDir
    Path dir;

    private static Deadline soon() {
        return Deadline.after(Duration.ofSeconds(10));
    }

    @Test
    void reliableDeliversEveryMessageInOrder() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient a = PubSubClient.connect(server.socket());
                 PubSubClient b = PubSubClient.connect(server.socket());
                 Publisher pub = a.publisher("r", PublisherOptions.defaults().withReliable(true).withSlots(64, 4));
                 Subscriber sub = b.subscriber("r", SubscriberOptions.defaults().withReliable(true))) {
                int n = 20_000;
                Task<Void> producer = Weft.spawn(() -> {
                    for (int i = 0; i < n; i++) {
                        Slot s = pub.claim(soon());
                        s.segment().set(ValueLayout.JAVA_INT, 0, i);
                        s.publish(4);
                    }
                });
                long lastOrdinal = 0;
                for (int i = 0; i < n; i++) {
                    try (Message m = sub.next(soon())) {
                        assertEquals(i, m.segment().get(ValueLayout.JAVA_INT, 0), "message " + i);
                        assertTrue(m.ordinal() > lastOrdinal);
                        lastOrdinal = m.ordinal();
                    }
                }
                producer.join();
                assertEquals(0, sub.dropped());
            }
        });
    }

    @Test
    void nextTimesOutAndIsCancellable() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Publisher pub = c.publisher("t", PublisherOptions.defaults());
                 Subscriber sub = c.subscriber("t", SubscriberOptions.defaults())) {
                assertThrows(DeadlineExceededException.class, () -> sub.next(Deadline.after(Duration.ofMillis(50))));
                Task<Message> waiting = Weft.spawn(() -> sub.next(Deadline.NONE));
                Weft.sleep(Duration.ofMillis(50));
                waiting.cancel();
                assertThrows(CancellationException.class, waiting::join);
                pub.publish(new byte[] {7});
                try (Message m = sub.next(soon())) {
                    assertArrayEquals(new byte[] {7}, m.toArray());
                }
            }
        });
    }
}
