package io.weft.net;

import io.weft.internal.backend.UnixName;

import java.io.Serial;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The address of a Unix-domain socket: a filesystem path, a name in Linux's abstract
 * namespace (no file; gone when the last socket bound to it closes), or unnamed (a socket
 * from {@link UnixStream#pair()} or one never bound).
 *
 * <pre>{@code
 * UnixAddress file = UnixAddress.of(Path.of("/run/myapp.sock"));
 * UnixAddress name = UnixAddress.ofAbstract("myapp-control");   // shown as "@myapp-control"
 * }</pre>
 *
 * <p>The JDK's {@link java.net.UnixDomainSocketAddress} has no abstract names, hence this
 * type. Immutable; equal when family and name bytes are equal.
 */
public final class UnixAddress extends SocketAddress {

    @Serial
    private static final long serialVersionUID = 1L;

    private static final UnixAddress UNNAMED = new UnixAddress(null, false);

    /** The name's bytes (a path in the platform's file-name encoding, UTF-8), or null if unnamed. */
    private final byte[] name;
    private final boolean abstractName;

    private UnixAddress(byte[] name, boolean abstractName) {
        this.name = name;
        this.abstractName = abstractName;
    }

    /**
     * A filesystem path.
     *
     * @throws IllegalArgumentException if the path is longer than the 107 bytes sun_path holds
     */
    public static UnixAddress of(Path path) {
        byte[] b = path.toString().getBytes(StandardCharsets.UTF_8);
        UnixName.check(b, false); // validates length and NULs
        return new UnixAddress(b, false);
    }

    /** A name in the abstract namespace (UTF-8, at most 107 bytes). */
    public static UnixAddress ofAbstract(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        UnixName.check(b, true);
        return new UnixAddress(b, true);
    }

    /** The address of an unnamed socket. */
    public static UnixAddress unnamed() {
        return UNNAMED;
    }

    /** The path, if this is a filesystem address. */
    public Optional<Path> path() {
        return name == null || abstractName ? Optional.empty() : Optional.of(Path.of(new String(name, StandardCharsets.UTF_8)));
    }

    public boolean isAbstract() {
        return abstractName;
    }

    public boolean isUnnamed() {
        return name == null;
    }

    /** The abstract name or path as text, or "" if unnamed. */
    public String name() {
        return name == null ? "" : new String(name, StandardCharsets.UTF_8);
    }

    /** The name a socket handle binds, connects or sends to. */
    UnixName toName() {
        if (name == null) {
            throw new IllegalArgumentException("an unnamed Unix address cannot be bound or connected to");
        }
        return new UnixName(name, abstractName);
    }

    /** The address a socket handle reported (getsockname, getpeername, recvmsg's msg_name); unnamed if none. */
    static UnixAddress fromName(SocketAddress reported) {
        if (!(reported instanceof UnixName u) || u.isUnnamed()) {
            return UNNAMED;
        }
        return new UnixAddress(u.bytes(), u.isAbstract());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixAddress u && abstractName == u.abstractName && Arrays.equals(name, u.name);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(name) * 31 + (abstractName ? 1 : 0);
    }

    /** The path, {@code @name} for an abstract name, or {@code (unnamed)}. */
    @Override
    public String toString() {
        return name == null ? "(unnamed)" : (abstractName ? "@" : "") + name();
    }
}
