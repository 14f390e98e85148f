package io.weft.ipc;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.weft.ipc.RingLayout.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A ring's memory is reserved when it is made, so a full tmpfs fails there with a clear message. */
@Tag("mode-independent") // no tasks: runs once
@Timeout(60)
class RingReserveTest {

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @Test
    void aRingLargerThanTheFreeSpaceFailsAtCreationNamingSizeAndMount() throws Exception {
        Path mount = Files.createTempDirectory("weft-small-tmpfs");
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()) == 0,
                "mounting a 1 MiB tmpfs needs root (CAP_SYS_ADMIN); not available here");
        try {
            Path ring = mount.resolve("big-ring");
            int capacity = 4 << 20;
            IOException e = assertThrows(IOException.class, () -> OneToOneRing.create(ring, capacity).close(),
                    "a 4 MiB ring on a 1 MiB tmpfs is refused when it is made");
            String m = e.getMessage();
            assertTrue(m.contains(String.valueOf(HEADER_LENGTH + (long) capacity)) && m.contains(mount.toString()) && m.contains("ENOSPC"), m);
            assertFalse(Files.exists(ring), "nothing is left behind");

            Path small = mount.resolve("small-ring");
            try (OneToOneRing r = OneToOneRing.create(small, 256 * 1024)) {
                r.buffer().set(ValueLayout.JAVA_BYTE, r.capacity() - 1, (byte) 1); // reserved, so the last page is there
                assertEquals(1, r.buffer().get(ValueLayout.JAVA_BYTE, r.capacity() - 1));
            }
        } finally {
            run("umount", mount.toString());
            Files.deleteIfExists(mount);
        }
    }
}
