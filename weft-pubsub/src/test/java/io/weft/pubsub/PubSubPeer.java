package io.weft.pubsub;

import io.weft.Blocking;
import io.weft.Deadline;
import io.weft.Weft;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The other process of the cross-process tests. Modes (socket path first, then):
 * <ul>
 *   <li>{@code server}: runs a server until its input ends;
 *   <li>{@code subscribe NAME RELIABLE LAST SLOW_MICROS}: reads messages up to index LAST and prints
 *       {@code DONE first received dropped bad};
 *   <li>{@code hold NAME}: a reliable subscriber that takes one message and holds it (prints HELD);
 *   <li>{@code claim NAME}: a reliable publisher that claims a slot and keeps it (prints CLAIMED);
 *   <li>{@code stream NAME}: a reliable publisher of indexed messages, without end;
 *   <li>{@code hostile NAME}: maps the channel as a subscriber and writes garbage over its control memory (prints DONE);
 *   <li>{@code connect}: connects and lists, then prints ACCEPTED or REFUSED and the reason; {@code probe}: only READY.
 * </ul>
 * Prints READY once set up; exits when its input ends.
 */
public final class PubSubPeer {

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        Weft.run(() -> {
            switch (args[1]) {
                case "server" -> {
                    try (PubSubServer server = PubSubServer.bind(socket)) {
                        System.out.println("READY " + server.socket());
                        awaitEndOfInput();
                    }
                }
                case "subscribe" -> subscribe(socket, args[2], Boolean.parseBoolean(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
                case "hold" -> {
                    try (PubSubClient c = PubSubClient.connect(socket);
                         Subscriber sub = c.subscriber(args[2], SubscriberOptions.defaults().withReliable(true))) {
                        System.out.println("READY");
                        Message m = sub.next(Deadline.after(Duration.ofSeconds(60)));
                        System.out.println("HELD " + m.ordinal());
                        awaitEndOfInput();
                    }
                }
                case "claim" -> {
                    try (PubSubClient c = PubSubClient.connect(socket);
                         Publisher pub = c.publisher(args[2], PublisherOptions.defaults().withReliable(true).withSlots(64, 0))) {
                        System.out.println("READY");
                        pub.claim(Deadline.after(Duration.ofSeconds(60)));
                        System.out.println("CLAIMED");
                        awaitEndOfInput();
                    }
                }
                case "stream" -> {
                    try (PubSubClient c = PubSubClient.connect(socket);
                         Publisher pub = c.publisher(args[2], PublisherOptions.defaults().withReliable(true).withSlots(64, 0))) {
                        System.out.println("READY");
                        for (int i = 0; ; i++) {
                            Slot s = pub.claim(Deadline.after(Duration.ofSeconds(60)));
                            s.segment().set(ValueLayout.JAVA_INT, 0, i);
                            s.publish(4);
                        }
                    }
                }
                case "hostile" -> {
                    try (PubSubClient c = PubSubClient.connect(socket);
                         Subscriber sub = c.subscriber(args[2], SubscriberOptions.defaults())) {
                        System.out.println("READY");
                        SplittableRandom r = new SplittableRandom(42);
                        MemorySegment ctl = sub.control;
                        for (int round = 0; round < 20; round++) {
                            for (long i = 0; i + 8 <= ctl.byteSize(); i += 8) {
                                ctl.set(ValueLayout.JAVA_LONG, i, r.nextInt(4) == 0 ? r.nextLong() : r.nextLong(8));
                            }
                        }
                        System.out.println("DONE");
                        awaitEndOfInput();
                    }
                }
                case "probe" -> System.out.println("READY");
                case "connect" -> {
                    System.out.println("READY");
                    try (PubSubClient c = PubSubClient.connect(socket)) {
                        c.list();
                        System.out.println("ACCEPTED");
                    } catch (PubSubException e) {
                        System.out.println("REFUSED " + e.getMessage());
                    }
                }
                default -> throw new IllegalArgumentException("no mode " + args[1]);
            }
        });
        System.exit(0);
    }

    private static void subscribe(Path socket, String name, boolean reliable, int last, int slowMicros) throws Exception {
        try (PubSubClient c = PubSubClient.connect(socket);
             Subscriber sub = c.subscriber(name, SubscriberOptions.defaults().withReliable(reliable))) {
            System.out.println("READY");
            int first = -1;
            int previous = -1;
            long received = 0;
            long bad = 0;
            while (previous != last) {
                int index;
                try (Message m = sub.next(Deadline.after(Duration.ofSeconds(60)))) {
                    index = Payloads.check(m.segment());
                }
                received++;
                if (index < 0 || index <= previous) {
                    bad++;
                    continue;
                }
                if (first < 0) {
                    first = index;
                }
                previous = index;
                if (slowMicros > 0) {
                    Weft.sleep(Duration.ofNanos(slowMicros * 1000L));
                }
            }
            System.out.println("DONE " + first + " " + received + " " + sub.dropped() + " " + bad);
            awaitEndOfInput();
        }
    }

    private static void awaitEndOfInput() throws Exception {
        Blocking.call(() -> System.in.transferTo(java.io.OutputStream.nullOutputStream()));
    }
}
