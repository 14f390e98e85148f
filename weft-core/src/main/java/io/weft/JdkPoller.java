package io.weft;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;

/**
 * Starts the JDK's own I/O poller from a default-scheduler virtual thread, once, before
 * any loop runs. The JDK starts its poller threads lazily from whichever virtual thread
 * first blocks on a socket; if that were one of our tasks, the pollers would inherit a
 * loop as their scheduler and stall when that loop stops.
 */
final class JdkPoller {
    private JdkPoller() {
    }

    private static volatile boolean done;

    static synchronized void warmUp() {
        if (done) {
            return;
        }
        done = true;
        try {
            Pipe pipe = Pipe.open();
            try (var source = pipe.source(); var sink = pipe.sink()) {
                warmUp(source, sink);
            }
        } catch (IOException | InterruptedException e) {
            System.getLogger(JdkPoller.class.getName()).log(System.Logger.Level.DEBUG, "JDK poller warm-up failed", e);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void warmUp(Pipe.SourceChannel source, Pipe.SinkChannel sink) throws IOException, InterruptedException {
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                source.read(ByteBuffer.allocate(1)); // parks in the JDK poller
            } catch (IOException ignored) {
                // Only the poller's start matters.
            }
        });
        Thread.sleep(1); // let the reader block first, so it registers with the poller
        sink.write(ByteBuffer.wrap(new byte[] {1}));
        reader.join(5_000);
    }
}
