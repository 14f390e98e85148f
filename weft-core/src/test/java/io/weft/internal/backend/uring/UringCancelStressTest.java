package io.weft.internal.backend.uring;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.BackendUnavailableException;
import io.weft.internal.backend.SocketCancelStress;
import io.weft.internal.backend.TestLoop;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The random-cancellation stress on io_uring: no slot, bounce buffer or completion may be lost. */
@Tag("mode-independent") // drives the backend directly, no tasks: runs once
class UringCancelStressTest extends SocketCancelStress {

    @BeforeAll
    static void probe() {
        try {
            UringProbe.probe();
        } catch (BackendUnavailableException e) {
            assumeTrue(false, "io_uring unavailable: " + e.getMessage());
        }
    }

    @Override
    protected Backend open(TestLoop loop) throws Exception {
        // Every write through the ring: a direct send completes inline, leaving nothing to
        // cancel, and the ring path is where buffers must survive a cancel.
        return new UringBackend(loop, UringProbe.probe(), UringBackend.Config.DEFAULT.ringWritesOnly());
    }

    @Override
    protected String inFlight(Backend backend) {
        return "slots in use " + ((UringBackend) backend).slotsInUse();
    }

    @Override
    protected void assertNothingHeld(Backend backend) {
        UringBackend b = (UringBackend) backend;
        assertEquals(0, b.slotsInUse(), "slots leaked");
        assertEquals(0, b.net().buffersInUse(), "bounce buffers leaked");
        assertEquals(0, b.ring().cqOverflowDropped(), "completions dropped");
    }
}
