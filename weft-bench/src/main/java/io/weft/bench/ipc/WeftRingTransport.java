package io.weft.bench.ipc;

import io.weft.Deadline;
import io.weft.ipc.OneToOneRing;
import io.weft.ipc.RecordHandler;
import io.weft.ipc.ShmRing;
import io.weft.ipc.WaitStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code weft-ring-<strategy>}: two Weft {@link OneToOneRing}s in the run's directory
 * under /dev/shm, one for requests and one for responses, made by the responder. Both ends
 * wait with the contender's {@link WaitStrategy}: for a record with
 * {@link ShmRing#awaitRecords}, for room with {@link ShmRing#claim}. A request is copied in
 * with {@code tryWrite}; the responder copies each request straight from one ring into a
 * slot claimed in the other. With a spinning strategy (busy-spin, yield, backoff) each
 * side vows never to sleep on its ends ({@link ShmRing#consumerNeverSleeps()},
 * {@link OneToOneRing#producerNeverSleeps()}), so that the other side publishes without
 * a fence, as Agrona's rings do.
 */
final class WeftRingTransport {
    private WeftRingTransport() {
    }

    /** Data capacity of each ring, as for Agrona's. */
    static final int CAPACITY = AgronaTransport.CAPACITY;
    static final String REQUESTS = "weft-requests";
    static final String RESPONSES = "weft-responses";
    private static final int TYPE = 1;
    /**
     * The deadline each side passes to a wait. It is made anew only when it has passed, so
     * a round trip costs no clock read for it; a passed deadline is when the responder
     * looks whether it should stop, and the requester whether it has waited too long.
     */
    private static final Duration POLL = Duration.ofMillis(100);

    /** The strategy of {@code c}, a Weft ring contender: its id is {@code weft-ring-} and the strategy's name. */
    static WaitStrategy strategy(IpcContender c) {
        String prefix = "weft-ring-";
        if (!c.id().startsWith(prefix)) {
            throw new IllegalArgumentException(c.id() + " is not a Weft ring");
        }
        return WaitStrategy.of(c.id().substring(prefix.length()));
    }

    /** With a strategy that never sleeps, vows so on this side's ends: consumer of {@code in}, producer of {@code out}. */
    static void vowIfSpinning(WaitStrategy strategy, OneToOneRing in, OneToOneRing out) {
        if (!strategy.runsInTasks()) { // busy-spin, yield, backoff: no doorbell sleeps
            in.consumerNeverSleeps();
            out.producerNeverSleeps();
        }
    }

    /** The responder: makes both rings, then copies each request into the response ring. */
    static final class Server extends Responder implements RecordHandler {
        private final WaitStrategy strategy;
        private final OneToOneRing requests;
        private final OneToOneRing responses;
        /** See {@link #POLL}; the serving thread's. */
        private Deadline deadline = Deadline.after(POLL);

        Server(IpcContender c, Path dir) throws IOException {
            strategy = strategy(c);
            requests = OneToOneRing.create(dir.resolve(REQUESTS), CAPACITY);
            try {
                responses = OneToOneRing.create(dir.resolve(RESPONSES), CAPACITY);
            } catch (IOException e) {
                requests.close();
                throw e;
            }
            vowIfSpinning(strategy, requests, responses);
            start(c.id());
        }

        @Override
        public String info() {
            return "wait strategy " + strategy.name() + " on both sides, rings of " + CAPACITY + " B"
                    + (strategy.runsInTasks() ? "" : ", both sides vowed never to sleep");
        }

        @Override
        void serve() throws IOException {
            while (running()) {
                if (requests.hasRecords() || requests.awaitRecords(strategy, deadline)) {
                    requests.read(this);
                } else {
                    deadline = Deadline.after(POLL);
                }
            }
        }

        @Override
        public void onRecord(int type, MemorySegment buffer, long index, int length) {
            try {
                long slot = responses.tryClaim(type, length);
                while (slot < 0 && running()) {
                    slot = responses.claim(type, length, strategy, deadline);
                    if (slot < 0) {
                        deadline = Deadline.after(POLL);
                    }
                }
                if (slot >= 0) {
                    MemorySegment.copy(buffer, index, responses.buffer(), slot, length);
                    responses.commit(slot);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        void release() throws IOException {
            try (OneToOneRing q = requests) {
                responses.close();
            }
        }
    }

    /** The requester: opens the responder's rings. */
    static final class Client implements IpcRequester, RecordHandler {
        private final WaitStrategy strategy;
        private final OneToOneRing requests;
        private final OneToOneRing responses;
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment message;
        /** The sequence number of the response read last; written by onRecord. */
        private long received;
        /** See {@link #POLL}. */
        private Deadline deadline = Deadline.after(POLL);
        /** When the current wait's first deadline passed (System.nanoTime), 0 while no wait has outlived one. */
        private long waitingSince;

        Client(IpcContender c, Path dir, int size) throws IOException {
            strategy = strategy(c);
            requests = OneToOneRing.open(dir.resolve(REQUESTS));
            try {
                responses = OneToOneRing.open(dir.resolve(RESPONSES));
            } catch (IOException e) {
                requests.close();
                throw e;
            }
            vowIfSpinning(strategy, responses, requests);
            message = arena.allocate(size, 8).copyFrom(MemorySegment.ofArray(IpcRequester.template(size)));
        }

        @Override
        public void send(long seq) throws IOException {
            message.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
            int size = (int) message.byteSize();
            if (requests.tryWrite(TYPE, message, 0, size)) {
                return;
            }
            long slot;
            while ((slot = requests.claim(TYPE, size, strategy, deadline)) < 0) {
                outlived("room in the request ring");
            }
            waitingSince = 0;
            MemorySegment.copy(message, 0, requests.buffer(), slot, size);
            requests.commit(slot);
        }

        @Override
        public long receive() throws IOException {
            while (true) {
                if (!responses.hasRecords() && !responses.awaitRecords(strategy, deadline)) {
                    outlived("response");
                } else if (responses.read(this, 1) == 1) { // 0 when what was ready is the padding at the wrap
                    waitingSince = 0;
                    return received;
                }
            }
        }

        /** A wait outlived its deadline: a new one, or an error once the wait has lasted {@link #STALL_NANOS}. */
        private void outlived(String what) throws IOException {
            deadline = Deadline.after(POLL);
            long now = System.nanoTime();
            if (waitingSince == 0) {
                waitingSince = now;
            } else if (now - waitingSince > STALL_NANOS) {
                throw new IOException("no " + what + " for " + STALL_NANOS / 1_000_000_000L + " s: has the responder stopped?");
            }
        }

        @Override
        public void onRecord(int type, MemorySegment buffer, long index, int length) {
            received = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, index);
        }

        @Override
        public void close() throws IOException {
            try (OneToOneRing q = requests; Arena a = arena) {
                responses.close();
            }
        }
    }
}
