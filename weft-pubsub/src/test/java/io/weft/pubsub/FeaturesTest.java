package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.DeadlineExceededException;
import io.weft.Task;
import io.weft.Weft;
import io.weft.ipc.WaitStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Activation, retirement, checksums, resizing, claim deadlines, waits on plain threads. */
class FeaturesTest {

    @TempDir
    Path dir;

    private static Deadline soon() {
        return Deadline.after(Duration.ofSeconds(10));
    }

    @Test
    void activationMessageOnlyForSubscribersThatAsk() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Subscriber plain = c.subscriber("a", SubscriberOptions.defaults().withReliable(true));
                 Subscriber asks = c.subscriber("a", SubscriberOptions.defaults().withReliable(true).withActivation(true));
                 Publisher pub = c.publisher("a", PublisherOptions.defaults().withReliable(true).withSlots(64, 0))) {
                try (Message m = asks.next(soon())) {
                    assertTrue(m.isActivation());
                    assertEquals(0, m.segment().byteSize());
                }
                assertThrows(DeadlineExceededException.class, () -> plain.next(Deadline.after(Duration.ofMillis(30))), "activation is skipped");
                pub.publish(new byte[] {9});
                try (Message m = plain.next(soon())) {
                    assertFalse(m.isActivation());
                    assertArrayEquals(new byte[] {9}, m.toArray());
                }
                assertEquals(0, plain.dropped(), "a skipped activation is not a drop");
            }
        });
    }

    @Test
    void reliableClaimWaitsUntilItsDeadlineAndIsCancellable() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Publisher pub = c.publisher("r", PublisherOptions.defaults().withReliable(true).withSlots(64, 4));
                 Subscriber sub = c.subscriber("r", SubscriberOptions.defaults().withReliable(true))) {
                for (int i = 0; i < 3; i++) {
                    pub.publish(new byte[] {(byte) i});
                }
                // every slot holds a message the reliable subscriber has not read: the
                // publisher's activation message and these three
                assertThrows(DeadlineExceededException.class, () -> pub.claim(Deadline.after(Duration.ofMillis(50))));
                Task<Slot> waiting = Weft.spawn(() -> pub.claim(Deadline.NONE));
                Weft.sleep(Duration.ofMillis(30));
                waiting.cancel();
                assertThrows(CancellationException.class, waiting::join);
                Task<Slot> claim = Weft.spawn(() -> pub.claim(soon()));
                try (Message m = sub.next(soon())) {
                    assertEquals(1, m.toArray().length);
                }
                Slot s = claim.join();
                s.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
                s.publish(1);
            }
        });
    }

    @Test
    void retirementIsReportedOncePerMessageAfterEverySubscriberReleasedIt() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Publisher pub = c.publisher("ret", PublisherOptions.defaults().withSlots(64, 16));
                 Subscriber a = c.subscriber("ret", SubscriberOptions.defaults().withReliable(true).withMaxHeld(2));
                 Subscriber b = c.subscriber("ret", SubscriberOptions.defaults().withReliable(true))) {
                pub.trackRetirement();
                List<Long> published = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    published.add(pub.publish(new byte[] {(byte) i}));
                }
                Message kept = a.next(soon()); // a keeps the first message
                for (int i = 0; i < 10; i++) {
                    b.next(soon()).close();
                    if (i > 0) {
                        a.next(soon()).close();
                    }
                }
                Set<Long> retired = new HashSet<>();
                while (retired.size() < 9) {
                    long r = pub.awaitRetired(soon());
                    assertTrue(retired.add(r), "ordinal " + r + " retired twice");
                }
                assertFalse(retired.contains(published.getFirst()), "a held message is not retired");
                assertEquals(List.of(), pub.pollRetired());
                kept.close();
                assertEquals(published.getFirst(), pub.awaitRetired(soon()));
                retired.add(published.getFirst());
                assertEquals(new HashSet<>(published), retired);
                assertEquals(List.of(), pub.pollRetired(), "each retirement is reported once");
            }
        });
    }

    @Test
    void checksumMismatchIsAnErrorOrAMarkedMessage() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Publisher pub = c.publisher("crc", PublisherOptions.defaults().withChecksum(true).withMetadataLength(8).withSlots(64, 8));
                 Subscriber strict = c.subscriber("crc", SubscriberOptions.defaults().withChecksum(true, false));
                 Subscriber lenient = c.subscriber("crc", SubscriberOptions.defaults().withChecksum(true, true));
                 Subscriber trusting = c.subscriber("crc", SubscriberOptions.defaults())) {
                Slot good = pub.claim(soon());
                good.segment().set(ValueLayout.JAVA_LONG, 0, 1234);
                good.metadata().set(ValueLayout.JAVA_LONG, 0, 99);
                good.publish(8);
                for (Subscriber s : List.of(strict, lenient)) {
                    try (Message m = s.next(soon())) {
                        assertTrue(m.checksumOk());
                        assertEquals(99, m.metadata().get(ValueLayout.JAVA_LONG, 0));
                    }
                }
                trusting.next(soon()).close();
                Slot bad = pub.claim(soon());
                MemorySegment seg = bad.segment();
                seg.set(ValueLayout.JAVA_LONG, 0, 5678);
                bad.publish(8);
                seg.set(ValueLayout.JAVA_BYTE, 3, (byte) 0x55); // changed after publishing
                assertThrows(ChecksumException.class, () -> strict.next(soon()));
                assertEquals(0, strict.held(), "the bad message was released");
                try (Message m = lenient.next(soon())) {
                    assertFalse(m.checksumOk());
                }
                try (Message m = trusting.next(soon())) {
                    assertTrue(m.checksumOk(), "a subscriber that does not verify does not judge");
                }
            }
        });
    }

    @Test
    void channelGrowsWhileSubscribersReadWithoutLosingMessages() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 PubSubClient other = PubSubClient.connect(server.socket());
                 Publisher small = c.publisher("grow", PublisherOptions.defaults().withReliable(true).withSlots(64, 8));
                 Subscriber sub = other.subscriber("grow", SubscriberOptions.defaults().withReliable(true))) {
                int n = 2000;
                int total = 2 * n + 1;
                Task<List<Integer>> reader = Weft.spawn(() -> {
                    List<Integer> sizes = new ArrayList<>();
                    for (int i = 0; i < total; i++) {
                        try (Message m = sub.next(soon())) {
                            int len = (int) m.segment().byteSize();
                            assertEquals(i, m.segment().get(ValueLayout.JAVA_INT, 0), "message " + i);
                            assertEquals((byte) i, m.segment().get(ValueLayout.JAVA_BYTE, len - 1), "last byte of message " + i);
                            sizes.add(len);
                        }
                    }
                    return sizes;
                });
                for (int i = 0; i < n; i++) {
                    publishSized(small, i, 64);
                }
                // a publisher asking for larger slots makes the channel grow while the old one still publishes
                try (Publisher big = c.publisher("grow", PublisherOptions.defaults().withReliable(true).withSlots(8192, 0))) {
                    assertEquals(8192, big.capacity());
                    assertEquals(64, small.capacity(), "a publisher keeps the buffer it joined with");
                    for (int i = n; i < 2 * n; i++) {
                        publishSized(big, i, 8192);
                    }
                    publishSized(small, 2 * n, 64);
                }
                List<Integer> sizes = reader.join();
                assertEquals(64, sizes.getFirst());
                assertEquals(8192, sizes.get(n));
                assertEquals(64, sizes.getLast());
                assertEquals(0, sub.dropped());
            }
        });
    }

    private static void publishSized(Publisher pub, int i, int length) throws Exception {
        Slot s = pub.claim(soon());
        s.segment().set(ValueLayout.JAVA_INT, 0, i);
        s.segment().set(ValueLayout.JAVA_BYTE, length - 1, (byte) i);
        s.publish(length);
    }

    @Test
    void plainThreadsPublishAndWaitToo() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Publisher pub = c.publisher("th", PublisherOptions.defaults().withReliable(true).withSlots(64, 4));
                 Subscriber notified = c.subscriber("th", SubscriberOptions.defaults().withReliable(true));
                 Subscriber spinning = c.subscriber("th", SubscriberOptions.defaults().withReliable(true).withWaitStrategy(WaitStrategy.busySpin()))) {
                int n = 5000;
                AtomicReference<Throwable> failure = new AtomicReference<>();
                List<Thread> threads = new ArrayList<>();
                for (Subscriber s : List.of(notified, spinning)) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        try {
                            for (int i = 0; i < n; i++) {
                                try (Message m = s.next(soon())) {
                                    assertEquals(i, m.segment().get(ValueLayout.JAVA_INT, 0));
                                }
                            }
                        } catch (Throwable t) {
                            failure.set(t);
                        }
                    }));
                }
                Thread producer = Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < n; i++) {
                            Slot s = pub.claim(soon());
                            s.segment().set(ValueLayout.JAVA_INT, 0, i);
                            s.publish(4);
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                threads.add(producer);
                for (Thread t : threads) {
                    io.weft.Blocking.call(() -> t.join(Duration.ofSeconds(60)));
                    assertFalse(t.isAlive(), "a thread did not finish within 60 s");
                }
                assertNull(failure.get(), () -> "a thread failed: " + failure.get());
            }
        });
    }
}
