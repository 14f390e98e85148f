package io.weft;

import io.weft.net.TcpListener;
import io.weft.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.weft.TestSupport.awaitParked;
import static io.weft.TestSupport.openFds;
import static io.weft.TestSupport.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class ShutdownTest {

    @Test
    void shutdownCancelsAndJoinsEveryTaskAndLeaksNoDescriptor() throws Exception {
        runtime().build().close(); // let the JDK open whatever it opens once per process
        int fdsBefore = openFds();
        Runtime rt = runtime().build();
        List<Task<?>> tasks = new CopyOnWriteArrayList<>();
        Task<Void> setup = rt.spawn(() -> {
            TcpListener l = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0));
            tasks.add(Weft.spawn(() -> {
                try (l; TcpStream first = l.accept()) { // keeps the client's peer open ...
                    l.accept();                         // ... and waits in accept
                }
            }));
            TcpStream client = TcpStream.connect(l.localAddress());
            tasks.add(Weft.spawn(() -> {
                try (client) {
                    client.read(new byte[1]);           // waits in read (if shutdown closes the
                    Weft.sleep(Duration.ofHours(1));    // peer first, it waits here instead)
                }
            }));
            tasks.add(Weft.spawn(() -> Weft.sleep(Duration.ofHours(1))));
            tasks.add(Weft.spawn(() -> Blocking.call(() -> {
                Thread.sleep(3_600_000);
                return null;
            })));
            tasks.add(Weft.spawn(() -> {
                try (Scope s = Scope.open()) {
                    s.spawn(() -> Weft.sleep(Duration.ofHours(1)));
                    s.join();
                }
            }));
        });
        setup.join(Duration.ofSeconds(10));
        for (Task<?> t : tasks) {
            awaitParked(t.thread());
        }
        assertTrue(rt.liveTasks() >= tasks.size() + 1, "the scope's child is live too");

        rt.shutdown(Duration.ofMillis(50));

        assertEquals(0, rt.liveTasks(), "every task was cancelled and joined");
        for (Task<?> t : tasks) {
            // A scope owner whose child was cancelled first may return normally: either way
            // it ended, and nothing failed.
            assertTrue(t.state() == Task.State.CANCELLED || t.state() == Task.State.SUCCEEDED, t.toString());
        }
        assertEquals(Task.State.CANCELLED, tasks.get(3).state(), "the task in Blocking.call was cancelled");
        assertTrue(rt.isClosed());
        TestSupport.eventually("descriptors released", Duration.ofSeconds(5), () -> {
            try {
                return openFds() <= fdsBefore;
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }

    @Test
    void closeLetsTasksFinishWithinTheGracePeriod() {
        List<Task<String>> tasks = new ArrayList<>();
        Runtime rt = runtime().shutdownTimeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < 10; i++) {
            tasks.add(rt.spawn(() -> {
                Weft.sleep(Duration.ofMillis(30));
                return "finished";
            }));
        }
        rt.close();
        for (Task<String> t : tasks) {
            assertEquals(Task.State.SUCCEEDED, t.state());
            assertEquals("finished", t.join());
        }
    }

    @Test
    void spawningOnAClosedRuntimeIsAClearError() {
        Runtime rt = runtime().build();
        rt.close();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> rt.spawn(() -> 1));
        assertTrue(e.getMessage().contains("closed"));
    }
}
