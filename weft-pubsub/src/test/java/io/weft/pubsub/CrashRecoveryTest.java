package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.DeadlineExceededException;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;

import static io.weft.pubsub.ChannelLayout.*;
import static org.junit.jupiter.api.Assertions.*;

/** Clients and the server killed with SIGKILL in the middle of things. */
class CrashRecoveryTest {

    @TempDir
    Path dir;

    private static Deadline soon() {
        return Deadline.after(Duration.ofSeconds(10));
    }

    private static void publishIndex(Publisher pub, int i) throws Exception {
        Slot s = pub.claim(soon());
        s.segment().set(ValueLayout.JAVA_INT, 0, i);
        s.publish(4);
    }

    @Test
    void killedSubscriberHoldingAMessageDoesNotBlockAReliablePublisher() throws Exception {
        Path socket = dir.resolve("s");
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(socket);
                 PubSubClient client = PubSubClient.connect(socket);
                 Publisher pub = client.publisher("k", PublisherOptions.defaults().withReliable(true).withSlots(64, 8));
                 Subscriber sub = client.subscriber("k", SubscriberOptions.defaults().withReliable(true))) {
                try (ChildJvm holder = ChildJvm.start(socket.toString(), "hold", "k")) {
                    publishIndex(pub, 0);
                    holder.expect("HELD");
                    holder.kill();
                    long dead = System.nanoTime();
                    while (client.list().getFirst().subscribers() != 1) {
                        assertFalse(System.nanoTime() - dead > 5_000_000_000L, "the server did not drop the killed subscriber within 5 s");
                        Weft.sleep(Duration.ofMillis(1));
                    }
                    System.out.printf("killed subscriber reclaimed %.1f ms after its process was gone%n", (System.nanoTime() - dead) / 1e6);
                }
                // The killed subscriber held message 0 and never read further: with its entry and
                // hold still in place, a reliable publisher could not get past 8 slots.
                for (int i = 1; i <= 100; i++) {
                    publishIndex(pub, i);
                    try (Message m = sub.next(soon())) {
                        assertEquals(i - 1, m.segment().get(ValueLayout.JAVA_INT, 0));
                    }
                }
            }
        });
    }

    @Test
    void killedPublisherHoldingAClaimedSlotGivesItBack() throws Exception {
        Path socket = dir.resolve("s");
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(socket);
                 PubSubClient client = PubSubClient.connect(socket);
                 Publisher pub = client.publisher("c", PublisherOptions.defaults().withReliable(true).withSlots(64, 4));
                 Subscriber sub = client.subscriber("c", SubscriberOptions.defaults().withReliable(true))) {
                try (ChildJvm claimer = ChildJvm.start(socket.toString(), "claim", "c")) {
                    claimer.expect("CLAIMED");
                    assertEquals(1, claimedSlots(sub), "the child's claim is visible in the slot table");
                    claimer.kill();
                    long dead = System.nanoTime();
                    while (claimedSlots(sub) != 0) {
                        assertFalse(System.nanoTime() - dead > 5_000_000_000L, "the killed publisher's claimed slot was not given back within 5 s");
                        Weft.sleep(Duration.ofMillis(1));
                    }
                    System.out.printf("killed publisher's slot reclaimed %.1f ms after its process was gone%n", (System.nanoTime() - dead) / 1e6);
                }
                for (int i = 0; i < 50; i++) {
                    publishIndex(pub, i);
                    try (Message m = sub.next(soon())) {
                        assertEquals(i, m.segment().get(ValueLayout.JAVA_INT, 0));
                    }
                }
            }
        });
    }

    private static int claimedSlots(Endpoint e) {
        int n = 0;
        for (int s = 0; s < e.slotCount; s++) {
            int st = state(e.slotCtl(s));
            if (st == CLAIMED || st == CLAIMING) {
                n++;
            }
        }
        return n;
    }

    @Test
    void publisherKilledMidStreamLosesNothingItPublished() throws Exception {
        Path socket = dir.resolve("s");
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(socket);
                 PubSubClient client = PubSubClient.connect(socket);
                 Subscriber sub = client.subscriber("m", SubscriberOptions.defaults().withReliable(true).withSlots(64, 8))) {
                int expected = 0;
                try (ChildJvm streamer = ChildJvm.start(socket.toString(), "stream", "m")) {
                    for (; expected < 2000; expected++) {
                        try (Message m = sub.next(soon())) {
                            assertEquals(expected, m.segment().get(ValueLayout.JAVA_INT, 0));
                        }
                    }
                    streamer.kill();
                }
                while (true) {
                    try (Message m = sub.next(Deadline.after(Duration.ofMillis(300)))) {
                        assertEquals(expected++, m.segment().get(ValueLayout.JAVA_INT, 0), "messages after the kill stay in order, none lost");
                    } catch (DeadlineExceededException e) {
                        break;
                    }
                }
                // A new publisher works: the publish lock and the slots were given back.
                try (Publisher pub = client.publisher("m", PublisherOptions.defaults().withReliable(true).withSlots(64, 0))) {
                    for (int i = 0; i < 20; i++) {
                        publishIndex(pub, -1 - i);
                        try (Message m = sub.next(soon())) {
                            assertEquals(-1 - i, m.segment().get(ValueLayout.JAVA_INT, 0));
                        }
                    }
                }
            }
        });
    }

    @Test
    void killedServerFailsTheNextWaitAndLeavesTakenMessagesReadable() throws Exception {
        Path socket = dir.resolve("s");
        Weft.run(() -> {
            try (ChildJvm serverProcess = ChildJvm.start(socket.toString(), "server");
                 PubSubClient client = PubSubClient.connect(socket);
                 Publisher pub = client.publisher("g", PublisherOptions.defaults());
                 Subscriber sub = client.subscriber("g", SubscriberOptions.defaults().withMaxHeld(2))) {
                pub.publish(new byte[] {1, 2, 3});
                Message held = sub.next(soon());
                serverProcess.kill();
                long start = System.nanoTime();
                ServerGoneException e = assertThrows(ServerGoneException.class, () -> sub.next(Deadline.after(Duration.ofSeconds(30))));
                System.out.printf("the wait failed %.1f ms after the server was gone: %s%n", (System.nanoTime() - start) / 1e6, e.getMessage());
                assertTrue(e.getMessage().contains("closed the connection"), e.getMessage());
                assertArrayEquals(new byte[] {1, 2, 3}, held.toArray(), "a message taken before stays readable");
                assertThrows(ServerGoneException.class, () -> pub.claim(soon()));
                held.close();
            }
            // the dead server's socket file is replaced by the next server; a live one's is not
            try (PubSubServer again = PubSubServer.bind(socket);
                 PubSubClient client = PubSubClient.connect(socket);
                 Publisher pub = client.publisher("g", PublisherOptions.defaults());
                 Subscriber sub = client.subscriber("g", SubscriberOptions.defaults())) {
                BindException live = assertThrows(BindException.class, () -> PubSubServer.bind(socket));
                assertTrue(live.getMessage().contains("a server (pid " + ProcessHandle.current().pid() + ") accepts connections there"), live.getMessage());
                pub.publish(new byte[] {4});
                try (Message m = sub.next(soon())) {
                    assertArrayEquals(new byte[] {4}, m.toArray());
                }
            }
        });
    }
}
