package io.weft.internal.backend.epoll;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.BackendUnavailableException;
import io.weft.internal.backend.SocketCancelStress;
import io.weft.internal.backend.TestLoop;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The random-cancellation stress on epoll: afterwards no op may stay parked. */
@Tag("mode-independent") // drives the backend directly, no tasks: runs once
class EpollCancelStressTest extends SocketCancelStress {

    @BeforeAll
    static void probe() {
        try {
            EpollProvider.probe();
        } catch (BackendUnavailableException e) {
            assumeTrue(false, "epoll unavailable: " + e.getMessage());
        }
    }

    @Override
    protected Backend open(TestLoop loop) throws Exception {
        return EpollProvider.probe().open(loop);
    }

    @Override
    protected boolean cancelsRaceTheKernel() {
        return false;
    }

    @Override
    protected String inFlight(Backend backend) {
        return "ops parked " + ((EpollBackend) backend).parkedOps();
    }

    @Override
    protected void assertNothingHeld(Backend backend) {
        assertEquals(0, ((EpollBackend) backend).parkedOps(), "parked ops leaked");
    }
}
