package io.weft.net;

import io.weft.Blocking;
import io.weft.Deadline;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A resolver that never leaves the event loop: it looks in a hosts file, then asks name
 * servers over UDP (A and AAAA at once) with {@link UdpSocket}, so a lookup is a few
 * parked waits and no thread.
 *
 * <pre>{@code
 * DnsResolver dns = DnsResolver.fromSystemConfig();                 // /etc/hosts + /etc/resolv.conf
 * DnsResolver custom = DnsResolver.builder()
 *         .nameserver(new InetSocketAddress("10.0.0.53", 53))
 *         .timeout(Duration.ofMillis(300)).attempts(3)
 *         .build();
 * List<InetAddress> ips = custom.resolve("api.internal", Duration.ofSeconds(1));
 * }</pre>
 *
 * <p>What it does not do (use {@link Resolver#system()} where these matter): search
 * domains, nsswitch, DNS over TCP for answers too long for UDP (reported as an error
 * naming the truncation), DNSSEC, caching. Files are read once, when the resolver is
 * built. Immutable and usable from any task.
 */
/*
 * Overview
 *
 *   resolve(host, deadline):
 *     an IP literal                     -> itself
 *     the name in the hosts file        -> those addresses
 *     for each attempt, for each server:
 *       a fresh UDP socket on a random port, connected to the server (so only it is
 *       heard, and ICMP port-unreachable surfaces as ECONNREFUSED);
 *       send the A and AAAA queries, each with a random id;
 *       receive until both are answered or this try's deadline (min(timeout, deadline));
 *       a reply whose id, name or type does not match is ignored (spoofing, strays)
 *     NXDOMAIN from any server           -> UnknownHostException at once
 *     both answered, no addresses        -> UnknownHostException (the name has no A/AAAA)
 *     SERVFAIL, REFUSED, timeout, error  -> next server; after the last, the last error
 *
 * Rejected: one long-lived socket shared by all lookups. It saves a socket per lookup
 * but needs a demultiplexer task and a lock, and a fixed source port makes spoofed
 * answers easier to land.
 */
public final class DnsResolver implements Resolver {

    private final List<InetSocketAddress> servers;
    private final Map<String, List<InetAddress>> hosts;
    private final Duration timeout;
    private final int attempts;

    private DnsResolver(Builder b, Map<String, List<InetAddress>> hosts) {
        this.servers = List.copyOf(b.servers);
        this.hosts = hosts;
        this.timeout = b.timeout;
        this.attempts = b.attempts;
    }

    /** The system's configuration: {@code /etc/hosts}, and the servers and options of {@code /etc/resolv.conf}. */
    public static DnsResolver fromSystemConfig() throws IOException {
        return builder().hostsFile(Path.of("/etc/hosts")).resolvConf(Path.of("/etc/resolv.conf")).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for a {@link DnsResolver}. Not thread-safe. */
    public static final class Builder {
        private final List<InetSocketAddress> servers = new ArrayList<>();
        private Path hostsFile;
        private Path resolvConf;
        private Duration timeout = Duration.ofSeconds(5);
        private int attempts = 2;

        private Builder() {
        }

        /** Adds a name server (asked in the order added). */
        public Builder nameserver(InetSocketAddress server) {
            if (server.isUnresolved()) {
                throw new IllegalArgumentException("a name server must be an IP address: " + server);
            }
            servers.add(server);
            return this;
        }

        /** A hosts file to look in first (format of hosts(5)); none by default. */
        public Builder hostsFile(Path path) {
            this.hostsFile = path;
            return this;
        }

        /**
         * A resolv.conf(5) to take {@code nameserver} lines and {@code options timeout:N
         * attempts:N} from, after any servers added here.
         */
        public Builder resolvConf(Path path) {
            this.resolvConf = path;
            return this;
        }

        /** How long to wait for one server's answer (default 5 s, as resolv.conf's). */
        public Builder timeout(Duration perTry) {
            if (perTry.isNegative() || perTry.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + perTry);
            }
            this.timeout = perTry;
            return this;
        }

        /** How many rounds over all servers (default 2). */
        public Builder attempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("attempts must be at least 1: " + n);
            }
            this.attempts = n;
            return this;
        }

        /** Reads the files (on the blocking pool when called from a task) and makes the resolver. */
        public DnsResolver build() throws IOException {
            try {
                return Blocking.call(this::load);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }

        private DnsResolver load() throws IOException {
            Map<String, List<InetAddress>> hosts = hostsFile == null ? Map.of() : readHosts(hostsFile);
            if (resolvConf != null) {
                readResolvConf(resolvConf);
            }
            return new DnsResolver(this, hosts);
        }

        private void readResolvConf(Path path) throws IOException {
            List<String> lines;
            try {
                lines = Files.readAllLines(path);
            } catch (NoSuchFileException e) {
                return; // like the C library: no file, no servers from it
            }
            for (String raw : lines) {
                String[] f = fields(raw);
                if (f.length >= 2 && f[0].equals("nameserver")) {
                    InetAddress ip = literal(f[1]);
                    if (ip != null) {
                        servers.add(new InetSocketAddress(ip, 53));
                    }
                } else if (f.length >= 2 && f[0].equals("options")) {
                    for (int i = 1; i < f.length; i++) {
                        if (f[i].startsWith("timeout:")) {
                            timeout = Duration.ofSeconds(Math.max(1, parse(f[i].substring(8), 5)));
                        } else if (f[i].startsWith("attempts:")) {
                            attempts = Math.max(1, parse(f[i].substring(9), 2));
                        }
                    }
                }
            }
        }
    }

    static Map<String, List<InetAddress>> readHosts(Path path) throws IOException {
        Map<String, List<InetAddress>> out = new HashMap<>();
        for (String raw : Files.readAllLines(path)) {
            String[] f = fields(raw);
            InetAddress ip = f.length >= 2 ? literal(f[0]) : null;
            if (ip == null) {
                continue;
            }
            for (int i = 1; i < f.length; i++) {
                out.computeIfAbsent(f[i].toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(ip);
            }
        }
        out.replaceAll((k, v) -> List.copyOf(sorted(v)));
        return Collections.unmodifiableMap(out);
    }

    private static String[] fields(String line) {
        int hash = line.indexOf('#');
        String s = (hash >= 0 ? line.substring(0, hash) : line).trim();
        return s.isEmpty() ? new String[0] : s.split("\\s+");
    }

    private static int parse(String s, int fallback) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** The address an IP literal names (no lookup), or null if {@code s} is not one. */
    private static InetAddress literal(String s) {
        try {
            return InetAddress.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<InetAddress> sorted(List<InetAddress> in) {
        List<InetAddress> v = new ArrayList<>(in);
        v.sort((a, b) -> Boolean.compare(a instanceof Inet6Address, b instanceof Inet6Address));
        return v;
    }

    /** The name servers asked, in order. */
    public List<InetSocketAddress> nameservers() {
        return servers;
    }

    @Override
    public List<InetAddress> resolve(String host, Deadline deadline) throws IOException {
        InetAddress ip = literal(host);
        if (ip != null) {
            return List.of(ip);
        }
        String name = DnsWire.checkName(host);
        List<InetAddress> fromFile = hosts.get(name);
        if (fromFile != null) {
            return fromFile;
        }
        if (servers.isEmpty()) {
            throw new UnknownHostException(host + ": no name servers configured");
        }
        IOException last = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            for (InetSocketAddress server : servers) {
                if (deadline.hasPassed()) {
                    throw timedOut(host, last);
                }
                try {
                    List<InetAddress> found = ask(server, name, deadline);
                    if (found != null) {
                        return found;
                    }
                    last = new IOException("name server " + server + " failed to answer for " + host);
                } catch (UnknownHostException e) {
                    throw e;
                } catch (SocketTimeoutException e) {
                    last = e;
                    if (deadline.hasPassed()) {
                        throw timedOut(host, last);
                    }
                } catch (IOException e) {
                    last = e;
                }
            }
        }
        throw new UnknownHostException(host + ": no name server answered (" + attempts + " rounds over " + servers
                + "); last error: " + last.getMessage());
    }

    private static SocketTimeoutException timedOut(String host, IOException last) {
        SocketTimeoutException e = new SocketTimeoutException("DNS lookup of " + host + " timed out");
        if (last != null) {
            e.initCause(last);
        }
        return e;
    }

    /**
     * One try against one server.
     *
     * @return the addresses, or null if the server failed (SERVFAIL, REFUSED, ...)
     * @throws UnknownHostException   NXDOMAIN, or no A or AAAA record
     * @throws SocketTimeoutException no full answer by this try's deadline
     */
    private List<InetAddress> ask(InetSocketAddress server, String name, Deadline deadline) throws IOException {
        InetAddress any = server.getAddress() instanceof Inet4Address ? InetAddress.ofLiteral("0.0.0.0") : InetAddress.ofLiteral("::");
        Deadline tryBy = Deadline.after(timeout).min(deadline);
        try (UdpSocket s = UdpSocket.bind(new InetSocketAddress(any, 0))) {
            s.connect(server);
            int[] ids = {ThreadLocalRandom.current().nextInt(1 << 16), ThreadLocalRandom.current().nextInt(1 << 16)};
            int[] types = {DnsWire.TYPE_A, DnsWire.TYPE_AAAA};
            DnsWire.Response[] answers = new DnsWire.Response[2];
            for (int i = 0; i < 2; i++) {
                s.send(ByteBuffer.wrap(DnsWire.query(ids[i], name, types[i])), null, tryBy);
            }
            byte[] buf = new byte[1232]; // the EDNS-era safe UDP payload; a longer answer comes truncated
            while (answers[0] == null || answers[1] == null) {
                UdpMessage m = s.receive(ByteBuffer.wrap(buf), tryBy);
                for (int i = 0; i < 2; i++) {
                    if (answers[i] == null) {
                        DnsWire.Response r = DnsWire.parse(buf, m.length(), ids[i], name, types[i]);
                        if (r != null) {
                            if (r.rcode() == DnsWire.RCODE_NXDOMAIN) {
                                throw new UnknownHostException(name + ": no such name (NXDOMAIN from " + server + ")");
                            }
                            if (r.truncated() && r.addresses().isEmpty()) {
                                throw new IOException("answer for " + name + " from " + server
                                        + " was truncated (TC) and DNS over TCP is not supported here");
                            }
                            answers[i] = r;
                        }
                    }
                }
            }
            if (answers[0].rcode() != 0 && answers[1].rcode() != 0) {
                return null;
            }
            List<InetAddress> all = new ArrayList<>(answers[0].addresses());
            all.addAll(answers[1].addresses());
            if (all.isEmpty()) {
                throw new UnknownHostException(name + ": no A or AAAA records (from " + server + ")");
            }
            return List.copyOf(all);
        }
    }

    @Override
    public String toString() {
        return "DnsResolver" + servers + "[timeout " + timeout + ", attempts " + attempts + ", " + hosts.size() + " hosts entries]";
    }
}
