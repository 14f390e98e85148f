package io.weft.pubsub;

import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Settings every client of a channel must agree on, checked by the server. */
class ChannelOptionsTest {

    @TempDir
    Path dir;

    private static void refused(String expected, ThrowingCall call) {
        PubSubException e = assertThrows(PubSubException.class, call::run);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void mismatchesAreRefusedWithTheReason() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Publisher pub = c.publisher("o", PublisherOptions.defaults().withType("pose").withMetadataLength(16).withFixedSize(true).withSlots(128, 8))) {
                refused("carries type 'pose', not 'image'", () -> c.publisher("o", PublisherOptions.defaults().withType("image").withMetadataLength(16).withFixedSize(true)));
                refused("carries type 'pose', not 'image'", () -> c.subscriber("o", SubscriberOptions.defaults().withType("image")));
                refused("16 metadata bytes per message, not 0", () -> c.publisher("o", PublisherOptions.defaults().withType("pose").withFixedSize(true)));
                refused("fixed-size with 128-byte slots; a publisher asked for 4096",
                        () -> c.publisher("o", PublisherOptions.defaults().withType("pose").withMetadataLength(16).withFixedSize(true).withSlots(4096, 0)));
                refused("has 8 slots, not 16", () -> c.publisher("o", PublisherOptions.defaults().withType("pose").withMetadataLength(16).withFixedSize(true).withSlots(64, 16)));
                refused("is fixed-size; every client must agree", () -> c.publisher("o", PublisherOptions.defaults().withType("pose").withMetadataLength(16).withSlots(64, 0)));
                // agreeing clients are accepted; a subscriber that names no type takes any
                try (Publisher ok = c.publisher("o", PublisherOptions.defaults().withType("pose").withMetadataLength(16).withFixedSize(true).withSlots(64, 0));
                     Subscriber any = c.subscriber("o", SubscriberOptions.defaults());
                     Subscriber typed = c.subscriber("o", SubscriberOptions.defaults().withType("pose"))) {
                    assertEquals(128, ok.capacity());
                    assertEquals(16, ok.claim(io.weft.Deadline.NONE).metadata().byteSize());
                }
            }
        });
    }

    @Test
    void capsOnPublishersAndSubscribers() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Publisher pub = c.publisher("cap", PublisherOptions.defaults().withCaps(1, 2));
                 Subscriber s1 = c.subscriber("cap", SubscriberOptions.defaults());
                 Subscriber s2 = c.subscriber("cap", SubscriberOptions.defaults())) {
                refused("allows at most 1 publishers", () -> c.publisher("cap", PublisherOptions.defaults().withCaps(1, 2)));
                refused("allows at most 2 subscribers", () -> c.subscriber("cap", SubscriberOptions.defaults()));
            }
        });
    }

    @Test
    void leasesThatCouldLeaveNoFreeSlotAreRefused() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Publisher pub = c.publisher("l", PublisherOptions.defaults().withSlots(64, 4));
                 Subscriber s = c.subscriber("l", SubscriberOptions.defaults().withMaxHeld(2))) {
                // 1 publisher + 2 held + 1 spare = 4 slots: one more lease of any kind is refused
                refused("needs at least 5 (every lease plus one)", () -> c.subscriber("l", SubscriberOptions.defaults()));
                refused("needs at least 5 (every lease plus one)", () -> c.publisher("l", PublisherOptions.defaults().withSlots(64, 0)));
            }
            // and once the subscriber is gone there is room again
            try (PubSubServer server = PubSubServer.bind(dir.resolve("t"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Publisher pub = c.publisher("l", PublisherOptions.defaults().withSlots(64, 4))) {
                c.subscriber("l", SubscriberOptions.defaults().withMaxHeld(2)).close();
                try (Subscriber s = c.subscriber("l", SubscriberOptions.defaults().withMaxHeld(2))) {
                    assertEquals(1, c.list().getFirst().subscribers());
                }
            }
        });
    }

    @Test
    void listShowsChannels() throws Exception {
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(dir.resolve("s"));
                 PubSubClient c = PubSubClient.connect(server.socket());
                 Publisher pub = c.publisher("b", PublisherOptions.defaults().withType("t").withSlots(256, 8));
                 Subscriber sub = c.subscriber("b", SubscriberOptions.defaults());
                 Subscriber other = c.subscriber("a", SubscriberOptions.defaults().withSlots(64, 4))) {
                pub.publish(new byte[] {1});
                pub.publish(new byte[] {2});
                var list = c.list();
                assertEquals(2, list.size());
                assertEquals(new PubSubClient.ChannelInfo("a", "", 64, 4, 0, 1, 0, 0), list.get(0));
                assertEquals(new PubSubClient.ChannelInfo("b", "t", 256, 8, 1, 1, 2, 0), list.get(1));
            }
        });
    }
}
