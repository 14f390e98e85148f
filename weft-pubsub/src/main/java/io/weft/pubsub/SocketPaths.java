package io.weft.pubsub;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** The per-user default socket path, and the process's own uid. */
final class SocketPaths {

    private SocketPaths() {
    }

    static int ownUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    /**
     * $XDG_RUNTIME_DIR/weft-pubsub if that directory exists; else
     * /tmp/weft-pubsub-UID/socket, the directory made with mode 0700 if missing, and
     * refused if another user owns it or others may enter it (they could replace the socket).
     */
    static Path defaultSocket() throws IOException {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg))) {
            return Path.of(xdg, "weft-pubsub");
        }
        int uid = ownUid();
        Path dir = Path.of("/tmp", "weft-pubsub-" + uid);
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // checked below
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || owner != uid || !perms.equals(PosixFilePermissions.fromString("rwx------"))) {
            throw new PubSubException(dir + " must be a directory owned by uid " + uid + " with mode 0700 (it is owned by uid " + owner + ", mode "
                    + PosixFilePermissions.toString(perms) + "); remove it, or set XDG_RUNTIME_DIR, or pass a socket path");
        }
        return dir.resolve("socket");
    }
}
