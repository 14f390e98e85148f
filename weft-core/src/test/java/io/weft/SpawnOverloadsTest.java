package io.weft;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.weft.TestSupport.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Every spawn method of Weft, Scope and Runtime takes both a body that returns a value
 * (Callable) and one that returns nothing (ThrowingRunnable). This class does not compile
 * if one of them lacks either form; running it checks that each form runs its body.
 */
@Timeout(60)
class SpawnOverloadsTest {

    private static final Duration NAP = Duration.ofMillis(1);

    @Test
    void everySpawnTakesAVoidBodyAndAValueBody() throws Exception {
        try (Runtime rt = runtime().loops(2).build()) {
            List<Task<Void>> voids = new ArrayList<>();
            List<Task<Integer>> values = new ArrayList<>();
            voids.add(rt.spawn(() -> Weft.sleep(NAP)));
            values.add(rt.spawn(() -> 1));
            voids.add(rt.spawnOn(1, () -> Weft.sleep(NAP)));
            values.add(rt.spawnOn(1, () -> 2));
            Task<Void> main = rt.spawn(() -> {
                List<Task<Void>> inner = new ArrayList<>();
                List<Task<Integer>> innerValues = new ArrayList<>();
                inner.add(Weft.spawn(() -> Weft.sleep(NAP)));
                innerValues.add(Weft.spawn(() -> 3));
                inner.add(Weft.spawnLocal(() -> Weft.sleep(NAP)));
                innerValues.add(Weft.spawnLocal(() -> 4));
                try (Scope scope = Scope.open()) {
                    inner.add(scope.spawn(() -> Weft.sleep(NAP)));
                    innerValues.add(scope.spawn(() -> 5));
                    inner.add(scope.spawnLocal(() -> Weft.sleep(NAP)));
                    innerValues.add(scope.spawnLocal(() -> 6));
                    scope.join();
                }
                for (Task<Void> t : inner) {
                    assertNull(t.join(Duration.ofSeconds(10)));
                }
                int sum = 0;
                for (Task<Integer> t : innerValues) {
                    sum += t.join(Duration.ofSeconds(10));
                }
                assertEquals(3 + 4 + 5 + 6, sum);
            });
            main.join(Duration.ofSeconds(30));
            for (Task<Void> t : voids) {
                assertNull(t.join(Duration.ofSeconds(10)));
            }
            assertEquals(3, values.get(0).join(Duration.ofSeconds(10)) + values.get(1).join(Duration.ofSeconds(10)));
        }
    }
}
