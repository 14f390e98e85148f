package io.weft.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Map;
import java.util.Set;

/**
 * Socket options by their {@link StandardSocketOptions} names, mapped to
 * {@code setsockopt}/{@code getsockopt} levels and names, with the value rules the JDK's
 * own channels apply (so a program sees the same behaviour on every backend).
 *
 * <pre>
 * option          level / name                           value
 * --------------  -------------------------------------  ------------------------------
 * SO_REUSEADDR    SOL_SOCKET / SO_REUSEADDR               boolean as int
 * SO_REUSEPORT    SOL_SOCKET / SO_REUSEPORT               boolean as int
 * SO_KEEPALIVE    SOL_SOCKET / SO_KEEPALIVE               boolean as int
 * SO_RCVBUF       SOL_SOCKET / SO_RCVBUF                  int >= 0 (the kernel doubles it)
 * SO_SNDBUF       SOL_SOCKET / SO_SNDBUF                  int >= 0 (the kernel doubles it)
 * SO_LINGER       SOL_SOCKET / SO_LINGER                  struct linger; < 0 means off
 * TCP_NODELAY     IPPROTO_TCP / TCP_NODELAY               boolean as int
 * IP_TOS          IPPROTO_IP / IP_TOS, and on AF_INET6    int 0..255
 *                 also IPPROTO_IPV6 / IPV6_TCLASS
 * </pre>
 *
 * <p>Each call opens a small confined arena for its value and call-state slot: options are
 * set a few times per socket, never per byte.
 */
public final class SockOpts {
    private SockOpts() {
    }

    private enum Kind { BOOL, INT, LINGER }

    private record Native(int level, int name, Kind kind) {
    }

    private static final Map<SocketOption<?>, Native> NATIVE = Map.of(
            StandardSocketOptions.SO_REUSEADDR, new Native(Libc.SOL_SOCKET, Libc.SO_REUSEADDR, Kind.BOOL),
            StandardSocketOptions.SO_REUSEPORT, new Native(Libc.SOL_SOCKET, Libc.SO_REUSEPORT, Kind.BOOL),
            StandardSocketOptions.SO_KEEPALIVE, new Native(Libc.SOL_SOCKET, Libc.SO_KEEPALIVE, Kind.BOOL),
            StandardSocketOptions.SO_RCVBUF, new Native(Libc.SOL_SOCKET, Libc.SO_RCVBUF, Kind.INT),
            StandardSocketOptions.SO_SNDBUF, new Native(Libc.SOL_SOCKET, Libc.SO_SNDBUF, Kind.INT),
            StandardSocketOptions.SO_LINGER, new Native(Libc.SOL_SOCKET, Libc.SO_LINGER, Kind.LINGER),
            StandardSocketOptions.TCP_NODELAY, new Native(Libc.IPPROTO_TCP, Libc.TCP_NODELAY, Kind.BOOL),
            StandardSocketOptions.IP_TOS, new Native(Libc.IPPROTO_IP, Libc.IP_TOS, Kind.INT));

    /** The options of a connected or connecting TCP socket, as {@code SocketChannel} has them. */
    public static final Set<SocketOption<?>> STREAM = Set.copyOf(NATIVE.keySet());

    /** The options of a TCP listener, as {@code ServerSocketChannel} has them. */
    public static final Set<SocketOption<?>> LISTENER = Set.of(
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.IP_TOS);

    /** The options of a UDP socket, as {@code DatagramChannel} has them (multicast ones are the socket's own methods). */
    public static final Set<SocketOption<?>> DATAGRAM = Set.of(
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.IP_TOS);

    /** The options of a Unix-domain or vsock socket. */
    public static final Set<SocketOption<?>> LOCAL = Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF);

    /** IP_TOS on an AF_INET6 socket: the IPv6 traffic class. */
    private static final Native TCLASS = new Native(Libc.IPPROTO_IPV6, Libc.IPV6_TCLASS, Kind.INT);

    /**
     * Sets {@code option} on {@code fd}. The caller has checked that the socket supports it.
     *
     * @param inet6 true if the socket is AF_INET6
     * @throws IllegalArgumentException for a value the JDK would refuse
     * @throws IOException              if setsockopt fails
     */
    public static <T> void set(int fd, boolean inet6, SocketOption<T> option, T value) throws IOException {
        Native n = NATIVE.get(option);
        if (n == null) {
            throw new UnsupportedOperationException("'" + option + "' not supported");
        }
        if (!option.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "'");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            switch (n.kind) {
                case BOOL -> setInt(cs, arena, fd, n, (Boolean) value ? 1 : 0, option);
                case INT -> {
                    int v = (Integer) value;
                    if (option == StandardSocketOptions.IP_TOS) {
                        if (v < 0 || v > 255) {
                            throw new IllegalArgumentException("Invalid IP_TOS value");
                        }
                        if (inet6) {
                            setInt(cs, arena, fd, TCLASS, v, option);
                            // Also for IPv4 traffic on this dual-stack socket, as the JDK does;
                            // a kernel without it leaves IPv4-mapped traffic at the default.
                            Libc.setsockopt(cs, fd, n.level, n.name, intValue(arena, v), Integer.BYTES);
                            return;
                        }
                    } else if (v < 0) {
                        throw new IllegalArgumentException("Invalid send/receive buffer size");
                    }
                    setInt(cs, arena, fd, n, v, option);
                }
                case LINGER -> {
                    int v = (Integer) value;
                    MemorySegment linger = arena.allocate(ValueLayout.JAVA_INT, 2);
                    linger.setAtIndex(ValueLayout.JAVA_INT, 0, v < 0 ? 0 : 1);
                    linger.setAtIndex(ValueLayout.JAVA_INT, 1, v < 0 ? 0 : Math.min(v, 65535));
                    check(Libc.setsockopt(cs, fd, n.level, n.name, linger, (int) linger.byteSize()), "setsockopt", option);
                }
            }
        }
    }

    /**
     * Reads {@code option} from {@code fd}. The caller has checked that the socket supports it.
     */
    @SuppressWarnings("unchecked")
    public static <T> T get(int fd, boolean inet6, SocketOption<T> option) throws IOException {
        Native n = NATIVE.get(option);
        if (n == null) {
            throw new UnsupportedOperationException("'" + option + "' not supported");
        }
        if (option == StandardSocketOptions.IP_TOS && inet6) {
            n = TCLASS;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT, 2);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, (int) value.byteSize());
            check(Libc.getsockopt(cs, fd, n.level, n.name, value, len), "getsockopt", option);
            int first = value.getAtIndex(ValueLayout.JAVA_INT, 0);
            Object result = switch (n.kind) {
                case BOOL -> first != 0;
                case INT -> first;
                case LINGER -> first == 0 ? -1 : value.getAtIndex(ValueLayout.JAVA_INT, 1);
            };
            return (T) result;
        }
    }

    /** The pending error of {@code fd} (SO_ERROR), which reading clears: 0 or a positive errno. */
    public static int pendingError(MemorySegment cs, int fd, MemorySegment scratch8) {
        MemorySegment value = scratch8.asSlice(0, 4);
        MemorySegment len = scratch8.asSlice(4, 4);
        len.set(ValueLayout.JAVA_INT, 0, Integer.BYTES);
        int r = Libc.getsockopt(cs, fd, Libc.SOL_SOCKET, Libc.SO_ERROR, value, len);
        return r < 0 ? -r : value.get(ValueLayout.JAVA_INT, 0);
    }

    /** Sets an int-valued option that the JDK does not name (IPV6_V6ONLY, for one). */
    public static void setInt(int fd, int level, int name, int value) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            check(Libc.setsockopt(Libc.newCallState(arena), fd, level, name, intValue(arena, value), Integer.BYTES),
                    "setsockopt", "level " + level + " option " + name);
        }
    }

    private static void setInt(MemorySegment cs, Arena arena, int fd, Native n, int v, SocketOption<?> option) throws IOException {
        check(Libc.setsockopt(cs, fd, n.level, n.name, intValue(arena, v), Integer.BYTES), "setsockopt", option);
    }

    private static MemorySegment intValue(Arena arena, int v) {
        return arena.allocateFrom(ValueLayout.JAVA_INT, v);
    }

    private static void check(int r, String call, Object what) throws IOException {
        if (r < 0) {
            throw Errno.exception(r, call, what);
        }
    }
}
