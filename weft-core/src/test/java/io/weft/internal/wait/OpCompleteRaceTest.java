package io.weft.internal.wait;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two threads complete one op at the same moment, as a hand-over and a cancellation's
 * complete(CANCELLED) do. Exactly one wins, and the op publishes the winner's result and
 * attachment together, never a mix of both.
 */
@Tag("mode-independent")
@Timeout(60)
class OpCompleteRaceTest {

    private static final class Plain extends Op {
        @Override
        protected void onCancel(int reason) {
            complete(CANCELLED);
        }
    }

    @Test
    void concurrentCompletionsPublishTheWinnersResultAndAttachmentTogetherALot() throws Exception {
        int rounds = 50_000;
        Object value = new Object();
        Plain[] ops = new Plain[rounds];
        for (int i = 0; i < rounds; i++) {
            ops[i] = new Plain();
        }
        boolean[] otherWon = new boolean[rounds];
        // Both threads start each round together: `go` opens round i, `finished` closes it.
        AtomicInteger go = new AtomicInteger(-1);
        AtomicInteger finished = new AtomicInteger(-1);
        Thread other = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < rounds; i++) {
                while (go.get() < i) {
                    Thread.onSpinWait();
                }
                otherWon[i] = ops[i].complete(Op.CANCELLED, null);
                finished.set(i);
            }
        });
        int mineWon = 0;
        for (int i = 0; i < rounds; i++) {
            go.set(i);
            mineWon += ops[i].complete(7, value) ? 1 : 0;
            while (finished.get() < i) {
                Thread.onSpinWait();
            }
        }
        other.join();
        int otherWins = 0;
        for (int i = 0; i < rounds; i++) {
            Plain op = ops[i];
            assertTrue(op.isDone());
            if (otherWon[i]) {
                otherWins++;
                assertEquals(Op.CANCELLED, op.result(), "round " + i);
                assertSame(null, op.attachment(), "round " + i);
            } else {
                assertEquals(7, op.result(), "round " + i);
                assertSame(value, op.attachment(), "round " + i);
            }
        }
        assertEquals(rounds, mineWon + otherWins, "exactly one completion wins each op");
        System.out.println("op completion race: " + mineWon + " / " + otherWins + " wins");
    }
}
