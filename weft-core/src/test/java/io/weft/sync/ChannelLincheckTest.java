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

import java.util.ArrayDeque;

/**
 * Linearizability of {@link Channel}'s non-blocking operations and close, checked by
 * Lincheck against {@link Model}, a plain bounded queue: model checking explores thread
 * interleavings at every shared-memory access and lock; stress runs them for real.
 * Blocking operations are covered by {@link ChannelHistoryCheckTest}.
 */
@Tag("mode-independent")
@Param(name = "value", gen = IntGen.class, conf = "1:5")
public class ChannelLincheckTest {

    static final int CAPACITY = 2;

    /**
     * Kept small: Lincheck instruments every class the operations touch, and these machines
     * have two shared cores. Raise with -Dweft.lincheck.iterations for a longer local run.
     */
    static final int ITERATIONS = Integer.getInteger("weft.lincheck.iterations", 8);
    static final int MODEL_INVOCATIONS = 40;
    static final int STRESS_INVOCATIONS = 1_000;

    private final Channel<Integer> ch = Channel.bounded(CAPACITY);

    public ChannelLincheckTest() {
    }

    @Operation
    public String trySend(@Param(name = "value") int v) {
        try {
            return ch.trySend(v) ? "sent" : "full";
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    @Operation
    public String tryReceive() {
        try {
            Integer v = ch.tryReceive();
            return v == null ? "empty" : "got " + v;
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    @Operation
    public boolean close() {
        return ch.close();
    }

    @Operation
    public int size() {
        return ch.size();
    }

    @Test
    void modelChecking() {
        LinChecker.check(ChannelLincheckTest.class, new ModelCheckingOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(MODEL_INVOCATIONS)
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(Model.class));
    }

    @Test
    void stress() {
        LinChecker.check(ChannelLincheckTest.class, new StressOptions()
                .iterations(ITERATIONS * 2)
                .invocationsPerIteration(STRESS_INVOCATIONS)
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(Model.class));
    }

    /** The sequential specification: a FIFO queue of at most CAPACITY values that can be closed. */
    public static final class Model extends VerifierState {
        private final ArrayDeque<Integer> q = new ArrayDeque<>();
        private boolean closed;

        public Model() {
        }

        public String trySend(int v) {
            if (closed) {
                return "closed";
            }
            if (q.size() == CAPACITY) {
                return "full";
            }
            q.add(v);
            return "sent";
        }

        public String tryReceive() {
            if (!q.isEmpty()) {
                return "got " + q.poll();
            }
            return closed ? "closed" : "empty";
        }

        public boolean close() {
            boolean was = closed;
            closed = true;
            return !was;
        }

        public int size() {
            return q.size();
        }

        @Override
        protected Object extractState() {
            return q.toString() + closed;
        }
    }
}
