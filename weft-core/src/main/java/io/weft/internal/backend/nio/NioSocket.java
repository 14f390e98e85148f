package io.weft.internal.backend.nio;

import io.weft.internal.backend.SocketHandle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A socket of the nio backend: a non-blocking {@link SocketChannel} or {@link ServerSocketChannel}. */
final class NioSocket extends SocketHandle {

    final SelectableChannel channel;
    /** The backends whose selectors this channel is registered with; see closeNow. */
    private final List<NioBackend> registeredWith = new CopyOnWriteArrayList<>();

    NioSocket(SelectableChannel channel) {
        this.channel = channel;
    }

    SocketChannel stream() {
        return (SocketChannel) channel;
    }

    ServerSocketChannel listener() {
        return (ServerSocketChannel) channel;
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        if (channel instanceof ServerSocketChannel l) {
            l.bind(local, backlog);
        } else {
            stream().bind(local);
        }
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        ((NetworkChannel) channel).setOption(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return ((NetworkChannel) channel).getOption(option);
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) ((NetworkChannel) channel).getLocalAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        return channel instanceof SocketChannel s ? (InetSocketAddress) s.getRemoteAddress() : null;
    }

    @Override
    public void shutdownOutput() throws IOException {
        stream().shutdownOutput();
    }

    @Override
    public void shutdownInput() throws IOException {
        stream().shutdownInput();
    }

    /** Called by a backend (on its loop) when it registers this channel with its selector. */
    void registeredWith(NioBackend backend) {
        registeredWith.add(backend);
    }

    /**
     * Closes the channel and wakes every selector it is registered with. The JDK defers
     * the real close of a registered channel until each selector has dropped its key, which
     * happens only inside a select; an idle loop would otherwise keep the descriptor (and,
     * with SO_LINGER 0, the reset the peer is waiting for) indefinitely.
     */
    @Override
    protected void closeNow() throws IOException {
        try {
            channel.close();
        } finally {
            for (NioBackend b : registeredWith) {
                b.wakeup();
            }
        }
    }

    @Override
    public String toString() {
        return "nio:" + channel;
    }
}
