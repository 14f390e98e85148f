package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One publisher here, four subscribers in other JVMs, messages of random sizes that carry
 * their index and a checksum. The count is {@code -Dweft.pubsub.messages} (default 100,000,
 * small enough for CI; the full run is 1,000,000).
 */
class CrossProcessTest {

    static final int MESSAGES = Integer.getInteger("weft.pubsub.messages", 100_000);

    @TempDir
    Path dir;

    @Test
    void reliableFourSubscribersLoseNothingInOrder() throws Exception {
        List<String> done = run(true, new int[] {0, 0, 0, 0});
        for (String d : done) {
            String[] f = d.split(" ");
            assertEquals("0", f[1], "first index: " + d);
            assertEquals(String.valueOf(MESSAGES), f[2], "received: " + d);
            assertEquals("0", f[3], "dropped: " + d);
            assertEquals("0", f[4], "bad or out of order: " + d);
        }
    }

    @Test
    void unreliableSlowSubscriberCountsItsDropsExactly() throws Exception {
        List<String> done = run(false, new int[] {0, 0, 0, 200});
        for (String d : done) {
            String[] f = d.split(" ");
            long first = Long.parseLong(f[1]);
            long received = Long.parseLong(f[2]);
            long dropped = Long.parseLong(f[3]);
            assertEquals("0", f[4], "bad or out of order: " + d);
            assertEquals(MESSAGES - first, received + dropped, "received + dropped must cover every message from the first: " + d);
        }
        long slowDropped = Long.parseLong(done.get(3).split(" ")[3]);
        assertTrue(slowDropped > 0, "the slow subscriber (200 µs a message) kept up with an unreliable publisher: " + done.get(3));
    }

    /** Publishes MESSAGES to four child subscribers (each sleeping slowMicros[i] per message); returns their DONE lines. */
    private List<String> run(boolean reliable, int[] slowMicros) throws Exception {
        Path socket = dir.resolve("s");
        return Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(socket);
                 PubSubClient client = PubSubClient.connect(socket);
                 Publisher pub = client.publisher("bulk", PublisherOptions.defaults().withReliable(reliable).withSlots(1024, 32))) {
                List<ChildJvm> subs = new ArrayList<>();
                try {
                    for (int slow : slowMicros) {
                        subs.add(ChildJvm.launch(socket.toString(), "subscribe", "bulk", String.valueOf(reliable), String.valueOf(MESSAGES - 1), String.valueOf(slow)));
                    }
                    for (ChildJvm c : subs) {
                        c.expect("READY");
                    }
                    SplittableRandom random = new SplittableRandom(7);
                    for (int i = 0; i < MESSAGES; i++) {
                        Slot s = pub.claim(Deadline.after(Duration.ofSeconds(30)));
                        s.publish(Payloads.fill(s.segment(), i, random, 1024));
                    }
                    List<String> done = new ArrayList<>();
                    for (ChildJvm c : subs) {
                        done.add(c.expect("DONE"));
                    }
                    return done;
                } finally {
                    for (ChildJvm c : subs) {
                        c.close();
                    }
                }
            }
        });
    }
}
