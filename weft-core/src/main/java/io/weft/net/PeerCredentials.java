package io.weft.net;

/**
 * Who is at the other end of a Unix-domain socket, as the kernel recorded it when the
 * connection was made (SO_PEERCRED): the peer's process id, user id and group id. A
 * server uses it to check that a client runs as an allowed user.
 *
 * <pre>{@code
 * PeerCredentials who = stream.peerCredentials();
 * if (who.uid() != expectedUid) throw new SecurityException("uid " + who.uid() + " may not connect");
 * }</pre>
 *
 * @param pid the peer's process id at connect time (in this process's pid namespace; 0 if
 *            the peer is in a namespace that cannot be mapped)
 * @param uid the peer's effective user id
 * @param gid the peer's effective group id
 */
public record PeerCredentials(int pid, int uid, int gid) {
}
