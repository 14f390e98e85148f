package io.weft.bench.http;

import io.weft.bench.ContenderIds;

import java.util.List;

/** The HTTP servers the harness compares, by the names used on the command line and in results. */
public enum HttpContender implements ContenderIds.Named {
    WEFT_IO_URING("weft-io_uring", "weft-http, io_uring backend, 1 loop"),
    WEFT_EPOLL("weft-epoll", "weft-http, epoll backend, 1 loop"),
    WEFT_NIO("weft-nio", "weft-http, nio backend, 1 loop"),
    NETTY_EPOLL("netty-epoll", "Netty 4.2 HttpServerCodec, native epoll transport, 1 event loop"),
    NETTY_IO_URING("netty-io_uring", "Netty 4.2 HttpServerCodec, native io_uring transport, 1 event loop"),
    HELIDON("helidon", "Helidon 4 SE WebServer (virtual thread per request)"),
    JDK_HTTPSERVER("jdk-httpserver", "com.sun.net.httpserver on virtual threads");

    private final String id;
    private final String description;

    HttpContender(String id, String description) {
        this.id = id;
        this.description = description;
    }

    @Override
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** The contender called {@code id}. @throws IllegalArgumentException naming the known ones */
    public static HttpContender byId(String id) {
        return ContenderIds.byId(HttpContender.class, id);
    }

    public static List<String> ids() {
        return ContenderIds.ids(HttpContender.class);
    }
}
