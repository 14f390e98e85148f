package io.weft.bench.echo;

/** A server running in a harness's child JVM (see {@link EchoServerMain} for the protocol). */
public interface ChildServer extends AutoCloseable {

    /** Starts the server named {@code id}. */
    @FunctionalInterface
    interface Starter {
        ChildServer start(String id) throws Exception;
    }

    int port();

    /** What the results should record about how it runs (backend, scheduler mode, ...). */
    String info();
}
