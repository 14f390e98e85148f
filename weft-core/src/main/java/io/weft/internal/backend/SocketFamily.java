package io.weft.internal.backend;

/**
 * The address family of a socket that {@link BackendProvider#openSocket} opens or
 * {@link BackendProvider#adoptSocket} takes over. The backend maps it to its own numbers,
 * so the public socket types need none.
 */
public enum SocketFamily {
    /** IPv4. */
    INET,
    /** IPv6, dual-stack. */
    INET6,
    /** Unix-domain, by path or abstract name. */
    UNIX,
    /** AF_VSOCK: a host and its virtual-machine guests. */
    VSOCK
}
