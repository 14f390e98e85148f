package io.weft;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where {@link Weft#spawn} puts a task: on the spawning task's loop, or round-robin from outside. */
@Timeout(60)
class SpawnPlacementTest {

    @Test
    void spawnFromATaskStartsOnTheCallersLoop() throws Exception {
        try (Runtime rt = TestSupport.runtime().build()) {
            Assumptions.assumeTrue(rt.schedulerMode() == SchedulerMode.LOOPS,
                    "with tasks on the JDK's scheduler a task runs on no loop, so spawn goes round-robin");
            for (int parentLoop = 0; parentLoop < rt.loopCount(); parentLoop++) {
                int other = (parentLoop + 1) % rt.loopCount();
                // Keep the other loop busy so it cannot take the child before the child reports.
                AtomicBoolean release = new AtomicBoolean();
                Task<Void> busy = rt.spawnOn(other, () -> {
                    while (!release.get()) {
                        Thread.onSpinWait();
                    }
                });
                try {
                    int expected = parentLoop;
                    // several children: round-robin placement would put some on the other loop
                    Set<Integer> childLoops = rt.spawnOn(parentLoop, () -> {
                        Set<Integer> where = new HashSet<>();
                        for (int c = 0; c < 3; c++) {
                            where.add(Weft.spawn(() -> Task.current().loopIndex()).join());
                        }
                        return where;
                    }).join();
                    assertEquals(Set.of(expected), childLoops, "loops of tasks spawned from loop " + expected);
                } finally {
                    release.set(true);
                    busy.join();
                }
            }
        }
    }

    @Test
    void spawnFromOutsideSpreadsOverTheLoops() throws Exception {
        try (Runtime rt = TestSupport.runtime().build()) {
            Set<Integer> loops = new HashSet<>();
            for (int i = 0; i < 2 * rt.loopCount(); i++) {
                loops.add(rt.spawn(() -> 0).loopIndex());
            }
            assertEquals(rt.loopCount(), loops.size(), "loops used by " + 2 * rt.loopCount() + " spawns: " + loops);
        }
    }
}
