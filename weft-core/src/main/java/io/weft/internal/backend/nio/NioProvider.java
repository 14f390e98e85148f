package io.weft.internal.backend.nio;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.BackendProvider;
import io.weft.internal.backend.Capability;
import io.weft.internal.backend.LoopContext;
import io.weft.internal.backend.SocketHandle;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.EnumSet;
import java.util.Set;

/** The portable backend: {@code java.nio} channels and one {@link java.nio.channels.Selector} per loop. */
public final class NioProvider implements BackendProvider {

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.POLL);
    }

    @Override
    public Backend open(LoopContext loop) throws IOException {
        return new NioBackend(loop);
    }

    @Override
    public SocketHandle openTcp(ProtocolFamily family, boolean listener) throws IOException {
        if (listener) {
            ServerSocketChannel ch = ServerSocketChannel.open(family);
            ch.configureBlocking(false);
            return new NioSocket(ch);
        }
        SocketChannel ch = SocketChannel.open(family);
        ch.configureBlocking(false);
        return new NioSocket(ch);
    }
}
