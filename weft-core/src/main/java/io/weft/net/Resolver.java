package io.weft.net;

import io.weft.Deadline;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * Turns host names into addresses without blocking an event loop, with a deadline and
 * cancellation like every other Weft wait.
 *
 * <pre>{@code
 * List<InetAddress> ips = Resolver.system().resolve("example.com", Duration.ofSeconds(2));
 *
 * Resolver dns = DnsResolver.fromSystemConfig();            // /etc/hosts, then /etc/resolv.conf's servers
 * InetAddress ip = dns.resolve("db.internal", Deadline.after(Duration.ofMillis(500))).getFirst();
 * }</pre>
 *
 * <p>{@link #system()} asks the JDK ({@code InetAddress.getAllByName}, so nsswitch, the
 * JDK's cache and any installed {@code InetAddressResolverProvider} apply) on the blocking
 * pool. {@link DnsResolver} reads the hosts file and queries the name servers over UDP
 * itself, on the loop, so a lookup costs no thread at all.
 *
 * <p>Failures: {@link java.net.UnknownHostException} when the name does not exist,
 * {@link java.net.SocketTimeoutException} when the deadline passes, and
 * {@link java.util.concurrent.CancellationException} when the task is cancelled.
 */
public interface Resolver {

    /**
     * The addresses of {@code host} (an IP literal resolves to itself), IPv4 ones first,
     * waiting until {@code deadline}. Never empty.
     */
    List<InetAddress> resolve(String host, Deadline deadline) throws IOException;

    /** Like {@link #resolve(String, Deadline)}, waiting at most {@code timeout}. */
    default List<InetAddress> resolve(String host, Duration timeout) throws IOException {
        return resolve(host, Deadline.after(timeout));
    }

    /** The JDK's resolver on the blocking pool. */
    static Resolver system() {
        return SystemResolver.INSTANCE;
    }
}
