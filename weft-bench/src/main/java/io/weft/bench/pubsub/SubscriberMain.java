package io.weft.bench.pubsub;

import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A subscriber JVM of {@code ./weft bench pubsub}: {@code SubscriberMain CONTENDER DIR}.
 * Prints READY once subscribed; then, on each command line from standard input,
 * {@code START} resets its counters and {@code STOP} prints
 * {@code STATS received dropped p50ns p99ns}. Exits at the end of its input.
 */
public final class SubscriberMain {
    private SubscriberMain() {
    }

    public static void main(String[] args) throws Exception {
        PubSubContender c = PubSubContender.of(args[0]);
        Path dir = Path.of(args[1]);
        try (Fanout.Receiver r = Fanout.receiver(c, dir)) {
            Histogram h = new Histogram(3_600_000_000_000L, 3);
            long[] received = new long[1];
            Object lock = new Object();
            Thread reader = Thread.ofPlatform().name("pubsub-bench-subscriber").daemon(true).start(() -> {
                try {
                    while (true) {
                        long ts = r.receive();
                        if (ts <= 0) {
                            continue;
                        }
                        long now = System.nanoTime();
                        synchronized (lock) {
                            h.recordValue(Math.max(0, now - ts));
                            received[0]++;
                        }
                    }
                } catch (Exception e) {
                    System.err.println("subscriber: " + e);
                }
            });
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            long droppedAtStart = 0;
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (lock) {
                    if (line.equals("START")) {
                        h.reset();
                        received[0] = 0;
                        droppedAtStart = r.dropped();
                    } else if (line.equals("STOP")) {
                        System.out.println("STATS " + received[0] + " " + (r.dropped() - droppedAtStart) + " "
                                + h.getValueAtPercentile(50) + " " + h.getValueAtPercentile(99));
                        System.out.flush();
                    }
                }
            }
            reader.interrupt();
        }
        System.exit(0);
    }
}
