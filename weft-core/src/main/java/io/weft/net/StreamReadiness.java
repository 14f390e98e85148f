package io.weft.net;

import io.weft.internal.backend.Capability;
import io.weft.internal.backend.NetOps;
import io.weft.internal.backend.SocketHandle;
import io.weft.internal.loop.EventLoop;
import io.weft.internal.wait.Failures;
import io.weft.internal.wait.Op;
import io.weft.internal.wait.SelectHooks;

/**
 * How a select waits for a {@link SocketStream} to become readable or writable: a
 * {@link NetOps.Poll} on the selecting task's loop. There is no readiness check under the
 * select's channel locks: the poll is armed after them and, if the socket is ready
 * already, completes at the backend's next turn. Withdrawing cancels the poll without
 * waiting for it: it holds no buffer, and its late completion only tries to fire a
 * selector that is already done.
 */
final class StreamReadiness implements SelectHooks.Source {
    private final SocketHandle handle;
    private final int events;

    StreamReadiness(SocketHandle handle, SelectHooks.Event event) {
        this.handle = handle;
        this.events = switch (event) {
            case READABLE -> NetOps.POLLIN;
            case WRITABLE -> NetOps.POLLOUT;
            case DONE -> throw new IllegalArgumentException("a stream has no " + event + " event");
        };
    }

    @Override
    public Op arm(Op sel, int index) {
        EventLoop loop = Failures.inTask(EventLoop.current(), "Select with a socket case");
        if (!loop.provider().capabilities().contains(Capability.POLL)) {
            throw new UnsupportedOperationException("the " + loop.provider().name()
                    + " backend cannot wait for socket readiness; use io_uring, epoll or nio");
        }
        ForwardingPoll p = new ForwardingPoll(handle, events, sel, index);
        loop.submit(p);
        return p;
    }

    @Override
    public void withdraw(Op armed) {
        armed.requestCancel(Op.CANCEL_TASK);
    }

    /**
     * A readiness poll that fires its case when it ends, whatever the outcome: ready, or an
     * error such as a closed socket, which the handler's read or write then reports.
     */
    private static final class ForwardingPoll extends NetOps.Poll {
        private final Op sel;
        private final int index;

        ForwardingPoll(SocketHandle handle, int events, Op sel, int index) {
            super(handle, events);
            this.sel = sel;
            this.index = index;
        }

        @Override
        protected void afterDone() {
            sel.complete(index, null);
        }
    }
}
