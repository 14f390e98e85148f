package io.weft.internal.backend;

import io.weft.internal.linux.Errno;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What every op and every backend share: the deadline rule and the closed set of kinds. */
@Timeout(60)
class IoOpTest {

    /** An op some other backend made for itself. */
    private static final class ForeignOp extends BackendOp {
        ForeignOp(Handle handle) {
            super(handle);
        }
    }

    @Test
    void aDeadlineIsSetOnceAndOnlyBeforeSubmission() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            FutexWait op = new FutexWait(word.address(), 1, false);
            assertEquals(Long.MAX_VALUE, op.deadline(), "no deadline until one is set");
            op.setDeadline(42);
            assertEquals(42, op.deadline());
            assertThrows(IllegalStateException.class, () -> op.setDeadline(43), "a second deadline");
            assertEquals(42, op.deadline(), "the first deadline stays");

            TestLoop loop = new TestLoop();
            Backend backend = Backends.choose("nio").provider().open(loop);
            loop.backend = backend;
            try {
                FutexWait submitted = new FutexWait(word.address(), 1, false);
                assertTrue(submitted.submitTo(backend));
                assertThrows(IllegalStateException.class, () -> submitted.setDeadline(42),
                        "a backend reads the deadline when it starts the op");
                assertTrue(loop.await(submitted));
            } finally {
                backend.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void aBackendRefusesAnOpAnotherBackendMadeForItself(String name) throws Exception {
        BackendProvider provider;
        try {
            provider = Backends.choose(name).provider();
        } catch (BackendUnavailableException e) {
            assumeTrue(false, name + " unavailable: " + e.getMessage());
            return;
        }
        TestLoop loop = new TestLoop();
        Backend backend = provider.open(loop);
        loop.backend = backend;
        try (SocketHandle socket = provider.openTcp(StandardProtocolFamily.INET, false)) {
            ForeignOp op = new ForeignOp(socket);
            assertTrue(op.submitTo(backend));
            assertTrue(loop.await(op), "op did not complete");
            assertEquals(-Errno.EOPNOTSUPP, op.result());
            assertEquals(0, socket.inflightCount());
        } finally {
            backend.close();
        }
    }
}
