package io.weft.internal.backend.uring;

import io.weft.internal.backend.BackendUnavailableException;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the tests that drive the io_uring backend directly share. */
final class UringTesting {
    private UringTesting() {
    }

    /** What this kernel's io_uring supports; skips the calling test class when it has none. */
    static UringProbe.Support probeOrSkip() {
        try {
            return UringProbe.probe();
        } catch (BackendUnavailableException e) {
            assumeTrue(false, "io_uring unavailable: " + e.getMessage());
            throw new AssertionError("unreachable");
        }
    }
}
