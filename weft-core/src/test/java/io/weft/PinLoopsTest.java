package io.weft;

import io.weft.internal.linux.Affinity;
import io.weft.internal.loop.EventLoop;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Runtime.builder().pinLoops(...)}: each loop's thread runs on its CPU, as the
 * kernel reports it (sched_getaffinity, and the CPU it last ran on in
 * /proc/thread-self/stat); by default loops are not pinned.
 */
@Tag("mode-independent") // reads the loop threads themselves, not tasks
@Timeout(60)
class PinLoopsTest {

    /** What the loop's own thread sees: its allowed CPUs, and the CPU it runs on now. */
    private record Seen(BitSet allowed, int processor) {
    }

    private static Seen onLoopThread(EventLoop loop) throws Exception {
        CompletableFuture<Seen> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(new Seen(Affinity.currentThreadCpus(), processor()));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    /** Field 39 of /proc/thread-self/stat: the CPU the thread last ran on. */
    private static int processor() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        // the command name (field 2) may hold spaces: count fields after its closing ')'
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Integer.parseInt(f[39 - 3]);
    }

    private static int[] allowedCpus() throws Exception {
        return Affinity.currentThreadCpus().stream().toArray();
    }

    @Test
    void pinnedLoopsRunOnTheirCpus() throws Exception {
        int[] cpus = allowedCpus();
        Assumptions.assumeTrue(cpus.length >= 2, "needs two CPUs this process may use; has " + cpus.length);
        // reversed, so a loop that merely kept its default would not pass
        int[] wanted = {cpus[1], cpus[0]};
        try (Runtime rt = TestSupport.runtime().loops(2).pinLoops(wanted).build()) {
            for (int i = 0; i < 2; i++) {
                Seen seen = onLoopThread(rt.loop(i));
                BitSet only = new BitSet();
                only.set(wanted[i]);
                assertEquals(only, seen.allowed(), "loop " + i + "'s affinity");
                assertEquals(wanted[i], seen.processor(), "the CPU loop " + i + " runs on");
                assertEquals(wanted[i], rt.loop(i).cpu());
            }
        }
    }

    @Test
    void pinLoopsWithoutCpusTakesTheAllowedOnesInOrder() throws Exception {
        int[] cpus = allowedCpus();
        try (Runtime rt = TestSupport.runtime().loops(2).pinLoops().build()) {
            for (int i = 0; i < 2; i++) {
                int want = cpus[i % cpus.length];
                assertEquals(want, onLoopThread(rt.loop(i)).processor(), "the CPU loop " + i + " runs on");
                assertEquals(1, onLoopThread(rt.loop(i)).allowed().cardinality(), "loop " + i + " may run on one CPU only");
            }
        }
    }

    @Test
    void loopsAreNotPinnedByDefault() throws Exception {
        BitSet mine = Affinity.currentThreadCpus();
        try (Runtime rt = TestSupport.runtime().loops(1).build()) {
            assertEquals(-1, rt.loop(0).cpu());
            assertEquals(mine, onLoopThread(rt.loop(0)).allowed(), "an unpinned loop keeps the process's CPUs");
        }
    }

    @Test
    void aCpuTheKernelRefusesFailsTheBuildNamingIt() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> TestSupport.runtime().loops(1).pinLoops(100_000).build());
        assertTrue(String.valueOf(e.getCause().getMessage()).contains("CPU 100000"), e.getCause().getMessage());
    }

    @Test
    void tooFewCpusForTheLoopsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TestSupport.runtime().loops(2).pinLoops(0).build());
        assertThrows(IllegalArgumentException.class, () -> Runtime.builder().pinLoops(-1));
    }
}
