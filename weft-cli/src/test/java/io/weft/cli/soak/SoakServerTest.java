package io.weft.cli.soak;

import io.weft.Runtime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak server against a hand-driven client on the nio backend: behaviour only. */
class SoakServerTest {

    private static final int TIMEOUT_MILLIS = 10_000;

    private static Runtime runtime() {
        return Runtime.builder().backend("nio").loops(1).shutdownTimeout(Duration.ofSeconds(5)).build();
    }

    /** Polls until {@code count} reaches {@code want} or 10 s pass; returns the last value. */
    private static long await(java.util.function.LongSupplier count, long want) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (count.getAsLong() != want && System.nanoTime() - end < 0) {
            Thread.sleep(10);
        }
        return count.getAsLong();
    }

    @Test
    void echoesGoodFramesAndClosesOnACorruptedOne() throws Exception {
        try (Runtime rt = runtime()) {
            SoakServer server = SoakServer.start(rt, SoakServer.Mode.ECHO, null);
            try (ClientConnection c = ClientConnection.open(server.port(), TIMEOUT_MILLIS)) {
                assertNull(c.exchange(100, 1, 0));
                assertNull(c.exchange(0, 1, 1));
                byte[] bad = c.frame(100, 1, 2);
                bad[Frame.HEADER + 57] ^= 0x40;
                c.sendRaw(bad, 0, Frame.HEADER + 100);
                assertEquals(-1, c.read(), "the server must close a connection that sent a corrupted frame");
            }
            assertEquals(1, await(() -> server.failures().count("verification"), 1));
            assertEquals(List.of("payload byte 57 of 100 differs (connection 1 #2)"), server.failures().firstMessages().get("verification"));
            assertEquals(2, server.frames());
            server.stopAccepting(Duration.ofSeconds(5));
        }
    }

    @Test
    void refusesAnOversizedLengthWithoutReadingIt() throws Exception {
        try (Runtime rt = runtime()) {
            SoakServer server = SoakServer.start(rt, SoakServer.Mode.ECHO, null);
            try (ClientConnection c = ClientConnection.open(server.port(), TIMEOUT_MILLIS)) {
                byte[] header = new byte[Frame.HEADER];
                Frame.header(header, Integer.MAX_VALUE, 1, 0);
                c.sendRaw(header, 0, header.length);
                assertEquals(-1, c.read());
            }
            assertEquals(1, await(() -> server.failures().count("bad frame"), 1));
            assertTrue(server.failures().firstMessages().get("bad frame").getFirst().startsWith("announced payload length 2147483647"));
            server.stopAccepting(Duration.ofSeconds(5));
        }
    }

    @Test
    void acknowledgesOnlyWhatItRecorded() throws Exception {
        Ledger ledger = new Ledger();
        try (Runtime rt = runtime()) {
            SoakServer server = SoakServer.start(rt, SoakServer.Mode.ACK, ledger);
            try (ClientConnection c = ClientConnection.open(server.port(), TIMEOUT_MILLIS)) {
                for (long seq = 0; seq < 3; seq++) {
                    c.send(32, 5, seq);
                }
                for (long seq = 0; seq < 3; seq++) {
                    assertNull(c.receive(0, 5, seq));
                }
                assertEquals(3, ledger.processed());
                byte[] beyond = c.frame(8, 5, Ledger.MAX_SEQ + 1);
                c.sendRaw(beyond, 0, Frame.HEADER + 8);
                assertEquals(-1, c.read(), "a number outside the ledger's range ends the connection");
            }
            assertEquals(1, await(() -> server.failures().count("bad frame"), 1));
            assertEquals(List.of(), ledger.check(List.of(new Ledger.ClientReport(5, 4, 3, "closed: by the server"))));
            server.stopAccepting(Duration.ofSeconds(5));
        }
    }

    @Test
    void aResetPeerIsAConnectionErrorAndItsTaskEnds() throws Exception {
        try (Runtime rt = runtime()) {
            SoakServer server = SoakServer.start(rt, SoakServer.Mode.ECHO, null);
            int base = rt.liveTasks();
            ClientConnection c = ClientConnection.open(server.port(), TIMEOUT_MILLIS);
            assertNull(c.exchange(16, 2, 0));
            byte[] half = c.frame(1000, 2, 1);
            c.sendRaw(half, 0, Frame.HEADER + 500);
            c.reset();
            assertEquals(1, await(() -> server.peerErrors().total(), 1), () -> server.peerErrors().summary());
            assertEquals(base, await(rt::liveTasks, base));
            assertEquals(0, server.failures().total(), server.failures().summary());
            server.stopAccepting(Duration.ofSeconds(5));
        }
    }
}
