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

/** A socket of the nio backend: a non-blocking {@link SocketChannel} or {@link ServerSocketChannel}. */
final class NioSocket extends SocketHandle {

    final SelectableChannel channel;

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

    @Override
    protected void closeNow() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "nio:" + channel;
    }
}
