package io.weft.pubsub;

import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The README's example: a subscriber process and a publisher process, through a server at the default path. */
class ReadmeExampleTest {

    @TempDir
    Path runtimeDir;

    @Test
    void publisherAndSubscriberInTwoProcesses() throws Exception {
        Map<String, String> env = Map.of("XDG_RUNTIME_DIR", runtimeDir.toString());
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(runtimeDir.resolve("weft-pubsub"));
                 ChildJvm sub = ChildJvm.launch(env, ReadmeExample.class, "subscribe")) {
                sub.expect("subscribed to ticks");
                try (ChildJvm pub = ChildJvm.launch(env, ReadmeExample.class, "publish")) {
                    for (int i = 0; i < 10; i++) {
                        // message 1 is the reliable publisher's activation, which the subscriber skips
                        assertEquals("tick " + i + " (message " + (i + 2) + ")", sub.expect("tick"));
                    }
                    assertTrue(pub.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the publisher exits");
                    assertEquals(0, pub.process.exitValue());
                }
                assertTrue(sub.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the subscriber exits after 10 ticks");
                assertEquals(0, sub.process.exitValue());
            }
        });
    }
}
