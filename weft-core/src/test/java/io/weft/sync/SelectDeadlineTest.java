package io.weft.sync;

import io.weft.Deadline;
import io.weft.Task;
import io.weft.Weft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static io.weft.TestSupport.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Select#onDeadline}: fires when nothing else has by then, and not before. */
@Timeout(60)
class SelectDeadlineTest {

    @Test
    void theDeadlineCaseFiresWhenNothingElseIsReady() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<String> ch = Channel.bounded(1);
            Deadline d = Deadline.after(Duration.ofMillis(20));
            String got = new Select<String>().onReceive(ch, v -> v).onDeadline(d, () -> "deadline").select();
            assertEquals("deadline", got);
            assertTrue(d.hasPassed(), "it fired at its deadline, not before");
        });
    }

    @Test
    void aPassedDeadlineDoesNotWaitAndAReadyCaseWins() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<String> ch = Channel.bounded(1);
            Deadline passed = Deadline.after(Duration.ZERO);
            assertEquals("deadline", new Select<String>().onReceive(ch, v -> v).onDeadline(passed, () -> "deadline").select());
            ch.send("value");
            Deadline far = Deadline.after(Duration.ofHours(1));
            assertEquals("value", new Select<String>().onReceive(ch, v -> v).onDeadline(far, () -> "deadline").select());
        });
    }

    @Test
    void aValueThatArrivesBeforeTheDeadlineWins() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<String> ch = Channel.bounded(1);
            Task<String> selecting = Weft.spawn(() -> new Select<String>()
                    .onReceive(ch, v -> v).onDeadline(Deadline.after(Duration.ofHours(1)), () -> "deadline").select());
            io.weft.TestSupport.awaitParked(selecting.thread());
            ch.send("value");
            assertEquals("value", selecting.join(Duration.ofSeconds(10)));
        });
    }

    @Test
    void onDeadlineAndOnTimeoutReplaceEachOther() throws Exception {
        Weft.run(runtime(), () -> {
            Channel<String> ch = Channel.bounded(1);
            Select<String> s = new Select<String>().onReceive(ch, v -> v)
                    .onTimeout(Duration.ofHours(1), () -> "timeout")
                    .onDeadline(Deadline.after(Duration.ZERO), () -> "deadline");
            assertEquals("deadline", s.select(), "the deadline replaced the timeout");
            s.onTimeout(Duration.ZERO, () -> "timeout");
            assertEquals("timeout", s.select(), "the timeout replaced the deadline");
        });
    }
}
