package io.weft.net;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one receive on a Unix socket returned: the bytes (in the caller's buffer), the
 * descriptors that came with them, and for a datagram socket the sender.
 *
 * <pre>{@code
 * try (UnixMessage m = stream.receive(buf, 2)) {       // up to 2 descriptors
 *     if (m.discardedFds() > 0) log("peer sent " + m.discardedFds() + " more than asked; closed");
 *     OwnedFd shm = m.takeFd(0);                        // ours now; the rest close with m
 * }
 * }</pre>
 *
 * <p>Descriptors beyond the number the receiver asked for are closed on arrival and
 * counted in {@link #discardedFds()}. Closing the message closes every descriptor not taken
 * with {@link #takeFd}, so none leaks. Confined to the receiving task.
 */
public final class UnixMessage implements AutoCloseable {

    private final int length;
    private final int datagramLength;
    private final List<OwnedFd> fds;
    private final boolean[] taken;
    private final int discardedFds;
    private final UnixAddress sender;

    UnixMessage(int length, int datagramLength, List<OwnedFd> fds, int discardedFds, UnixAddress sender) {
        this.length = length;
        this.datagramLength = datagramLength;
        this.fds = Collections.unmodifiableList(new ArrayList<>(fds));
        this.taken = new boolean[fds.size()];
        this.discardedFds = discardedFds;
        this.sender = sender;
    }

    /** The bytes received into the buffer; -1 at end of stream (stream sockets only). */
    public int length() {
        return length;
    }

    /**
     * True if the datagram was longer than the buffer and its tail was lost (MSG_TRUNC);
     * {@link #datagramLength()} is then the full length. Always false on a stream.
     */
    public boolean truncated() {
        return datagramLength > length && length >= 0;
    }

    /** The datagram's full length as sent (equal to {@link #length()} unless truncated). */
    public int datagramLength() {
        return datagramLength;
    }

    /** The descriptors received, in the order sent; still owned by this message until taken. */
    public List<OwnedFd> fds() {
        return fds;
    }

    /** Takes descriptor {@code i}: the caller now owns it, and closing this message leaves it open. */
    public OwnedFd takeFd(int i) {
        taken[i] = true;
        return fds.get(i);
    }

    /** Descriptors that arrived beyond the number asked for; they were closed on arrival. */
    public int discardedFds() {
        return discardedFds;
    }

    /** The sender of a datagram ({@link UnixAddress#unnamed()} if it is unbound, or on a stream). */
    public UnixAddress sender() {
        return sender;
    }

    /** Closes every descriptor not taken. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (int i = 0; i < fds.size(); i++) {
            if (!taken[i]) {
                try {
                    fds.get(i).close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "UnixMessage[" + length + " bytes" + (truncated() ? " of " + datagramLength : "") + ", " + fds.size() + " fds"
                + (discardedFds > 0 ? ", " + discardedFds + " discarded" : "") + (sender.isUnnamed() ? "" : ", from " + sender) + "]";
    }
}
