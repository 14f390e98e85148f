package io.weft.sync;

import io.weft.DeadlineExceededException;
import io.weft.Task;
import io.weft.TestSupport;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static io.weft.TestSupport.awaitParked;
import static io.weft.TestSupport.runtime;
import static io.weft.sync.SyncTesting.LONG;
import static io.weft.sync.SyncTesting.cancelWhileParked;
import static io.weft.sync.SyncTesting.spawnParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class ChannelTest {

    // ---- semantics ----------------------------------------------------------------------

    @Test
    void boundedChannelBuffersUpToItsCapacityInOrder() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.bounded(3);
            ch.send(1);
            ch.send(2);
            assertTrue(ch.trySend(3));
            assertFalse(ch.trySend(4), "full");
            assertEquals(3, ch.size());
            assertEquals(1, ch.receive());
            assertEquals(2, ch.tryReceive());
            assertEquals(3, ch.receive(Duration.ofSeconds(1)));
            assertNull(ch.tryReceive(), "empty");
        });
    }

    @Test
    void rendezvousSendWaitsUntilAReceiverTakesTheValue() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<String> ch = Channel.rendezvous();
            assertFalse(ch.trySend("nobody is receiving"));
            Task<Void> sender = spawnParked(() -> {
                ch.send("hello");
                return null;
            });
            assertFalse(sender.isDone(), "a rendezvous send waits for a receiver");
            assertEquals("hello", ch.receive(LONG));
            sender.join(LONG);
            assertEquals(0, ch.size());
        });
    }

    @Test
    void unboundedChannelNeverMakesASenderWait() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.unbounded();
            for (int i = 0; i < 10_000; i++) {
                assertTrue(ch.trySend(i));
            }
            for (int i = 0; i < 10_000; i++) {
                assertEquals(i, ch.receive());
            }
        });
    }

    @Test
    void nullValuesAreRejected() {
        Channel<String> ch = Channel.bounded(1);
        assertThrows(NullPointerException.class, () -> ch.trySend(null));
        assertThrows(IllegalArgumentException.class, () -> Channel.bounded(-1));
    }

    @Test
    void closeLetsReceiversDrainThenThrowsAndEndsIteration() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.bounded(4);
            ch.send(1);
            ch.send(2);
            assertTrue(ch.close());
            assertFalse(ch.close(), "close is idempotent");
            assertThrows(ChannelClosedException.class, () -> ch.send(3));
            assertThrows(ChannelClosedException.class, () -> ch.trySend(3));
            List<Integer> got = new ArrayList<>();
            for (int v : ch) {
                got.add(v);
            }
            assertEquals(List.of(1, 2), got);
            assertThrows(ChannelClosedException.class, ch::receive);
            assertThrows(ChannelClosedException.class, ch::tryReceive);
        });
    }

    @Test
    void closeWakesParkedReceiversAndSenders() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> empty = Channel.rendezvous();
            Channel<Integer> full = Channel.rendezvous();
            Task<Integer> receiver = spawnParked(empty::receive);
            Task<Void> sender = spawnParked(() -> {
                full.send(7);
                return null;
            });
            empty.close();
            full.close();
            CompletionException r = assertThrows(CompletionException.class, () -> receiver.join(LONG));
            assertInstanceOf(ChannelClosedException.class, r.getCause());
            CompletionException s = assertThrows(CompletionException.class, () -> sender.join(LONG));
            assertInstanceOf(ChannelClosedException.class, s.getCause());
            assertThrows(ChannelClosedException.class, full::tryReceive, "the failed send left nothing behind");
        });
    }

    @Test
    void iterationEndsWhenTheProducerClosesTheChannel() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.bounded(2);
            Weft.spawn(() -> {
                for (int i = 0; i < 100; i++) {
                    ch.send(i);
                }
                ch.close();
            });
            int sum = 0;
            int n = 0;
            for (int v : ch) {
                sum += v;
                n++;
            }
            assertEquals(100, n);
            assertEquals(4950, sum);
        });
    }

    @Test
    void parkedReceiversAreServedInArrivalOrder() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.bounded(1);
            List<Task<Integer>> receivers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                receivers.add(spawnParked(ch::receive)); // parked one after the other
            }
            for (int i = 0; i < 4; i++) {
                ch.send(i);
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(i, receivers.get(i).join(LONG), "receiver " + i);
            }
        });
    }

    @Test
    void parkedSendersAreServedInArrivalOrder() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.bounded(1);
            ch.send(-1);
            List<Task<Void>> senders = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int v = i;
                senders.add(spawnParked(() -> {
                    ch.send(v);
                    return null;
                }));
            }
            assertEquals(-1, ch.receive());
            for (int i = 0; i < 4; i++) {
                assertEquals(i, ch.receive(LONG));
            }
            for (Task<Void> s : senders) {
                s.join(LONG);
            }
        });
    }

    @Test
    void platformThreadsCanSendAndReceive() throws Exception {
        Channel<Integer> ch = Channel.rendezvous();
        Thread t = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 100; i++) {
                ch.send(i);
            }
            ch.close();
        });
        int n = 0;
        for (int v : ch) {
            assertEquals(n++, v);
        }
        t.join();
        assertEquals(100, n);
    }

    // ---- timeouts and cancellation ------------------------------------------------------

    @Test
    void timedReceiveAndSendThrowDeadlineExceededAndMoveNothing() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.bounded(1);
            assertThrows(DeadlineExceededException.class, () -> ch.receive(Duration.ofMillis(10)));
            ch.send(1);
            assertThrows(DeadlineExceededException.class, () -> ch.send(2, Duration.ofMillis(10)));
            assertEquals(1, ch.size());
            assertEquals(1, ch.receive());
            assertNull(ch.tryReceive(), "the timed-out send did not deliver its value");
        });
    }

    @Test
    void anAlreadyPassedDeadlineStillTakesAValueThatIsThere() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.bounded(1);
            ch.send(5);
            assertEquals(5, ch.receive(Duration.ZERO));
            assertThrows(DeadlineExceededException.class, () -> ch.receive(Duration.ZERO));
        });
    }

    @Test
    void timeoutsWorkOnPlatformThreads() {
        Channel<Integer> ch = Channel.rendezvous();
        assertThrows(DeadlineExceededException.class, () -> ch.receive(Duration.ofMillis(10)));
        assertThrows(DeadlineExceededException.class, () -> ch.send(1, Duration.ofMillis(10)));
    }

    @Test
    void cancelReachesAParkedReceiveAndAParkedSend() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.rendezvous();
            cancelWhileParked(ch::receive);
            cancelWhileParked(() -> ch.send(1));
            assertFalse(ch.trySend(2), "the cancelled receiver left no waiter behind");
            assertNull(ch.tryReceive(), "the cancelled sender left no value behind");
        });
    }

    @Test
    void aCancelledTaskDoesNotStartAWait() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.bounded(1);
            ch.send(1);
            Task<Integer> t = Weft.spawn(() -> {
                Task.current().cancel();
                return ch.receive();
            });
            assertThrows(CancellationException.class, () -> t.join(LONG));
            assertEquals(1, ch.tryReceive(), "the cancelled task took nothing");
        });
    }

    /**
     * A receiver is cancelled while a sender hands it a value. Either the receive returns
     * the value (the hand-over won) or throws and the value is still in the channel: no
     * value is lost or received twice.
     */
    @Test
    void cancelRacingAHandOverToAReceiverNeverLosesTheValueALot() throws Exception {
        Weft.run(runtime(), () -> {
            int rounds = 400;
            int received = 0;
            int leftInChannel = 0;
            for (int i = 0; i < rounds; i++) {
                Channel<Integer> ch = Channel.bounded(1);
                Task<Integer> receiver = Weft.spawn(() -> ch.receive());
                if ((i & 1) == 0) {
                    awaitParked(receiver.thread());
                }
                Task<Void> sender = Weft.spawn(() -> ch.send(1));
                receiver.cancel();
                sender.join(LONG);
                try {
                    assertEquals(1, receiver.join(LONG));
                    received++;
                } catch (CancellationException e) {
                    assertEquals(1, ch.tryReceive(), "round " + i + ": the value stayed in the channel");
                    leftInChannel++;
                }
                assertNull(ch.tryReceive(), "round " + i + ": one value, never two");
            }
            assertEquals(rounds, received + leftInChannel);
            System.out.println("receive/cancel race: " + received + " handed over, " + leftInChannel + " left in the channel");
        });
    }

    /**
     * A parked sender is cancelled while a receiver takes its value: either the send
     * returned normally and the receiver got the value, or the send threw and nobody did.
     */
    @Test
    void cancelRacingAReceiverTakingFromAParkedSenderIsExactlyOnceALot() throws Exception {
        Weft.run(runtime(), () -> {
            int rounds = 400;
            int delivered = 0;
            for (int i = 0; i < rounds; i++) {
                Channel<Integer> ch = Channel.rendezvous();
                Task<Void> sender = Weft.spawn(() -> ch.send(42));
                awaitParked(sender.thread());
                Task<Integer> receiver = Weft.spawn(() -> ch.tryReceive());
                sender.cancel();
                Integer got = receiver.join(LONG);
                boolean sent;
                try {
                    sender.join(LONG);
                    sent = true;
                } catch (CancellationException e) {
                    sent = false;
                }
                assertEquals(sent, got != null, "round " + i + ": sent=" + sent + " received=" + got);
                delivered += sent ? 1 : 0;
                assertNull(ch.tryReceive());
            }
            System.out.println("send/cancel race: " + delivered + " of " + rounds + " delivered before the cancel");
        });
    }

    // ---- many producers and consumers ---------------------------------------------------

    @Test
    void manyProducersAndConsumersAcrossLoopsReceiveEveryValueExactlyOnceALot() throws Exception {
        for (int capacity : new int[] {0, 1, 16}) {
            Weft.run(runtime(), () -> mpmc(Channel.bounded(capacity), 4, 4, 5_000));
        }
        Weft.run(runtime(), () -> mpmc(Channel.unbounded(), 3, 5, 5_000));
    }

    /** Shared with ChannelStressTest, which repeats it in its long mode. */
    static void mpmc(Channel<Integer> ch, int producers, int consumers, int perProducer) {
        ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
        AtomicInteger producersLeft = new AtomicInteger(producers);
        List<Task<?>> tasks = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            tasks.add(TestSupport.spawnOnLoop(p, () -> {
                for (int i = 0; i < perProducer; i++) {
                    if ((i & 7) == 0) {
                        while (!ch.trySend(base + i)) {
                            Thread.yield();
                        }
                    } else {
                        ch.send(base + i);
                    }
                }
                if (producersLeft.decrementAndGet() == 0) {
                    ch.close();
                }
            }));
        }
        for (int c = 0; c < consumers; c++) {
            tasks.add(TestSupport.spawnOnLoop(producers + c, () -> {
                for (int v : ch) {
                    got.add(v);
                }
            }));
        }
        for (Task<?> t : tasks) {
            try {
                t.join(Duration.ofSeconds(60));
            } catch (DeadlineExceededException e) {
                String state = "stuck: " + ch + ", " + got.size() + " received;" + SyncTesting.describe(tasks);
                throw new AssertionError(state + "\n" + SyncTesting.unparkAndRetry(tasks), e);
            }
        }
        int total = producers * perProducer;
        BitSet seen = new BitSet(total);
        for (int v : got) {
            assertFalse(seen.get(v), "value " + v + " received twice");
            seen.set(v);
        }
        assertEquals(total, got.size(), ch + ": every value received once");
        assertEquals(total, seen.cardinality());
    }
}
