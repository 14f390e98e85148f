package io.weft.ipc;

import io.weft.Deadline;
import io.weft.net.UnixAddress;
import io.weft.net.UnixListener;
import io.weft.net.UnixStream;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Binding a server's Unix socket at a fixed path when a server that died may have left its
 * socket file there.
 */
/*
 * Overview
 *
 * bind fails with EADDRINUSE while the file exists; a connect to it tells a live server
 * (accepted, and kept open for a second) from a dead one's leftover (ECONNREFUSED, or a
 * connection reset when the listener of a just-killed process goes), and only the leftover
 * is removed. Two servers replacing the same stale file at the same moment can still race
 * (check, then unlink); one of them then fails to bind or binds over the other's file,
 * exactly as two servers started by hand at one path would.
 */
public final class StaleSockets {

    /** How long a connect to an existing socket file may take to tell a live server from a stale file. */
    private static final Duration STALE_PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** How long a probe connection is watched for the end of a listener that is going away. */
    private static final Duration LISTENER_GONE_WAIT = Duration.ofSeconds(1);
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private StaleSockets() {
    }

    /**
     * Listens at {@code socket}. A socket file already there is replaced if no server
     * accepts connections on it; if one does, this fails with a {@link BindException} that
     * says so. The replacement is logged (a warning) to {@code log}, the server's own
     * logger, with {@code who} naming the server. From a Weft task.
     */
    public static UnixListener bind(Path socket, System.Logger log, String who) throws IOException {
        try {
            return UnixListener.bind(socket);
        } catch (BindException e) {
            if (!isSocketFile(socket)) {
                throw e;
            }
            try (UnixStream probe = UnixStream.connect(UnixAddress.of(socket), Deadline.after(STALE_PROBE_TIMEOUT))) {
                if (!listenerGoes(probe)) {
                    BindException live = new BindException(socket + " is already in use: a server (pid "
                            + probe.peerCredentials().pid() + ") accepts connections there; stop it or pick another path");
                    live.initCause(e);
                    throw live;
                }
                // the listener closed under the probe: its process has just died
            } catch (ConnectException refused) {
                // nobody listens: the file is a dead server's leftover
            } catch (BindException live) {
                throw live;
            } catch (IOException other) {
                BindException unsure = new BindException(socket + " is already in use: a connection to it did not get a clear refusal ("
                        + other.getMessage() + "), so it may belong to a live server");
                unsure.initCause(e);
                throw unsure;
            }
            Files.deleteIfExists(socket);
            log.log(System.Logger.Level.WARNING, who + ": replaced the stale socket file " + socket
                    + " (a connection to it was refused: its server is gone)");
            return UnixListener.bind(socket);
        }
    }

    /**
     * True if the connection {@code probe} made ends by itself within LISTENER_GONE_WAIT.
     * A live server keeps it open, waiting for a hello; a listener whose process was just
     * killed can still take connections for a moment (an io_uring instance drops its files
     * after the process is gone), and closing it resets them.
     */
    private static boolean listenerGoes(UnixStream probe) {
        try {
            return probe.read(ByteBuffer.allocate(1), Deadline.after(LISTENER_GONE_WAIT)) < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset: the same end, told harder
        }
    }

    private static boolean isSocketFile(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
