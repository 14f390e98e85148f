package io.weft.cli.soak;

import org.junit.jupiter.api.Test;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CensusTest {

    @Test
    void aDescriptorLeftOpenIsNamedAndOneClosedInTimeIsNot() throws Exception {
        Path file = Files.createTempFile("census", ".tmp");
        try {
            AtomicInteger tasks = new AtomicInteger(3);
            Census base = Census.take(tasks::get);
            try (FileChannel open = FileChannel.open(file)) {
                assertTrue(open.isOpen());
                Duration limit = Duration.ofMillis(200);
                Census.Settled leaked = Census.settle(tasks::get, base, limit);
                String diff = leaked.difference(base, limit);
                assertEquals(base.fds() + 1, leaked.census().fds());
                assertTrue(diff != null && diff.contains(file.toString()), diff);
            }
            tasks.set(4);
            Census.Settled taskLeft = Census.settle(tasks::get, base, Duration.ofMillis(200));
            String diff = taskLeft.difference(base, Duration.ofMillis(200));
            assertTrue(diff != null && diff.contains("4 live tasks (baseline 3)"), diff);
            tasks.set(3);
            Census.Settled settled = Census.settle(tasks::get, base, Duration.ofSeconds(5));
            assertNull(settled.difference(base, Duration.ofSeconds(5)));
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
