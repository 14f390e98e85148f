package io.weft.sync;

import io.weft.DeadlineExceededException;
import io.weft.Task;
import io.weft.TestSupport;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.weft.TestSupport.runtime;
import static io.weft.sync.SyncTesting.LONG;
import static io.weft.sync.SyncTesting.cancelWhileParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(120)
class BroadcastChannelTest {

    @Test
    void everyReceiverGetsEveryMessageSentAfterItSubscribed() throws Exception {
        Weft.run(runtime(), () -> {
            BroadcastChannel<Integer> ch = BroadcastChannel.withCapacity(8);
            assertEquals(0, ch.send(-1), "nobody subscribed yet");
            BroadcastChannel.Receiver<Integer> a = ch.subscribe();
            BroadcastChannel.Receiver<Integer> b = ch.subscribe();
            assertEquals(2, ch.send(1));
            ch.send(2);
            assertEquals(1, a.receive());
            assertEquals(2, a.receive());
            assertEquals(1, b.tryReceive());
            assertEquals(2, b.receive(LONG));
            assertNull(a.tryReceive());
            b.close();
            assertEquals(1, ch.receiverCount());
        });
    }

    @Test
    void aLaggingReceiverIsToldHowManyItMissedAndGoesOnFromTheOldestKept() throws Exception {
        Weft.run(runtime(), () -> {
            BroadcastChannel<Integer> ch = BroadcastChannel.withCapacity(4);
            BroadcastChannel.Receiver<Integer> slow = ch.subscribe();
            for (int i = 0; i < 10; i++) {
                ch.send(i);
            }
            assertEquals(10, slow.backlog());
            LaggedException e = assertThrows(LaggedException.class, slow::receive);
            assertEquals(6, e.missed());
            for (int i = 6; i < 10; i++) {
                assertEquals(i, slow.receive());
            }
            assertNull(slow.tryReceive());
        });
    }

    @Test
    void closeLetsEachReceiverFinishWhatItHasNotSeen() throws Exception {
        Weft.run(runtime(), () -> {
            BroadcastChannel<String> ch = BroadcastChannel.withCapacity(4);
            BroadcastChannel.Receiver<String> r = ch.subscribe();
            Task<List<String>> parked = Weft.spawn(() -> {
                List<String> got = new ArrayList<>();
                for (String s : ch.subscribe()) {
                    got.add(s);
                }
                return got;
            });
            io.weft.TestSupport.awaitParked(parked.thread());
            ch.send("x");
            ch.send("y");
            ch.close();
            assertThrows(ChannelClosedException.class, () -> ch.send("z"));
            assertEquals(List.of("x", "y"), parked.join(LONG));
            assertEquals("x", r.receive());
            assertEquals("y", r.receive());
            assertThrows(ChannelClosedException.class, r::receive);
        });
    }

    @Test
    void receiveTimesOutAndIsCancellableWithoutMovingThePosition() throws Exception {
        Weft.run(runtime(), () -> {
            BroadcastChannel<Integer> ch = BroadcastChannel.withCapacity(2);
            BroadcastChannel.Receiver<Integer> r = ch.subscribe();
            assertThrows(DeadlineExceededException.class, () -> r.receive(Duration.ofMillis(10)));
            cancelWhileParked(r::receive);
            ch.send(5);
            assertEquals(5, r.receive());
        });
    }

    @Test
    void manyReceiversAcrossLoopsEachSeeTheWholeStreamInOrderALot() throws Exception {
        Weft.run(runtime(), () -> {
            int messages = 20_000;
            BroadcastChannel<Integer> ch = BroadcastChannel.withCapacity(64);
            List<Task<long[]>> receivers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                BroadcastChannel.Receiver<Integer> r = ch.subscribe();
                receivers.add(TestSupport.spawnOnLoop(i, () -> {
                    long received = 0;
                    long reported = 0;
                    long gaps = 0;
                    int last = -1;
                    while (true) {
                        try {
                            int v = r.receive();
                            if (v <= last) {
                                throw new AssertionError("out of order: " + v + " after " + last);
                            }
                            gaps += v - last - 1;
                            last = v;
                            received++;
                        } catch (LaggedException e) {
                            reported += e.missed();
                        } catch (ChannelClosedException e) {
                            return new long[] {received, reported, gaps, last};
                        }
                    }
                }));
            }
            for (int i = 0; i < messages; i++) {
                ch.send(i);
                if ((i & 255) == 0) {
                    Thread.yield();
                }
            }
            ch.close();
            long lagged = 0;
            for (Task<long[]> t : receivers) {
                long[] r = t.join(Duration.ofSeconds(60));
                assertEquals(r[2], r[1], "every message skipped was reported as missed, exactly");
                assertEquals(messages, r[0] + r[1], "received + missed == sent");
                assertEquals(messages - 1, r[3], "the stream was followed to its end");
                lagged += r[1];
            }
            System.out.println("broadcast: " + lagged + " messages missed in total by lagging receivers");
        });
    }
}
