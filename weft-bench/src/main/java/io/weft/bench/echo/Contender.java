package io.weft.bench.echo;

import io.weft.bench.ContenderIds;

import java.util.List;

/** The echo servers the harness compares, by the names used on the command line and in results. */
public enum Contender implements ContenderIds.Named {
    WEFT_IO_URING("weft-io_uring", "Weft, io_uring backend, 1 loop"),
    WEFT_EPOLL("weft-epoll", "Weft, epoll backend, 1 loop"),
    WEFT_NIO("weft-nio", "Weft, nio backend, 1 loop"),
    NETTY_EPOLL("netty-epoll", "Netty 4.2, native epoll transport, 1 event loop"),
    NETTY_IO_URING("netty-io_uring", "Netty 4.2, native io_uring transport, 1 event loop"),
    JDK_VIRTUAL_THREADS("jdk-virtual-threads", "java.net.ServerSocket, a virtual thread per connection"),
    JDK_PLATFORM_THREADS("jdk-platform-threads", "java.net.ServerSocket, a platform thread per connection");

    private final String id;
    private final String description;

    Contender(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** The name on the command line and in results, e.g. {@code weft-io_uring}. */
    @Override
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** The contender called {@code id}. @throws IllegalArgumentException naming the known ones */
    public static Contender byId(String id) {
        return ContenderIds.byId(Contender.class, id);
    }

    public static List<String> ids() {
        return ContenderIds.ids(Contender.class);
    }
}
