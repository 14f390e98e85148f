package io.weft.pubsub;

import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** SO_PEERCRED: a client of another uid is refused unless its group is the one the server allows. */
class PeerCredentialsTest {

    private static final List<String> AS_NOBODY = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    @TempDir
    Path dir;

    /** The class directories a JVM of another user needs (it cannot read the Maven repository). */
    private static String classPath() {
        return String.join(File.pathSeparator, Path.of("target/classes").toAbsolutePath().toString(),
                Path.of("target/test-classes").toAbsolutePath().toString(),
                Path.of("../weft-ipc/target/classes").toAbsolutePath().normalize().toString(),
                Path.of("../weft-core/target/classes").toAbsolutePath().normalize().toString());
    }

    private void assumeNobodyCanRunHere() throws Exception {
        assumeTrue(SocketPaths.ownUid() == 0, "needs root, to start a client as another user");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv(1), to start a client as another user");
        ChildJvm probe = ChildJvm.launch(AS_NOBODY, classPath(), Map.of(), PubSubPeer.class, dir.toString(), "probe");
        boolean ok;
        try {
            probe.expect("READY");
            ok = probe.process.waitFor(60, TimeUnit.SECONDS) && probe.process.exitValue() == 0;
        } catch (java.io.IOException e) {
            ok = false;
        } finally {
            probe.close();
        }
        assumeTrue(ok, "uid 65534 cannot start a JVM on this checkout's classes (they, their parent directories and the JDK must be readable by others)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    private String connectAsNobody(Path socket) throws Exception {
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (ChildJvm stranger = ChildJvm.launch(AS_NOBODY, classPath(), Map.of(), PubSubPeer.class, socket.toString(), "connect")) {
            stranger.expect("READY");
            return io.weft.Blocking.call(() -> {
                try {
                    return stranger.expect("ACCEPTED");
                } catch (java.io.IOException e) {
                    return null;
                }
            });
        }
    }

    @Test
    void anotherUidIsRefusedAndAnAllowedGroupIsAccepted() throws Exception {
        assumeNobodyCanRunHere();
        Path socket = dir.resolve("s");
        Weft.run(() -> {
            try (PubSubServer server = PubSubServer.bind(socket)) {
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
                try (ChildJvm stranger = ChildJvm.launch(AS_NOBODY, classPath(), Map.of(), PubSubPeer.class, socket.toString(), "connect")) {
                    stranger.expect("READY");
                    String line = io.weft.Blocking.call(() -> stranger.expect("REFUSED"));
                    assertTrue(line.contains("runs as uid 65534 gid 65534; this server accepts uid 0 only"), line);
                }
            }
            try (PubSubServer server = PubSubServer.bind(socket, 65534)) {
                assertEquals("ACCEPTED", connectAsNobody(socket));
            }
        });
    }
}
