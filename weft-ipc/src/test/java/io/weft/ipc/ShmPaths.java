package io.weft.ipc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Fresh ring file names for tests: in /dev/shm when it exists, else the temp directory. */
final class ShmPaths {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private ShmPaths() {
    }

    static Path fresh(String name) {
        Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve("weft-test-" + name + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet());
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the file lives in tmpfs and names are unique per run
        }
    }
}
