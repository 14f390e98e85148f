package io.weft.net;

import io.weft.internal.backend.SocketHandle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The socket file a bound Unix socket created, remembered by identity (device and inode)
 * so that closing the socket removes that file and never one that replaced it since
 * (another process that unlinked the path and bound it again).
 */
record SocketFile(Path path, Object fileKey) {

    /** The file at {@code address}'s path, or null for an abstract or unnamed address. */
    static SocketFile of(UnixAddress address) throws IOException {
        if (address.path().isEmpty()) {
            return null;
        }
        Path p = address.path().get();
        return new SocketFile(p, Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
    }

    /**
     * Closes {@code socket}, then removes {@code file} (null: none) if it is still the one
     * bound; nothing happens if the socket was closed already.
     */
    static void close(SocketHandle socket, SocketFile file) throws IOException {
        if (socket.isClosed()) {
            return;
        }
        try {
            socket.close();
        } finally {
            if (file != null) {
                file.remove();
            }
        }
    }

    /** Removes the file if it is still the one bound. */
    void remove() throws IOException {
        try {
            Object now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (fileKey != null && fileKey.equals(now)) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException gone) {
            // removed by someone else already: nothing to clean up
        }
    }
}
