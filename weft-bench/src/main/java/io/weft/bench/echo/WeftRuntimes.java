package io.weft.bench.echo;

import io.weft.Runtime;

/** The Weft runtime a contender's server runs on: one loop on the named backend, described for the results. */
public final class WeftRuntimes {
    private WeftRuntimes() {
    }

    /** @throws ContenderUnavailableException if the backend cannot run here */
    public static Runtime oneLoop(String backend, String name) throws ContenderUnavailableException {
        try {
            return Runtime.builder().backend(backend).loops(1).name(name).build();
        } catch (UnsupportedOperationException e) {
            throw new ContenderUnavailableException(e.getMessage(), e);
        }
    }

    public static String describe(Runtime runtime) {
        return "backend=" + runtime.backend() + " loops=" + runtime.loopCount() + " scheduler=" + runtime.schedulerMode()
                + (runtime.schedulerReason() == null ? "" : " (" + runtime.schedulerReason() + ")");
    }
}
