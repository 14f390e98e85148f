package io.weft.cli;

import io.weft.Blocking;
import io.weft.Weft;
import io.weft.pubsub.PubSubServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class PubSubCommandTest {

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(InputStream in, String... args) throws UsageException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PubSubCommand.execute(args, in, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void publishLinesSubscribeAndList() throws Exception {
        String socket = dir.resolve("s").toString();
        CountDownLatch up = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        Thread server = Thread.ofPlatform().start(() -> {
            try {
                Weft.run(() -> {
                    try (PubSubServer s = PubSubServer.bind(Path.of(socket))) {
                        up.countDown();
                        Blocking.call(() -> stop.await(60, TimeUnit.SECONDS));
                    }
                });
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try {
            assertTrue(up.await(30, TimeUnit.SECONDS));
            Result[] subscribed = new Result[1];
            Thread subscriber = Thread.ofPlatform().start(() -> {
                try {
                    subscribed[0] = run(InputStream.nullInputStream(), "subscribe", "chat", "--socket", socket, "--reliable", "true", "--count", "2");
                } catch (UsageException e) {
                    throw new RuntimeException(e);
                }
            });
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Result list;
            do {
                assertTrue(System.nanoTime() < end, "the subscriber did not show up in the list");
                Thread.sleep(10);
                list = run(InputStream.nullInputStream(), "list", "--socket", socket);
                assertEquals(0, list.code(), list.err());
            } while (!list.out().contains("chat"));
            assertTrue(list.out().matches("(?s).*chat\\s+4096\\s+16\\s+0\\s+1\\s+0\\s+0.*"), list.out());
            Result published = run(new ByteArrayInputStream("hello\nwörld\n".getBytes(StandardCharsets.UTF_8)),
                    "publish", "chat", "--socket", socket, "--reliable", "true");
            assertEquals(0, published.code(), published.err());
            assertTrue(published.err().contains("published 2 message(s) on chat"), published.err());
            subscriber.join(Duration.ofSeconds(30));
            assertFalse(subscriber.isAlive());
            assertEquals(new Result(0, "hello\nwörld\n", ""), subscribed[0]);
        } finally {
            stop.countDown();
            server.join(Duration.ofSeconds(30));
        }
    }

    @Test
    void clearErrorsWithoutAServerAndForBadArguments() throws Exception {
        Result r = run(InputStream.nullInputStream(), "list", "--socket", dir.resolve("none").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cannot connect to the pub/sub server at " + dir.resolve("none")), r.err());
        UsageException e = assertThrows(UsageException.class, () -> run(InputStream.nullInputStream(), "publish"));
        assertEquals("pubsub publish needs a channel name", e.getMessage());
        assertThrows(UsageException.class, () -> run(InputStream.nullInputStream(), "frob"));
    }
}
