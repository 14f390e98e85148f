package io.weft.internal.backend.nio;

import io.weft.internal.backend.Backend;
import io.weft.internal.backend.BackendOp;
import io.weft.internal.backend.FileOps;
import io.weft.internal.backend.FutexWait;
import io.weft.internal.backend.IoOp;
import io.weft.internal.backend.LoopContext;
import io.weft.internal.backend.MsgOps;
import io.weft.internal.backend.NetOps;
import io.weft.internal.linux.Errno;
import io.weft.internal.wait.Op;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * One loop's nio backend.
 */
/*
 * Overview
 *
 * An op first tries its non-blocking call (read, write, accept, finishConnect). If that
 * would block, the op is parked in the socket's Registration for this selector, one slot
 * per kind, and the key's interest set gains the matching bit. When select() reports the
 * key, each parked op retries its call; an op that completes leaves its slot and its bit.
 *
 *   slot      interest      call on readiness
 *   accept    OP_ACCEPT     ServerSocketChannel.accept()
 *   connect   OP_CONNECT    SocketChannel.finishConnect()
 *   read      OP_READ       SocketChannel.read()
 *   write     OP_WRITE      SocketChannel.write()
 *   poll      IN/OUT bits   none: completes with the ready bits
 *
 * A socket used from tasks on several loops has one key (and Registration) per selector.
 * One op per slot: a second concurrent read on the same socket on the same loop waits
 * behind the first in a small queue, so nothing is dropped.
 *
 * Failures become negative errnos (the nio exception's text maps back to its errno); one
 * whose text is unknown travels as the op's attachment so its message is not lost.
 */
final class NioBackend extends Backend {

    private final Selector selector;

    NioBackend(LoopContext loop) throws IOException {
        super(loop);
        this.selector = Selector.open();
    }

    @Override
    public String name() {
        return "nio";
    }

    /** Ops parked on one socket for this selector. Loop thread only. */
    private static final class Registration {
        final SelectionKey key;
        final ArrayDeque<IoOp> ops = new ArrayDeque<>(2);

        Registration(SelectionKey key) {
            this.key = key;
        }

        int interest() {
            int bits = 0;
            for (IoOp op : ops) {
                bits |= interestOf(op);
            }
            return bits;
        }
    }

    private static int interestOf(IoOp op) {
        return switch (op) {
            case NetOps.Accept a -> SelectionKey.OP_ACCEPT;
            case NetOps.Connect c -> SelectionKey.OP_CONNECT;
            case NetOps.Read r -> SelectionKey.OP_READ;
            case NetOps.ReadV r -> SelectionKey.OP_READ;
            case NetOps.Write w -> SelectionKey.OP_WRITE;
            case NetOps.WriteV w -> SelectionKey.OP_WRITE;
            case NetOps.Poll p -> ((p.events & NetOps.POLLIN) != 0 ? SelectionKey.OP_READ : 0)
                    | ((p.events & NetOps.POLLOUT) != 0 ? SelectionKey.OP_WRITE : 0);
            // Not parked: done at once (Shutdown), or not supported here.
            case NetOps.Shutdown _, MsgOps.SendMsg _, MsgOps.RecvMsg _, FileOps.FileOp _, FutexWait _, BackendOp _ -> 0;
        };
    }

    @Override
    public void submit(IoOp op) {
        assert loop.inLoop();
        if (op instanceof NetOps.Shutdown sh) {
            try {
                NioSocket s = (NioSocket) op.handle();
                if (sh.how == NetOps.SHUT_WR) {
                    s.shutdownOutput();
                } else {
                    s.shutdownInput();
                }
                op.complete(0);
            } catch (IOException | RuntimeException e) {
                fail(op, e);
            }
            return;
        }
        if (interestOf(op) == 0) {
            op.complete(-Errno.EOPNOTSUPP);
            return;
        }
        NioSocket s = (NioSocket) op.handle();
        if (op instanceof NetOps.Connect c) {
            try {
                if (s.stream().connect(c.remote)) {
                    op.complete(0);
                    return;
                }
            } catch (IOException | RuntimeException e) {
                fail(op, e);
                return;
            }
        } else if (!(op instanceof NetOps.Poll) && attempt(s, op)) {
            return;
        }
        park(s, op);
    }

    private void park(NioSocket s, IoOp op) {
        try {
            SelectionKey key = s.channel.keyFor(selector);
            Registration reg;
            if (key == null || !key.isValid()) {
                if (key != null) {
                    selector.selectNow(); // flush the cancelled key so the channel can register again
                }
                key = s.channel.register(selector, 0);
                s.registeredWith(this);
                reg = new Registration(key);
                key.attach(reg);
            } else {
                reg = (Registration) key.attachment();
            }
            reg.ops.add(op);
            key.interestOps(reg.interest());
        } catch (ClosedChannelException | CancelledKeyException e) {
            op.complete(-Errno.EBADF);
        } catch (IOException e) {
            fail(op, e);
        }
    }

    /**
     * Tries the op's call once. Returns true if the op is now complete (with a result or an
     * error), false if it would block.
     */
    private static ByteBuffer[] byteBuffers(MemorySegment[] segments) {
        ByteBuffer[] b = new ByteBuffer[segments.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = segments[i].asByteBuffer();
        }
        return b;
    }

    private boolean attempt(NioSocket s, IoOp op) {
        try {
            switch (op) {
                case NetOps.Read r -> {
                    ByteBuffer bb = r.buffer.asByteBuffer();
                    int n = s.stream().read(bb);
                    if (n == 0) {
                        return false;
                    }
                    op.complete(n < 0 ? 0 : n);
                }
                case NetOps.Write w -> {
                    int n = s.stream().write(w.buffer.asByteBuffer());
                    if (n == 0) {
                        return false;
                    }
                    op.complete(n);
                }
                case NetOps.ReadV r -> {
                    long n = s.stream().read(byteBuffers(r.buffers));
                    if (n == 0) {
                        return false;
                    }
                    op.complete(n < 0 ? 0 : n);
                }
                case NetOps.WriteV w -> {
                    long n = s.stream().write(byteBuffers(w.buffers));
                    if (n == 0) {
                        return false;
                    }
                    op.complete(n);
                }
                case NetOps.Accept a -> {
                    SocketChannel ch = s.listener().accept();
                    if (ch == null) {
                        return false;
                    }
                    ch.configureBlocking(false);
                    op.complete(0, new NioSocket(ch));
                }
                case NetOps.Connect c -> {
                    if (!s.stream().finishConnect()) {
                        return false;
                    }
                    op.complete(0);
                }
                case NetOps.Poll _, NetOps.Shutdown _, MsgOps.SendMsg _, MsgOps.RecvMsg _, FileOps.FileOp _, FutexWait _,
                     BackendOp _ -> throw new IllegalStateException("not a retried op: " + op);
            }
        } catch (IOException | RuntimeException e) {
            fail(op, e);
        }
        return true;
    }

    private static void fail(IoOp op, Exception e) {
        if (e instanceof ClosedChannelException) {
            op.complete(-Errno.EBADF);
            return;
        }
        int errno = Errno.fromMessage(e.getMessage());
        if (errno != 0) {
            op.complete(-errno);
        } else {
            op.complete(-Errno.EIO, e instanceof IOException io ? io : new UncheckedIOException(new IOException(e)));
        }
    }

    @Override
    public void poll(long timeoutNanos) {
        assert loop.inLoop();
        try {
            if (timeoutNanos <= 0) {
                selector.selectNow();
            } else if (timeoutNanos == Long.MAX_VALUE) {
                selector.select();
            } else {
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("select failed", e);
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            Registration reg = (Registration) key.attachment();
            if (reg != null) {
                dispatch(key, reg);
            }
        }
    }

    private void dispatch(SelectionKey key, Registration reg) {
        int ready;
        try {
            ready = key.readyOps();
        } catch (CancelledKeyException e) {
            ready = 0xff;
        }
        IoOp first = reg.ops.peek();
        if (first == null) {
            updateInterest(reg);
            return;
        }
        NioSocket s = (NioSocket) first.handle();
        int n = reg.ops.size();
        for (int i = 0; i < n; i++) {
            IoOp op = reg.ops.poll();
            boolean done;
            if ((interestOf(op) & ready) == 0) {
                done = false;
            } else if (op instanceof NetOps.Poll p) {
                int bits = ((ready & SelectionKey.OP_READ) != 0 ? NetOps.POLLIN : 0)
                        | ((ready & SelectionKey.OP_WRITE) != 0 ? NetOps.POLLOUT : 0);
                op.complete(bits & p.events);
                done = true;
            } else {
                done = attempt(s, op);
            }
            if (!done) {
                reg.ops.add(op);
            }
        }
        updateInterest(reg);
    }

    private static void updateInterest(Registration reg) {
        try {
            if (reg.key.isValid()) {
                reg.key.interestOps(reg.interest());
            }
        } catch (CancelledKeyException ignored) {
            // The channel was closed; its ops are being cancelled through Handle.close.
        }
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    protected void cancelOnLoop(IoOp op) {
        assert loop.inLoop();
        if (op.isDone()) {
            return;
        }
        if (op.handle() instanceof NioSocket s && s.channel.keyFor(selector) instanceof SelectionKey key
                && key.attachment() instanceof Registration reg && reg.ops.remove(op)) {
            updateInterest(reg);
        }
        // nio calls are synchronous: a parked op has done nothing yet, so withdrawing loses nothing.
        op.complete(Op.CANCELLED);
    }

    @Override
    public void close() {
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Registration reg) {
                for (IoOp op : reg.ops) {
                    op.complete(Op.CANCELLED);
                }
                reg.ops.clear();
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            System.getLogger(NioBackend.class.getName()).log(System.Logger.Level.DEBUG, "selector close failed", e);
        }
    }
}
