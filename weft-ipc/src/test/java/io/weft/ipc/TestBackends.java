package io.weft.ipc;

import io.weft.Runtime;

import static org.junit.jupiter.api.Assumptions.abort;

/** Runtimes on a named backend for tests, which skip (with the reason) where it cannot run. */
final class TestBackends {
    private TestBackends() {
    }

    /**
     * A builder for {@code loops} loops on {@code backend}, after checking that such a
     * runtime starts here: {@link Runtime.Builder#build()} refuses an unavailable backend
     * with an {@link UnsupportedOperationException}, which here skips the test instead.
     */
    static Runtime.Builder require(String backend, int loops) {
        Runtime.Builder builder = Runtime.builder().backend(backend).loops(loops);
        Runtime probe;
        try {
            probe = builder.build();
        } catch (UnsupportedOperationException e) {
            return abort("the " + backend + " backend cannot run here: " + e.getMessage());
        }
        probe.close();
        return builder;
    }
}
