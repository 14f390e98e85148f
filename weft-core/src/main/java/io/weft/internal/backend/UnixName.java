package io.weft.internal.backend;

import io.weft.internal.linux.SockAddr;

import java.io.Serial;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Unix-domain socket's name as plain values, the form in which the public socket types
 * hand names to a {@link SocketHandle} and get them back: a filesystem path, a name in
 * Linux's abstract namespace, or none (an unnamed socket). The backend turns it into its
 * kernel form ({@link SocketNames}). Immutable.
 */
public final class UnixName extends SocketAddress {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The name of an unnamed socket (one from socketpair(2), or never bound). */
    public static final UnixName UNNAMED = new UnixName();

    /** The name's bytes (a path in UTF-8, or the abstract name), or null if unnamed. */
    private final byte[] name;
    private final boolean abstractName;

    private UnixName() {
        this.name = null;
        this.abstractName = false;
    }

    /**
     * @param name         a path's bytes, or with {@code abstractName} the abstract name's; copied
     * @throws IllegalArgumentException if the name does not fit sun_path, or a path is empty or holds a NUL
     */
    public UnixName(byte[] name, boolean abstractName) {
        check(name, abstractName);
        this.name = name.clone();
        this.abstractName = abstractName;
    }

    private UnixName(boolean abstractName, byte[] reported) {
        this.name = reported;
        this.abstractName = abstractName;
    }

    /** A name the kernel reported, taken as it is (a path that fills sun_path has no NUL, which a check would ask for). */
    static UnixName reported(byte[] name, boolean abstractName) {
        return new UnixName(abstractName, name);
    }

    /**
     * Checks that {@code name} can be bound or connected to.
     *
     * @throws IllegalArgumentException if it does not fit sun_path, or a path is empty or holds a NUL
     */
    public static void check(byte[] name, boolean abstractName) {
        SockAddr.unix(name, abstractName);
    }

    /** A copy of the name's bytes, or null if unnamed. */
    public byte[] bytes() {
        return name == null ? null : name.clone();
    }

    public boolean isAbstract() {
        return abstractName;
    }

    public boolean isUnnamed() {
        return name == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixName u && abstractName == u.abstractName && Arrays.equals(name, u.name);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(name) * 31 + (abstractName ? 1 : 0);
    }

    /** {@code unix:PATH}, {@code unix:@NAME} or {@code unix:(unnamed)}. */
    @Override
    public String toString() {
        return name == null ? "unix:(unnamed)" : "unix:" + (abstractName ? "@" : "") + new String(name, StandardCharsets.UTF_8);
    }
}
