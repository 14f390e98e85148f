package io.weft.net;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.TestSupport;
import io.weft.Weft;
import io.weft.sync.Channel;
import io.weft.sync.Select;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;

import static io.weft.net.TcpConformanceTest.LOOPBACK;
import static io.weft.net.TcpConformanceTest.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Select's socket cases, and TcpStream's readiness waits, on every backend. */
@Timeout(120)
class SelectSocketTest {

    static java.util.stream.Stream<String> backends() {
        return TcpConformanceTest.backends();
    }

    /** A connected pair: [0] the accepted side, [1] the connecting side. */
    static TcpStream[] pair(TcpListener l) throws Exception {
        Task<TcpStream> accepted = Weft.spawn(() -> l.accept());
        TcpStream client = TcpStream.connect(l.localAddress(), Duration.ofSeconds(5));
        return new TcpStream[] {accepted.join(), client};
    }

    /** A task parked in a select on {@code s} becoming readable, once its poll is armed. */
    static Task<String> selectingReadable(TcpStream s) {
        Task<String> t = Weft.spawn(() -> new Select<String>().onReadable(s, () -> "readable").select());
        TestSupport.eventually("the select arms its poll", Duration.ofSeconds(10),
                () -> s.handle.inflightCount() == 1);
        return t;
    }

    static void awaitNoOpsInFlight(TcpStream s) {
        TestSupport.eventually("the withdrawn poll ends", Duration.ofSeconds(10),
                () -> s.handle.inflightCount() == 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void readableFiresOnlyOnceBytesArriveAndConsumesNothing(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                TcpStream[] p = pair(l);
                try (TcpStream server = p[0]; TcpStream client = p[1]) {
                    Select<String> s = new Select<String>()
                            .onReadable(server, () -> "readable")
                            .onTimeout(Duration.ofMillis(50), () -> "idle");
                    assertEquals("idle", s.select(), "nothing was sent yet");
                    awaitNoOpsInFlight(server);
                    client.writeAll(new byte[] {42});
                    assertEquals("readable", s.select());
                    assertEquals("readable", s.select(), "readiness consumed nothing");
                    byte[] b = new byte[4];
                    assertEquals(1, server.read(b));
                    assertEquals(42, b[0]);
                    client.close();
                    assertEquals("readable", s.select(), "the end of the stream is readable");
                    assertEquals(-1, server.read(b));
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void writableFiresWhileTheSendBufferHasRoom(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                TcpStream[] p = pair(l);
                try (TcpStream server = p[0]; TcpStream client = p[1]) {
                    assertEquals("writable", new Select<String>().onWritable(client, () -> "writable")
                            .onTimeout(Duration.ofSeconds(5), () -> "timeout").select());
                    client.awaitWritable(Deadline.after(Duration.ofSeconds(5)));
                    assertThrows(SocketTimeoutException.class,
                            () -> server.awaitReadable(Deadline.after(Duration.ofMillis(30))));
                    client.writeAll(new byte[] {1, 2, 3});
                    server.awaitReadable(Deadline.after(Duration.ofSeconds(5)));
                    byte[] b = new byte[3];
                    server.readFully(b);
                    assertEquals(3, b[2]);
                }
            }
        });
    }

    /**
     * A channel value and a byte race for one select, again and again: exactly one case
     * fires each time, and what the losing case would have taken is still there afterwards.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void exactlyOneCaseFiresAndTheLoserTakesNothing(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                TcpStream[] p = pair(l);
                try (TcpStream server = p[0]; TcpStream client = p[1]) {
                    Channel<Integer> ch = Channel.bounded(1);
                    int rounds = 300;
                    int viaChannel = 0;
                    int viaSocket = 0;
                    byte[] one = new byte[1];
                    for (int i = 0; i < rounds; i++) {
                        int round = i;
                        Task<Void> sender = Weft.spawn(() -> ch.send(round));
                        Task<Void> writer = Weft.spawn(() -> client.writeAll(new byte[] {(byte) round}));
                        String fired = new Select<String>()
                                .onReceive(ch, v -> {
                                    assertEquals(round, v);
                                    return "channel";
                                })
                                .onReadable(server, () -> "socket")
                                .select();
                        sender.join();
                        writer.join();
                        // Whichever case lost left its item in place; take both now.
                        if (fired.equals("channel")) {
                            viaChannel++;
                        } else {
                            viaSocket++;
                            assertEquals(round, ch.receive(Duration.ofSeconds(5)), "the losing receive case left the value");
                        }
                        server.readFully(one, Deadline.after(Duration.ofSeconds(5)));
                        assertEquals((byte) round, one[0], "byte " + round);
                    }
                    assertEquals(rounds, viaChannel + viaSocket);
                    assertEquals(null, ch.tryReceive(), "no value was received twice or left over");
                    awaitNoOpsInFlight(server);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void cancellingATaskParkedInASocketSelectWithdrawsThePoll(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                TcpStream[] p = pair(l);
                try (TcpStream server = p[0]; TcpStream client = p[1]) {
                    Task<String> waiting = selectingReadable(server);
                    waiting.cancel();
                    assertThrows(CancellationException.class, waiting::join);
                    awaitNoOpsInFlight(server);
                    client.writeAll(new byte[] {7});
                    byte[] b = new byte[1];
                    server.readFully(b, Deadline.after(Duration.ofSeconds(5)));
                    assertEquals(7, b[0], "the stream is intact after the withdrawn poll");
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void closingTheStreamFiresItsCaseAndTheHandlerSeesTheClose(String backend) throws Exception {
        on(backend, () -> {
            try (TcpListener l = TcpListener.bind(LOOPBACK)) {
                TcpStream[] p = pair(l);
                try (TcpStream server = p[0]; TcpStream client = p[1]) {
                    Task<String> waiting = selectingReadable(server);
                    server.close();
                    assertEquals("readable", waiting.join(Duration.ofSeconds(10)));
                    assertThrows(java.net.SocketException.class, () -> server.read(new byte[1]));
                }
            }
        });
    }
}
