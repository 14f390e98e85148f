package io.weft.cli;

import io.weft.Blocking;
import io.weft.Deadline;
import io.weft.Weft;
import io.weft.pubsub.Message;
import io.weft.pubsub.PubSubClient;
import io.weft.pubsub.PubSubServer;
import io.weft.pubsub.Publisher;
import io.weft.pubsub.PublisherOptions;
import io.weft.pubsub.Subscriber;
import io.weft.pubsub.SubscriberOptions;
import io.weft.sync.Promise;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code weft serve pubsub} runs a pub/sub server; {@code weft pubsub list|publish|subscribe}
 * are its tools: the channels and their counters, lines from stdin as messages, and
 * messages printed as they arrive.
 */
final class PubSubCommand {
    private PubSubCommand() {
    }

    static final String SERVE_USAGE = "serve pubsub [--socket PATH]";
    static final String USAGE = "pubsub list | publish NAME [--reliable true] [--slot-size N] [--slots N] | subscribe NAME [--reliable true] "
            + "[--from-oldest true] [--count N]  (each takes --socket PATH)";

    private static Path socket(Args a) throws IOException {
        String s = a.string("socket", null);
        return s != null ? Path.of(s) : PubSubServer.defaultSocket();
    }

    /** {@code serve pubsub}: until the process is stopped. */
    static int serve(String[] args, PrintStream out, PrintStream err) throws UsageException {
        Args a = Args.parse(Arrays.copyOfRange(args, 1, args.length), Set.of("socket"));
        Promise<Void> stop = new Promise<>();
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.complete(null);
            try {
                closed.await(5, TimeUnit.SECONDS); // the server removes its socket file as it closes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "weft-serve-pubsub-shutdown");
        java.lang.Runtime.getRuntime().addShutdownHook(hook);
        try {
            Weft.run(() -> {
                try (PubSubServer server = PubSubServer.bind(socket(a))) {
                    out.println("pub/sub server listening at " + server.socket() + "; Ctrl-C stops");
                    out.flush();
                    stop.await();
                } finally {
                    closed.countDown();
                }
            });
            return 0;
        } catch (Exception e) {
            err.println("weft serve pubsub: " + e.getMessage());
            return 1;
        }
    }

    /** {@code pubsub list|publish|subscribe}. */
    static int execute(String[] args, InputStream in, PrintStream out, PrintStream err) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("pubsub needs list, publish NAME or subscribe NAME");
        }
        String what = args[0];
        boolean named = what.equals("publish") || what.equals("subscribe");
        if (!named && !what.equals("list")) {
            throw new UsageException("pubsub takes list, publish NAME or subscribe NAME, not '" + what + "'");
        }
        if (named && (args.length < 2 || args[1].startsWith("--"))) {
            throw new UsageException("pubsub " + what + " needs a channel name");
        }
        String name = named ? args[1] : null;
        Args a = Args.parse(Arrays.copyOfRange(args, named ? 2 : 1, args.length),
                Set.of("socket", "reliable", "slot-size", "slots", "from-oldest", "count"));
        boolean reliable = Boolean.parseBoolean(a.string("reliable", "false"));
        int slotSize = a.intValue("slot-size", 4096, 1, 64 << 20);
        int slots = a.intValue("slots", 16, 2, 4096);
        long count = a.longValue("count", Long.MAX_VALUE, 1, Long.MAX_VALUE);
        boolean fromOldest = Boolean.parseBoolean(a.string("from-oldest", "false"));
        try {
            Weft.run(() -> {
                try (PubSubClient client = PubSubClient.connect(socket(a))) {
                    switch (what) {
                        case "list" -> {
                            out.printf("%-24s %-12s %10s %6s %5s %5s %12s %10s%n", "channel", "type", "slot size", "slots", "pubs", "subs", "messages", "drops");
                            for (PubSubClient.ChannelInfo c : client.list()) {
                                out.printf("%-24s %-12s %10d %6d %5d %5d %12d %10d%n", c.name(), c.type(), c.slotSize(), c.slotCount(),
                                        c.publishers(), c.subscribers(), c.messages(), c.drops());
                            }
                        }
                        case "publish" -> {
                            long n = 0;
                            try (Publisher pub = client.publisher(name, PublisherOptions.defaults().withReliable(reliable).withSlots(slotSize, slots));
                                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                                for (String line; (line = Blocking.call(r::readLine)) != null; ) {
                                    pub.publish(line.getBytes(StandardCharsets.UTF_8));
                                    n++;
                                }
                            }
                            err.println("published " + n + " message(s) on " + name);
                        }
                        default -> {
                            try (Subscriber sub = client.subscriber(name, SubscriberOptions.defaults().withReliable(reliable).withFromOldest(fromOldest))) {
                                for (long i = 0; i < count; i++) {
                                    try (Message m = sub.next(Deadline.NONE)) {
                                        out.println(new String(m.toArray(), StandardCharsets.UTF_8));
                                        out.flush();
                                    }
                                }
                                if (sub.dropped() > 0) {
                                    err.println(sub.dropped() + " message(s) dropped (overwritten before this subscriber read them)");
                                }
                            }
                        }
                    }
                }
            });
            return 0;
        } catch (Exception e) {
            err.println("weft pubsub " + what + ": " + e.getMessage());
            return 1;
        }
    }
}
