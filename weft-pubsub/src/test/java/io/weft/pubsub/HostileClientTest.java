package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.DeadlineExceededException;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Another process writes garbage over a channel's control memory: the clients of that
 * channel get clear errors (or carry on), never a crash or a hang, and the server keeps
 * serving everyone else.
 */
class HostileClientTest {

    @TempDir
    Path dir;

    @Test
    void garbageInTheControlBlockGivesClearErrorsOnlyOnThatChannel() throws Exception {
        Path socket = dir.resolve("s");
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(socket);
                 PubSubClient client = PubSubClient.connect(socket);
                 Publisher unreliable = client.publisher("victim", PublisherOptions.defaults().withSlots(256, 16));
                 Publisher reliable = client.publisher("victim", PublisherOptions.defaults().withReliable(true).withSlots(256, 0));
                 Subscriber sub = client.subscriber("victim", SubscriberOptions.defaults().withReliable(true).withMaxHeld(4))) {
                for (int i = 0; i < 5; i++) {
                    unreliable.publish(new byte[] {(byte) i});
                }
                try (ChildJvm hostile = ChildJvm.start(socket.toString(), "hostile", "victim")) {
                    hostile.expect("DONE");
                    List<String> outcomes = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        outcomes.add(attempt(() -> {
                            try (Message m = sub.next(Deadline.after(Duration.ofMillis(100)))) {
                                m.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE); // a checked view: readable whatever it says
                            }
                        }));
                        outcomes.add(attempt(() -> unreliable.claim(Deadline.after(Duration.ofMillis(100))).publish(1)));
                        outcomes.add(attempt(() -> reliable.claim(Deadline.after(Duration.ofMillis(100))).publish(1)));
                    }
                    System.out.println("outcomes on the corrupted channel: " + outcomes);
                    assertTrue(outcomes.stream().anyMatch(o -> !o.equals("ok")), "garbage everywhere and every call succeeded: " + outcomes);
                }
                // the server still serves: a new channel between new clients works
                try (PubSubClient c2 = PubSubClient.connect(socket);
                     Publisher p = c2.publisher("fine", PublisherOptions.defaults());
                     Subscriber s = c2.subscriber("fine", SubscriberOptions.defaults())) {
                    p.publish(new byte[] {42});
                    try (Message m = s.next(Deadline.after(Duration.ofSeconds(10)))) {
                        assertArrayEquals(new byte[] {42}, m.toArray());
                    }
                    assertEquals(2, c2.list().size());
                }
            }
        });
    }

    private interface Call {
        void run() throws Exception;
    }

    /** "ok", or the kind of clear failure; anything else fails the test. */
    private static String attempt(Call call) throws Exception {
        long start = System.nanoTime();
        String outcome;
        try {
            call.run();
            outcome = "ok";
        } catch (PubSubException | DeadlineExceededException e) {
            outcome = e.getClass().getSimpleName();
        }
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "a call on the corrupted channel took over 10 s");
        return outcome;
    }
}
