package io.weft.sync;

import io.weft.internal.wait.Op;
import io.weft.internal.wait.Waits;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.jetbrains.kotlinx.lincheck.verifier.VerifierState;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Linearizability of the blocking operations of {@link Channel} (rendezvous and
 * unbounded), {@link Semaphore} and {@link Select}, checked by Lincheck.
 *
 * <p>Lincheck cannot park a thread inside an operation, so each blocking call is split at
 * its park, as the real code is: {@code *Begin} runs the first half (finish now, or queue
 * a waiter: {@link Channel#offerOrEnqueue}, {@link Channel#pollOrEnqueue},
 * {@link Semaphore#acquireOrEnqueue}, {@link Select#armChannels}) and returns "parked" if
 * it queued; {@code *End} is the moment its deadline passes: it asks the op to cancel, as
 * {@link Waits#await} does, waits until the op is done (by the cancel or by a hand-over
 * that won the race), and runs the second half ({@link Channel#finishReceive} and the
 * others), which reports what the wait got. So model checking explores every
 * interleaving of a waiter's hand-over ({@link Waiter#fire}) with its cancellation, of a
 * withdrawal with the next hand-over, and of several queued waiters (FIFO fairness). The
 * sequential specifications are plain FIFO queues of waiters: a hand-over goes to the
 * first waiter still queued, a cancelled wait took nothing, a sent value is received once.
 *
 * <p>Each party's Begin and End run on one thread ({@code nonParallelGroup}), one wait at
 * a time per party. The budget is small in CI; raise it with
 * {@code -Dweft.lincheck.iterations=N} (default 2; each iteration is one scenario, tried
 * in {@value #MODEL_INVOCATIONS} interleavings by model checking and
 * {@value #STRESS_INVOCATIONS} runs by stress). The count run is printed.
 */
@Tag("mode-independent")
@Timeout(value = 30, unit = TimeUnit.MINUTES) // the long mode; CI's short mode takes seconds
public class WaitLincheckTest {

    /** Scenarios per model: few in CI, where model checking costs seconds per scenario. */
    static final int ITERATIONS = Integer.getInteger("weft.lincheck.iterations", 2);
    static final int MODEL_INVOCATIONS = 30;
    static final int STRESS_INVOCATIONS = 500;

    public WaitLincheckTest() {
    }

    @Test
    void rendezvousChannel() {
        check(RendezvousOps.class, RendezvousSpec.class, 3);
    }

    @Test
    void unboundedChannel() {
        check(UnboundedOps.class, UnboundedSpec.class, 3);
    }

    @Test
    void semaphoreWithQueuedWaiters() {
        // Two threads: a waiter behind a withdrawn head is seen only if its End follows the
        // head's, which two threads (and the part after them) order far more often than three.
        check(SemaphoreOps.class, SemaphoreSpec.class, 2);
    }

    @Test
    void selectOverTwoChannels() {
        check(SelectOps.class, SelectSpec.class, 3);
    }

    private static void check(Class<?> ops, Class<?> spec, int threads) {
        long t0 = System.nanoTime();
        LinChecker.check(ops, new ModelCheckingOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(MODEL_INVOCATIONS)
                .threads(threads)
                .actorsPerThread(3)
                .sequentialSpecification(spec));
        long t1 = System.nanoTime();
        LinChecker.check(ops, new StressOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(STRESS_INVOCATIONS)
                .threads(threads)
                .actorsPerThread(3)
                .sequentialSpecification(spec));
        System.out.println(ops.getSimpleName() + ": " + ITERATIONS + " scenarios, " + ITERATIONS * MODEL_INVOCATIONS
                + " interleavings model-checked in " + (t1 - t0) / 1_000_000 + " ms, " + ITERATIONS * STRESS_INVOCATIONS
                + " stress runs in " + (System.nanoTime() - t1) / 1_000_000 + " ms");
    }

    /** What a party's deadline does to its wait: cancel, then wait for the op's final completion. */
    static void deadlinePasses(Op op) {
        op.requestCancel(Op.CANCEL_TIMEOUT);
        while (!op.isDone()) {
            Thread.onSpinWait(); // a hand-over claimed the op first and is publishing it
        }
    }

    // ---- channels -----------------------------------------------------------------------

    /**
     * Two receivers (r1, r2) and one sender (s) that wait, plus trySend and tryReceive from
     * anyone. The parties' waits in progress are kept in fields, each touched by its own
     * thread only.
     */
    @Param(name = "value", gen = IntGen.class, conf = "1:3")
    public abstract static class ChannelOps {
        final Channel<Integer> ch;
        private final Waiter[] receiving = new Waiter[2];
        private Waiter sending;

        ChannelOps(Channel<Integer> ch) {
            this.ch = ch;
        }

        String receiveBegin(int party) {
            if (receiving[party] != null) {
                return "busy";
            }
            Object v = ch.pollOrEnqueue();
            if (v instanceof Waiter w) {
                receiving[party] = w;
                return "parked";
            }
            return "got " + v;
        }

        String receiveEnd(int party) {
            Waiter w = receiving[party];
            if (w == null) {
                return "idle";
            }
            receiving[party] = null;
            deadlinePasses(w.op);
            try {
                return "got " + ch.finishReceive(w);
            } catch (RuntimeException cancelled) {
                return "cancelled";
            }
        }

        @Operation(nonParallelGroup = "r1")
        public String receiveBegin1() {
            return receiveBegin(0);
        }

        @Operation(nonParallelGroup = "r1")
        public String receiveEnd1() {
            return receiveEnd(0);
        }

        @Operation(nonParallelGroup = "r2")
        public String receiveBegin2() {
            return receiveBegin(1);
        }

        @Operation(nonParallelGroup = "r2")
        public String receiveEnd2() {
            return receiveEnd(1);
        }

        @Operation(nonParallelGroup = "s")
        public String sendBegin(@Param(name = "value") int v) {
            if (sending != null) {
                return "busy";
            }
            sending = ch.offerOrEnqueue(v);
            return sending == null ? "sent" : "parked";
        }

        @Operation(nonParallelGroup = "s")
        public String sendEnd() {
            Waiter w = sending;
            if (w == null) {
                return "idle";
            }
            sending = null;
            deadlinePasses(w.op);
            try {
                ch.finishSend(w);
                return "sent";
            } catch (RuntimeException cancelled) {
                return "cancelled";
            }
        }

        @Operation
        public boolean trySend(@Param(name = "value") int v) {
            return ch.trySend(v);
        }

        @Operation
        public Integer tryReceive() {
            return ch.tryReceive();
        }
    }

    @Param(name = "value", gen = IntGen.class, conf = "1:3")
    public static class RendezvousOps extends ChannelOps {
        public RendezvousOps() {
            super(Channel.rendezvous());
        }
    }

    @Param(name = "value", gen = IntGen.class, conf = "1:3")
    public static class UnboundedOps extends ChannelOps {
        public UnboundedOps() {
            super(Channel.unbounded());
        }
    }

    /**
     * A channel of capacity {@code cap} as a sequential queue: the buffer, the receivers
     * waiting (FIFO), the one sender that may wait, and what each finished wait got.
     */
    public abstract static class ChannelSpec extends VerifierState {
        private final int cap;
        private final ArrayDeque<Integer> buffer = new ArrayDeque<>();
        private final ArrayDeque<Integer> waitingReceivers = new ArrayDeque<>();
        /** Per receiver: null idle, "parked", or "got v" once handed a value. */
        private final String[] receiver = new String[2];
        /** The sender's state: null idle, "parked", "sent". */
        private String sender;
        private int senderValue;

        ChannelSpec(int cap) {
            this.cap = cap;
        }

        /** Gives v to the first waiting receiver, or buffers it; false if neither is possible. */
        private boolean offer(int v) {
            Integer r = waitingReceivers.poll();
            if (r != null) {
                receiver[r] = "got " + v;
                return true;
            }
            if (buffer.size() < cap) {
                buffer.add(v);
                return true;
            }
            return false;
        }

        /** Takes the next value (refilling the buffer from a waiting sender), or null. */
        private Integer poll() {
            Integer v = buffer.poll();
            if (v != null) {
                if ("parked".equals(sender) && buffer.size() < cap) {
                    buffer.add(senderValue);
                    sender = "sent";
                }
                return v;
            }
            if ("parked".equals(sender)) {
                sender = "sent";
                return senderValue;
            }
            return null;
        }

        String receiveBegin(int party) {
            if (receiver[party] != null) {
                return "busy";
            }
            Integer v = poll();
            if (v != null) {
                return "got " + v;
            }
            receiver[party] = "parked";
            waitingReceivers.add(party);
            return "parked";
        }

        String receiveEnd(int party) {
            String s = receiver[party];
            if (s == null) {
                return "idle";
            }
            receiver[party] = null;
            if (s.equals("parked")) {
                waitingReceivers.remove(party);
                return "cancelled";
            }
            return s;
        }

        public String receiveBegin1() {
            return receiveBegin(0);
        }

        public String receiveEnd1() {
            return receiveEnd(0);
        }

        public String receiveBegin2() {
            return receiveBegin(1);
        }

        public String receiveEnd2() {
            return receiveEnd(1);
        }

        public String sendBegin(int v) {
            if (sender != null) {
                return "busy";
            }
            if (offer(v)) {
                sender = null;
                return "sent";
            }
            sender = "parked";
            senderValue = v;
            return "parked";
        }

        public String sendEnd() {
            String s = sender;
            if (s == null) {
                return "idle";
            }
            sender = null;
            return s.equals("parked") ? "cancelled" : "sent";
        }

        public boolean trySend(int v) {
            return offer(v);
        }

        public Integer tryReceive() {
            return poll();
        }

        @Override
        protected Object extractState() {
            return buffer + " " + waitingReceivers + " " + receiver[0] + " " + receiver[1] + " " + sender + " " + senderValue;
        }
    }

    public static class RendezvousSpec extends ChannelSpec {
        public RendezvousSpec() {
            super(0);
        }
    }

    public static class UnboundedSpec extends ChannelSpec {
        public UnboundedSpec() {
            super(Integer.MAX_VALUE);
        }
    }

    // ---- semaphore ----------------------------------------------------------------------

    /**
     * A semaphore with one permit; party a1 waits for two permits, a2 for one, so a1 at
     * the head holds a2 back until it is granted or withdrawn.
     */
    public static class SemaphoreOps {
        private final Semaphore s = new Semaphore(1);
        private final Waiter[] waiting = new Waiter[2];

        public SemaphoreOps() {
        }

        String acquireBegin(int party, int n) {
            if (waiting[party] != null) {
                return "busy";
            }
            waiting[party] = s.acquireOrEnqueue(n);
            return waiting[party] == null ? "acquired" : "parked";
        }

        String acquireEnd(int party) {
            Waiter w = waiting[party];
            if (w == null) {
                return "idle";
            }
            waiting[party] = null;
            deadlinePasses(w.op);
            try {
                s.finishAcquire(w);
                return "acquired";
            } catch (RuntimeException cancelled) {
                return "cancelled";
            }
        }

        @Operation(nonParallelGroup = "a1")
        public String acquireTwoBegin() {
            return acquireBegin(0, 2);
        }

        @Operation(nonParallelGroup = "a1")
        public String acquireTwoEnd() {
            return acquireEnd(0);
        }

        @Operation(nonParallelGroup = "a2")
        public String acquireOneBegin() {
            return acquireBegin(1, 1);
        }

        @Operation(nonParallelGroup = "a2")
        public String acquireOneEnd() {
            return acquireEnd(1);
        }

        @Operation
        public boolean tryAcquire() {
            return s.tryAcquire();
        }

        @Operation
        public void release() {
            s.release();
        }

        @Operation
        public long available() {
            return s.availablePermits();
        }
    }

    /** The semaphore as a permit count and a FIFO of waiting parties. */
    public static class SemaphoreSpec extends VerifierState {
        private long permits = 1;
        private final ArrayDeque<Integer> queue = new ArrayDeque<>();
        private final int[] need = {2, 1};
        /** Per party: null idle, "parked", "acquired". */
        private final String[] state = new String[2];

        public SemaphoreSpec() {
        }

        private void dispatch() {
            Integer head;
            while ((head = queue.peek()) != null && need[head] <= permits) {
                queue.poll();
                permits -= need[head];
                state[head] = "acquired";
            }
        }

        String acquireBegin(int party) {
            if (state[party] != null) {
                return "busy";
            }
            if (queue.isEmpty() && permits >= need[party]) {
                permits -= need[party];
                return "acquired";
            }
            state[party] = "parked";
            queue.add(party);
            return "parked";
        }

        String acquireEnd(int party) {
            String s = state[party];
            if (s == null) {
                return "idle";
            }
            state[party] = null;
            if (s.equals("parked")) {
                queue.remove(party);
                dispatch();
                return "cancelled";
            }
            return s;
        }

        public String acquireTwoBegin() {
            return acquireBegin(0);
        }

        public String acquireTwoEnd() {
            return acquireEnd(0);
        }

        public String acquireOneBegin() {
            return acquireBegin(1);
        }

        public String acquireOneEnd() {
            return acquireEnd(1);
        }

        public boolean tryAcquire() {
            if (queue.isEmpty() && permits >= 1) {
                permits--;
                return true;
            }
            return false;
        }

        public void release() {
            permits++;
            dispatch();
        }

        public long available() {
            return permits;
        }

        @Override
        protected Object extractState() {
            return permits + " " + queue + " " + state[0] + " " + state[1];
        }
    }

    // ---- select -------------------------------------------------------------------------

    /**
     * A biased select receiving from rendezvous channels a and b, a sender on a that
     * waits, and trySend/tryReceive on both from anyone. A case that lost took nothing.
     */
    @Param(name = "value", gen = IntGen.class, conf = "1:3")
    public static class SelectOps {
        private final Channel<Integer> a = Channel.rendezvous();
        private final Channel<Integer> b = Channel.rendezvous();
        private final Select<String> select = new Select<String>().biased()
                .onReceive(a, v -> "a " + v)
                .onReceive(b, v -> "b " + v)
                .onTimeout(Duration.ofDays(1), () -> "cancelled");
        private Waits.Signal sel;
        private Object[] armed;
        private Waiter sending;

        public SelectOps() {
        }

        @Operation(nonParallelGroup = "sel")
        public String selectBegin() {
            if (sel != null) {
                return "busy";
            }
            Waits.Signal op = new Waits.Signal();
            Object[] arm = select.armChannels(op);
            boolean queued = false;
            for (Object w : arm) {
                queued |= w != null;
            }
            if (!queued) {
                return select.outcome(op); // a case was ready: it fired while arming
            }
            // Queued: parked, even if a sender already fired it (selectEnd reports that).
            sel = op;
            armed = arm;
            return "parked";
        }

        @Operation(nonParallelGroup = "sel")
        public String selectEnd() {
            Waits.Signal op = sel;
            if (op == null) {
                return "idle";
            }
            sel = null;
            deadlinePasses(op);
            select.withdrawAll(armed);
            return select.outcome(op);
        }

        @Operation(nonParallelGroup = "s")
        public String sendBeginA(@Param(name = "value") int v) {
            if (sending != null) {
                return "busy";
            }
            sending = a.offerOrEnqueue(v);
            return sending == null ? "sent" : "parked";
        }

        @Operation(nonParallelGroup = "s")
        public String sendEndA() {
            Waiter w = sending;
            if (w == null) {
                return "idle";
            }
            sending = null;
            deadlinePasses(w.op);
            try {
                a.finishSend(w);
                return "sent";
            } catch (RuntimeException cancelled) {
                return "cancelled";
            }
        }

        @Operation
        public boolean trySendA(@Param(name = "value") int v) {
            return a.trySend(v);
        }

        @Operation
        public boolean trySendB(@Param(name = "value") int v) {
            return b.trySend(v);
        }

        @Operation
        public Integer tryReceiveA() {
            return a.tryReceive();
        }
    }

    /** The select as one receiver queued on both channels; a's sender as one waiting slot. */
    public static class SelectSpec extends VerifierState {
        /** null idle, "parked", or what the select got ("a v", "b v"). */
        private String select;
        /** null idle, "parked", "sent". */
        private String sender;
        private int senderValue;

        public SelectSpec() {
        }

        public String selectBegin() {
            if (select != null) {
                return "busy";
            }
            if ("parked".equals(sender)) {
                sender = "sent";
                return "a " + senderValue;
            }
            select = "parked";
            return "parked";
        }

        public String selectEnd() {
            String s = select;
            if (s == null) {
                return "idle";
            }
            select = null;
            return s.equals("parked") ? "cancelled" : s;
        }

        private boolean offer(String channel, int v) {
            if ("parked".equals(select)) {
                select = channel + " " + v;
                return true;
            }
            return false;
        }

        public String sendBeginA(int v) {
            if (sender != null) {
                return "busy";
            }
            if (offer("a", v)) {
                return "sent";
            }
            sender = "parked";
            senderValue = v;
            return "parked";
        }

        public String sendEndA() {
            String s = sender;
            if (s == null) {
                return "idle";
            }
            sender = null;
            return s.equals("parked") ? "cancelled" : "sent";
        }

        public boolean trySendA(int v) {
            return offer("a", v);
        }

        public boolean trySendB(int v) {
            return offer("b", v);
        }

        public Integer tryReceiveA() {
            if ("parked".equals(sender)) {
                sender = "sent";
                return senderValue;
            }
            return null;
        }

        @Override
        protected Object extractState() {
            return select + " " + sender + " " + senderValue;
        }
    }
}
