package io.weft.net;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.weft.TestSupport.awaitParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Resolver#system()} and {@link DnsResolver} against a tiny DNS responder that the
 * test runs on loopback (a Weft task on a {@link UdpSocket}), on io_uring and epoll.
 */
@Timeout(60)
class ResolverTest {

    @TempDir
    Path dir;

    static Stream<String> fdBackends() {
        return UnixSocketConformanceTest.fdBackends();
    }

    /**
     * Answers A and AAAA queries from a fixed zone until closed; counts the queries per
     * name. Names it does not know get NXDOMAIN; "slow.test" gets nothing.
     */
    static final class Responder implements AutoCloseable {
        final UdpSocket socket;
        final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
        final Task<Void> task;
        final boolean failEverything;

        Responder(boolean failEverything) throws IOException {
            this.failEverything = failEverything;
            this.socket = UdpSocket.bind(new InetSocketAddress("127.0.0.1", 0));
            this.task = Weft.spawn(this::serve);
        }

        InetSocketAddress address() {
            return socket.localAddress();
        }

        int count(String name) {
            AtomicInteger n = queries.get(name);
            return n == null ? 0 : n.get();
        }

        /** Answers until the socket is closed, which may happen while it is receiving or replying. */
        private void serve() throws IOException {
            try {
                serveUntilClosed();
            } catch (SocketException e) {
                if (!socket.isClosed()) {
                    throw e;
                }
            }
        }

        private void serveUntilClosed() throws IOException {
            byte[] buf = new byte[512];
            while (true) {
                UdpMessage m = socket.receive(ByteBuffer.wrap(buf));
                ByteBuffer q = ByteBuffer.wrap(buf, 0, m.length());
                int id = q.getShort() & 0xffff;
                q.position(12);
                StringBuilder name = new StringBuilder();
                for (int len; (len = q.get() & 0xff) != 0; ) {
                    if (!name.isEmpty()) {
                        name.append('.');
                    }
                    byte[] l = new byte[len];
                    q.get(l);
                    name.append(new String(l, StandardCharsets.US_ASCII));
                }
                int qtype = q.getShort() & 0xffff;
                int questionEnd = q.position() + 2;
                String n = name.toString();
                queries.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
                if (n.equals("slow.test")) {
                    continue;
                }
                byte[] question = java.util.Arrays.copyOfRange(buf, 12, questionEnd);
                if (n.equals("a.test")) {
                    // A stray answer with the wrong id first: it must be ignored.
                    socket.send(ByteBuffer.wrap(response(id ^ 1, 0, question, List.of(record(ptr(), qtype, qtype == 1
                            ? new byte[] {6, 6, 6, 6} : new byte[16])))), m.source());
                }
                socket.send(ByteBuffer.wrap(answer(id, n, qtype, question)), m.source());
            }
        }

        private byte[] answer(int id, String n, int qtype, byte[] question) throws IOException {
            if (failEverything) {
                return response(id, 2, question, List.of()); // SERVFAIL
            }
            return switch (n) {
                case "a.test" -> response(id, 0, question, List.of(qtype == 1
                        ? record(ptr(), 1, new byte[] {10, 1, 2, 3})
                        : record(ptr(), 28, InetAddress.getByName("fd00::1").getAddress())));
                case "alias.test" -> response(id, 0, question, List.of(
                        record(ptr(), 5, labels("a.test")),
                        qtype == 1 ? record(labels("a.test"), 1, new byte[] {10, 1, 2, 3})
                                : record(labels("a.test"), 28, InetAddress.getByName("fd00::1").getAddress())));
                case "v4only.test" -> response(id, 0, question, qtype == 1
                        ? List.of(record(ptr(), 1, new byte[] {10, 0, 0, 4})) : List.of());
                case "empty.test" -> response(id, 0, question, List.of());
                case "loop.test" -> response(id, 0, question, List.of(record(new byte[] {(byte) 0xc0, (byte) 200}, 1, new byte[4])));
                default -> response(id, 3, question, List.of()); // NXDOMAIN
            };
        }

        /** A pointer to the question's name at offset 12. */
        static byte[] ptr() {
            return new byte[] {(byte) 0xc0, 12};
        }

        static byte[] labels(String name) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String l : name.split("\\.")) {
                out.write(l.length());
                out.writeBytes(l.getBytes(StandardCharsets.US_ASCII));
            }
            out.write(0);
            return out.toByteArray();
        }

        static byte[] record(byte[] owner, int type, byte[] rdata) {
            ByteBuffer b = ByteBuffer.allocate(owner.length + 10 + rdata.length);
            b.put(owner).putShort((short) type).putShort((short) 1).putInt(60).putShort((short) rdata.length).put(rdata);
            return b.array();
        }

        static byte[] response(int id, int rcode, byte[] question, List<byte[]> answers) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer h = ByteBuffer.allocate(12);
            h.putShort((short) id).putShort((short) (0x8180 | rcode)).putShort((short) 1).putShort((short) answers.size())
                    .putShort((short) 0).putShort((short) 0);
            out.writeBytes(h.array());
            out.writeBytes(question);
            answers.forEach(out::writeBytes);
            return out.toByteArray();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            task.join();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void resolvesAAndAaaaFollowsCnamesAndIgnoresStrayAnswers(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (Responder r = new Responder(false)) {
                DnsResolver dns = DnsResolver.builder().nameserver(r.address()).timeout(Duration.ofSeconds(5)).build();
                List<InetAddress> a = dns.resolve("a.test", Duration.ofSeconds(10));
                assertEquals(List.of(InetAddress.getByName("10.1.2.3"), InetAddress.getByName("fd00::1")), a);
                assertEquals("a.test", a.getFirst().getHostName());
                assertEquals(List.of(InetAddress.getByName("10.1.2.3"), InetAddress.getByName("fd00::1")),
                        dns.resolve("Alias.TEST.", Duration.ofSeconds(10)), "a CNAME is followed; case and the root dot do not matter");
                assertEquals(List.of(InetAddress.getByName("10.0.0.4")), dns.resolve("v4only.test", Duration.ofSeconds(10)));
                assertEquals(List.of(InetAddress.getByName("192.0.2.1")), dns.resolve("192.0.2.1", Duration.ofSeconds(1)),
                        "a literal resolves to itself");
                assertEquals(2, r.count("a.test"), "one A and one AAAA query");
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void unknownNamesFailClearlyAndBadAnswersAreNotTrusted(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (Responder r = new Responder(false)) {
                DnsResolver dns = DnsResolver.builder().nameserver(r.address()).timeout(Duration.ofSeconds(2)).attempts(1).build();
                UnknownHostException nx = assertThrows(UnknownHostException.class, () -> dns.resolve("missing.test", Duration.ofSeconds(10)));
                assertTrue(nx.getMessage().contains("NXDOMAIN"), nx.getMessage());
                UnknownHostException empty = assertThrows(UnknownHostException.class, () -> dns.resolve("empty.test", Duration.ofSeconds(10)));
                assertTrue(empty.getMessage().contains("no A or AAAA"), empty.getMessage());
                UnknownHostException loop = assertThrows(UnknownHostException.class, () -> dns.resolve("loop.test", Duration.ofSeconds(10)));
                assertTrue(loop.getMessage().contains("malformed"), loop.getMessage());
                assertThrows(UnknownHostException.class, () -> dns.resolve("bad..name", Duration.ofSeconds(1)));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void aFailingServerIsPassedOverForTheNext(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (Responder failing = new Responder(true); Responder good = new Responder(false)) {
                DnsResolver dns = DnsResolver.builder().nameserver(failing.address()).nameserver(good.address())
                        .timeout(Duration.ofSeconds(5)).build();
                assertEquals(InetAddress.getByName("10.1.2.3"), dns.resolve("a.test", Duration.ofSeconds(10)).getFirst());
                assertEquals(2, failing.count("a.test"));
                assertEquals(2, good.count("a.test"));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void aSilentServerTimesOutAndALookupCanBeCancelled(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            try (Responder r = new Responder(false)) {
                DnsResolver dns = DnsResolver.builder().nameserver(r.address()).timeout(Duration.ofSeconds(30)).build();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                        () -> dns.resolve("slow.test", Deadline.after(Duration.ofMillis(200))));
                assertEquals("DNS lookup of slow.test timed out", e.getMessage());
                Task<List<InetAddress>> lookup = Weft.spawn(() -> dns.resolve("slow.test", Duration.ofSeconds(30)));
                io.weft.TestSupport.eventually("the second query arrived", Duration.ofSeconds(10), () -> r.count("slow.test") >= 4);
                lookup.cancel();
                assertThrows(CancellationException.class, () -> lookup.join(Duration.ofSeconds(5)));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void theHostsFileAnswersFirstAndResolvConfNamesTheServers(String backend) throws Exception {
        Path hostsFile = Files.writeString(dir.resolve("hosts"), """
                # comment line
                10.9.8.7   fromhosts.test other.test   # trailing comment
                fd00::7    fromhosts.test
                not-an-ip  ignored.test
                """);
        Path resolvConf = Files.writeString(dir.resolve("resolv.conf"), """
                search example.org
                nameserver 127.0.0.1
                nameserver ::1
                nameserver bogus
                options timeout:1 attempts:3 ndots:2
                """);
        TcpConformanceTest.on(backend, () -> {
            try (Responder r = new Responder(false)) {
                DnsResolver dns = DnsResolver.builder().nameserver(r.address()).hostsFile(hostsFile).build();
                assertEquals(List.of(InetAddress.getByName("10.9.8.7"), InetAddress.getByName("fd00::7")),
                        dns.resolve("FromHosts.test", Duration.ofSeconds(5)));
                assertEquals(List.of(InetAddress.getByName("10.9.8.7")), dns.resolve("other.test", Duration.ofSeconds(5)));
                assertEquals(0, r.queries.size(), "the hosts file answered without a query");
                DnsResolver conf = DnsResolver.builder().resolvConf(resolvConf).build();
                assertEquals(List.of(new InetSocketAddress("127.0.0.1", 53), new InetSocketAddress("::1", 53)), conf.nameservers());
                assertTrue(conf.toString().contains("attempts 3") && conf.toString().contains("PT1S"), conf.toString());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fdBackends")
    void theSystemResolverRunsOnTheBlockingPool(String backend) throws Exception {
        TcpConformanceTest.on(backend, () -> {
            Thread caller = Thread.currentThread();
            java.util.concurrent.atomic.AtomicReference<Thread> ranOn = new java.util.concurrent.atomic.AtomicReference<>();
            SystemResolver recording = new SystemResolver(host -> {
                ranOn.set(Thread.currentThread());
                return InetAddress.getAllByName(host);
            });
            assertEquals(List.of(InetAddress.getByName("127.0.0.1")), recording.resolve("127.0.0.1", Duration.ofSeconds(10)));
            Thread t = ranOn.get();
            assertTrue(t != null && t != caller && !t.isVirtual(), "the lookup ran on a platform thread of its own: " + t);
            assertTrue(t.getName().startsWith(Weft.runtime().name() + "-blocking-"),
                    "the lookup ran on the runtime's blocking pool: " + t.getName());
            List<InetAddress> local = Resolver.system().resolve("localhost", Duration.ofSeconds(10));
            assertTrue(local.stream().allMatch(InetAddress::isLoopbackAddress), local.toString());
            assertEquals(List.of(InetAddress.getByName("127.0.0.1")), Resolver.system().resolve("127.0.0.1", Duration.ofSeconds(10)));
            // TcpStream.connect resolves through it.
            try (TcpListener l = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0));
                 TcpStream c = TcpStream.connect(InetSocketAddress.createUnresolved("localhost", l.localAddress().getPort()),
                         Duration.ofSeconds(10));
                 TcpStream s = l.accept(Duration.ofSeconds(10))) {
                assertTrue(c.remoteAddress().getAddress().isLoopbackAddress());
                assertTrue(s.remoteAddress().getAddress().isLoopbackAddress());
            }
        });
    }
}
