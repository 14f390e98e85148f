package io.weft.sync;

import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.jetbrains.kotlinx.lincheck.verifier.VerifierState;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of {@link Semaphore}'s non-blocking acquire, release and count, checked
 * by Lincheck against {@link Model}, a plain counter.
 */
@Tag("mode-independent")
@Param(name = "n", gen = IntGen.class, conf = "1:2")
public class SemaphoreLincheckTest {

    private final Semaphore s = new Semaphore(1);

    /**
     * Kept small: Lincheck instruments every class the operations touch, and these machines
     * have two shared cores. Raise with -Dweft.lincheck.iterations for a longer local run.
     */
    static final int ITERATIONS = Integer.getInteger("weft.lincheck.iterations", 8);
    static final int MODEL_INVOCATIONS = 40;
    static final int STRESS_INVOCATIONS = 1_000;

    public SemaphoreLincheckTest() {
    }

    @Operation
    public boolean tryAcquire(@Param(name = "n") int n) {
        return s.tryAcquire(n);
    }

    @Operation
    public void release(@Param(name = "n") int n) {
        s.release(n);
    }

    @Operation
    public long availablePermits() {
        return s.availablePermits();
    }

    @Test
    void modelChecking() {
        LinChecker.check(SemaphoreLincheckTest.class, new ModelCheckingOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(MODEL_INVOCATIONS)
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(Model.class));
    }

    @Test
    void stress() {
        LinChecker.check(SemaphoreLincheckTest.class, new StressOptions()
                .iterations(ITERATIONS * 2)
                .invocationsPerIteration(STRESS_INVOCATIONS)
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(Model.class));
    }

    /** The sequential specification: a count of permits. */
    public static final class Model extends VerifierState {
        private long permits = 1;

        public Model() {
        }

        public boolean tryAcquire(int n) {
            if (permits >= n) {
                permits -= n;
                return true;
            }
            return false;
        }

        public void release(int n) {
            permits += n;
        }

        public long availablePermits() {
            return permits;
        }

        @Override
        protected Object extractState() {
            return permits;
        }
    }
}
