package io.weft.sync;

import io.weft.Task;
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
import java.util.concurrent.atomic.AtomicIntegerArray;

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
class SelectTest {

    // ---- each kind of case ----------------------------------------------------------------

    @Test
    void receiveCaseTakesTheValueThatIsReady() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> a = Channel.bounded(1);
            Channel<Integer> b = Channel.bounded(1);
            b.send(2);
            String r = new Select<String>()
                    .onReceive(a, v -> "a" + v)
                    .onReceive(b, v -> "b" + v)
                    .select();
            assertEquals("b2", r);
            assertNull(b.tryReceive());
        });
    }

    @Test
    void receiveCaseWaitsForASender() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> a = Channel.rendezvous();
            Channel<Integer> b = Channel.rendezvous();
            Task<Void> sender = Weft.spawn(() -> {
                Weft.sleep(Duration.ofMillis(10));
                a.send(1);
            });
            String r = new Select<String>().onReceive(a, v -> "a" + v).onReceive(b, v -> "b" + v).select();
            assertEquals("a1", r);
            sender.join(LONG);
            assertFalse(b.trySend(9), "the losing case left no receiver waiting in b");
        });
    }

    @Test
    void sendCaseFiresWhenAReceiverTakesTheValue() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> a = Channel.rendezvous();
            Channel<Integer> b = Channel.rendezvous();
            Task<Integer> receiver = spawnParked(b::receive);
            String r = new Select<String>()
                    .onSend(a, 1, () -> "sent a")
                    .onSend(b, 2, () -> "sent b")
                    .select();
            assertEquals("sent b", r);
            assertEquals(2, receiver.join(LONG));
            assertNull(a.tryReceive(), "the losing send case delivered nothing");
        });
    }

    @Test
    void sendCaseUsesRoomInTheBuffer() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> a = Channel.bounded(1);
            assertEquals("ok", new Select<String>().onSend(a, 5, () -> "ok").select());
            assertEquals(5, a.tryReceive());
        });
    }

    @Test
    void doneCaseFiresWhenTheTaskEnds() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> quiet = Channel.rendezvous();
            Task<String> worker = Weft.spawn(() -> {
                Weft.sleep(Duration.ofMillis(10));
                return "result";
            });
            String r = new Select<String>()
                    .onReceive(quiet, v -> "value")
                    .onDone(worker, Task::join)
                    .select();
            assertEquals("result", r);
            // already ended: fires at once
            assertEquals("again", new Select<String>().onDone(worker, t -> "again").select());
        });
    }

    @Test
    void doneCaseFiresForAFailedTaskToo() throws Exception {
        Weft.run(runtime(), () -> {
            Task<Void> failing = Weft.spawn(() -> {
                Weft.sleep(Duration.ofMillis(5));
                throw new IllegalStateException("boom");
            });
            Task.State s = new Select<Task.State>().onDone(failing, Task::state).select();
            assertEquals(Task.State.FAILED, s);
        });
    }

    @Test
    void timeoutCaseFiresWhenNothingElseDoes() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> quiet = Channel.rendezvous();
            String r = new Select<String>()
                    .onReceive(quiet, v -> "value")
                    .onTimeout(Duration.ofMillis(10), () -> "timeout")
                    .select();
            assertEquals("timeout", r);
            assertFalse(quiet.trySend(1), "no receiver left behind");
        });
    }

    @Test
    void zeroTimeoutPollsTheCasesWithoutWaiting() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.bounded(1);
            Select<String> poll = new Select<String>()
                    .onReceive(ch, v -> "got " + v)
                    .onTimeout(Duration.ZERO, () -> "nothing");
            assertEquals("nothing", poll.select());
            ch.send(3);
            assertEquals("got 3", poll.select(), "a ready case wins over an expired timeout");
            assertEquals("nothing", poll.select(), "a select can be used again");
        });
    }

    @Test
    void closedChannelsFireTheirCases() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.bounded(1);
            ch.send(1);
            ch.close();
            Select<String> s = new Select<String>().onReceive(ch, v -> "v" + v, () -> "closed");
            assertEquals("v1", s.select(), "drains first");
            assertEquals("closed", s.select());
            assertThrows(ChannelClosedException.class, () -> new Select<String>().onReceive(ch, v -> "v").select());
            assertThrows(ChannelClosedException.class, () -> new Select<String>().onSend(ch, 2, () -> "s").select());
        });
    }

    @Test
    void closeWakesAParkedSelect() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.rendezvous();
            Task<String> t = spawnParked(() -> new Select<String>().onReceive(ch, v -> "v", () -> "closed").select());
            ch.close();
            assertEquals("closed", t.join(LONG));
        });
    }

    @Test
    void biasedSelectPicksTheFirstReadyCase() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> a = Channel.unbounded();
            Channel<Integer> b = Channel.unbounded();
            for (int i = 0; i < 20; i++) {
                a.send(i);
                b.send(i);
            }
            Select<String> s = new Select<String>().onReceive(a, v -> "a").onReceive(b, v -> "b").biased();
            for (int i = 0; i < 20; i++) {
                assertEquals("a", s.select());
            }
            assertEquals("b", s.select());
        });
    }

    /**
     * Three channels that always have values: an unbiased select must not starve any case.
     * The pick is random, so the bound is loose: each case expects a third of 3000 turns,
     * and falling under 300 has a vanishing probability.
     */
    @Test
    void whenEveryCaseIsReadyEachGetsItsTurn() throws Exception {
        Weft.run(runtime(), () -> {
            int n = 3000;
            List<Channel<Integer>> chs = List.of(Channel.unbounded(), Channel.unbounded(), Channel.unbounded());
            for (Channel<Integer> ch : chs) {
                for (int i = 0; i < n; i++) {
                    ch.send(i);
                }
            }
            int[] fired = new int[3];
            Select<Integer> s = new Select<Integer>()
                    .onReceive(chs.get(0), v -> 0)
                    .onReceive(chs.get(1), v -> 1)
                    .onReceive(chs.get(2), v -> 2);
            for (int i = 0; i < n; i++) {
                fired[s.select()]++;
            }
            for (int c = 0; c < 3; c++) {
                assertTrue(fired[c] > 300, "case " + c + " fired " + fired[c] + " of " + n);
                assertEquals(n - fired[c], chs.get(c).size(), "each firing took exactly one value");
            }
        });
    }

    @Test
    void aSelectWithNoCasesIsRejected() {
        assertThrows(IllegalStateException.class, () -> new Select<String>().select());
    }

    @Test
    void platformThreadsCanSelect() throws Exception {
        Channel<Integer> ch = Channel.rendezvous();
        Thread t = Thread.ofPlatform().start(() -> ch.send(4));
        assertEquals(4, new Select<Integer>().onReceive(ch, v -> v).onTimeout(LONG, () -> -1).select());
        t.join();
    }

    // ---- cancellation -------------------------------------------------------------------

    @Test
    void cancelReachesAParkedSelectAndWithdrawsEveryCase() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> a = Channel.rendezvous();
            Channel<Integer> b = Channel.rendezvous();
            Task<Void> sleeper = Weft.spawn(() -> Weft.sleep(Duration.ofSeconds(30)));
            cancelWhileParked(() -> new Select<String>()
                    .onReceive(a, v -> "a")
                    .onSend(b, 1, () -> "b")
                    .onDone(sleeper, t -> "done")
                    .select());
            assertFalse(a.trySend(1), "no receiver left in a");
            assertNull(b.tryReceive(), "no sender left in b");
            sleeper.cancel();
        });
    }

    /**
     * A select parked on two channels is cancelled while senders race to both. Every value
     * is either taken by the select (exactly one, which it returns) or still in its channel.
     */
    @Test
    void cancelRacingSendersToAParkedSelectNeverLosesOrDuplicatesALot() throws Exception {
        Weft.run(runtime(), () -> {
            int rounds = 300;
            int selected = 0;
            for (int i = 0; i < rounds; i++) {
                Channel<Integer> a = Channel.bounded(1);
                Channel<Integer> b = Channel.bounded(1);
                Task<Integer> sel = Weft.spawn(() -> new Select<Integer>().onReceive(a, v -> v).onReceive(b, v -> v).select());
                if ((i & 1) == 0) {
                    awaitParked(sel.thread());
                }
                Task<Void> sa = Weft.spawn(() -> a.send(1));
                Task<Void> sb = Weft.spawn(() -> b.send(2));
                sel.cancel();
                sa.join(LONG);
                sb.join(LONG);
                Integer got;
                try {
                    got = sel.join(LONG);
                    selected++;
                } catch (CancellationException e) {
                    got = null;
                }
                Integer leftA = a.tryReceive();
                Integer leftB = b.tryReceive();
                int total = (got != null ? 1 : 0) + (leftA != null ? 1 : 0) + (leftB != null ? 1 : 0);
                assertEquals(2, total, "round " + i + ": got=" + got + " a=" + leftA + " b=" + leftB);
                if (got != null) {
                    assertTrue(got == 1 ? leftA == null && leftB == 2 : leftB == null && leftA == 1, "round " + i);
                }
            }
            System.out.println("select/cancel race: " + selected + " of " + rounds + " selects took a value first");
        });
    }

    // ---- racing senders and receivers ---------------------------------------------------

    /**
     * Selecting receivers over three channels fed by plain senders, across loops: every
     * value is received exactly once, through the case of its own channel.
     */
    @Test
    void selectingReceiversGetEveryValueExactlyOnceAndEveryCaseItsTurnALot() throws Exception {
        Weft.run(runtime(), () -> {
            int channels = 3;
            int perChannel = 3_000;
            int consumers = 3;
            List<Channel<Integer>> chs = new ArrayList<>();
            for (int c = 0; c < channels; c++) {
                chs.add(c == 0 ? Channel.rendezvous() : Channel.bounded(c * 4));
            }
            AtomicIntegerArray fired = new AtomicIntegerArray(channels);
            ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
            List<Task<?>> tasks = new ArrayList<>();
            for (int c = 0; c < channels; c++) {
                Channel<Integer> ch = chs.get(c);
                int base = c * perChannel;
                tasks.add(Weft.spawn(() -> {
                    for (int i = 0; i < perChannel; i++) {
                        ch.send(base + i);
                    }
                    ch.close();
                }));
            }
            for (int k = 0; k < consumers; k++) {
                tasks.add(Weft.spawn(() -> receiveUntilAllClosed(chs, fired, got)));
            }
            for (Task<?> t : tasks) {
                t.join(Duration.ofSeconds(60));
            }
            assertExactlyOnce(got, channels * perChannel);
            for (int c = 0; c < channels; c++) {
                assertEquals(perChannel, fired.get(c), "case " + c + " fired once per value of its channel: " + fired);
            }
            System.out.println("select receivers: cases fired " + fired);
        });
    }

    /**
     * Selects on both sides: producers select among send cases on two channels, consumers
     * select among receive cases on the same two, so selects match selects. Every value
     * arrives exactly once and every case fires.
     */
    @Test
    void selectsMatchingSelectsMoveEveryValueExactlyOnceALot() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> a = Channel.rendezvous();
            Channel<Integer> b = Channel.bounded(2);
            int producers = 3;
            int perProducer = 2_000;
            AtomicIntegerArray sendFired = new AtomicIntegerArray(2);
            AtomicIntegerArray recvFired = new AtomicIntegerArray(2);
            ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
            AtomicInteger producersLeft = new AtomicInteger(producers);
            List<Task<?>> tasks = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int base = p * perProducer;
                tasks.add(Weft.spawn(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        int v = base + i;
                        new Select<Void>()
                                .onSend(a, v, () -> {
                                    sendFired.incrementAndGet(0);
                                    return null;
                                })
                                .onSend(b, v, () -> {
                                    sendFired.incrementAndGet(1);
                                    return null;
                                })
                                .select();
                    }
                    if (producersLeft.decrementAndGet() == 0) {
                        a.close();
                        b.close();
                    }
                }));
            }
            for (int k = 0; k < 3; k++) {
                tasks.add(Weft.spawn(() -> receiveUntilAllClosed(List.of(a, b), recvFired, got)));
            }
            for (Task<?> t : tasks) {
                t.join(Duration.ofSeconds(60));
            }
            assertExactlyOnce(got, producers * perProducer);
            for (int c = 0; c < 2; c++) {
                assertTrue(sendFired.get(c) > 0, "send case " + c + ": " + sendFired);
                assertTrue(recvFired.get(c) > 0, "receive case " + c + ": " + recvFired);
            }
            assertEquals(producers * perProducer, sendFired.get(0) + sendFired.get(1));
            System.out.println("select vs select: send cases " + sendFired + ", receive cases " + recvFired);
        });
    }

    /**
     * Selects over the channels still open, counting which case fired, until every channel
     * is closed and drained. A case's ifClosed handler returns its index; a value returns -1.
     */
    private static void receiveUntilAllClosed(List<Channel<Integer>> chs, AtomicIntegerArray fired,
                                              ConcurrentLinkedQueue<Integer> got) {
        boolean[] open = new boolean[chs.size()];
        java.util.Arrays.fill(open, true);
        int stillOpen = chs.size();
        while (stillOpen > 0) {
            Select<Integer> s = new Select<>();
            for (int c = 0; c < chs.size(); c++) {
                int caseIndex = c;
                if (open[c]) {
                    s.onReceive(chs.get(c), v -> {
                        fired.incrementAndGet(caseIndex);
                        got.add(v);
                        return -1;
                    }, () -> caseIndex);
                }
            }
            int closed = s.select();
            if (closed >= 0) {
                open[closed] = false;
                stillOpen--;
            }
        }
    }

    private static void assertExactlyOnce(Iterable<Integer> got, int total) {
        BitSet seen = new BitSet(total);
        int n = 0;
        for (int v : got) {
            assertFalse(seen.get(v), "value " + v + " received twice");
            seen.set(v);
            n++;
        }
        assertEquals(total, n, "every value received once");
        assertEquals(total, seen.cardinality());
    }

    @Test
    void theFailureOfAHandlerPropagates() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<Integer> ch = Channel.bounded(1);
            ch.send(1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Select<String>()
                    .onReceive(ch, v -> {
                        throw new IllegalArgumentException("handler");
                    }).select());
            assertEquals("handler", e.getMessage());
            Task<Void> t = Weft.spawn(() -> {
                throw new IllegalStateException("x");
            });
            CompletionException ce = assertThrows(CompletionException.class,
                    () -> new Select<String>().onDone(t, tk -> tk.join() + "").select());
            assertInstanceOf(IllegalStateException.class, ce.getCause());
        });
    }
}
