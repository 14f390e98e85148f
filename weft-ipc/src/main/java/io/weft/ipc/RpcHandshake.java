package io.weft.ipc;

import io.weft.Deadline;
import io.weft.net.OwnedFd;
import io.weft.net.PeerCredentials;
import io.weft.net.UnixMessage;
import io.weft.net.UnixStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The connect handshake over the Unix socket: each side checks the other's uid
 * (SO_PEERCRED), the client says which protocol and ring versions it speaks, the server
 * makes the two rings in sealed memfds and passes them with four eventfd doorbells
 * (SCM_RIGHTS), and the client checks the seals and sizes, maps the rings and says so.
 * The rings have no names: nothing to guess or make in advance, nothing left in /dev/shm
 * after a crash, and a client cannot shrink them under the server (F_SEAL_SHRINK).
 *
 * <pre>
 *  client -> server  HELLO   magic "WRPC" (4) | protocol version (4) | ring version (4)
 *  server -> client  REPLY   magic (4) | length of the rest (4) | status (4) | ...
 *                            OK:      capacity (4), with 6 descriptors attached: the
 *                                     request ring, the response ring (sealed memfds),
 *                                     then eventfds for request records, request space,
 *                                     response records, response space
 *                            REFUSED: reason (length (4), UTF-8)
 *  client -> server  ACK     1 byte, after mapping both rings
 * </pre>
 */
final class RpcHandshake {
    private RpcHandshake() {
    }

    static final int MAGIC = 0x5752_5043; // "WRPC"
    /** 2: rings passed as sealed memfds (1 passed the names of ring files). */
    static final int PROTOCOL_VERSION = 2;
    /** Descriptors in an OK reply: two rings, four doorbells. */
    static final int REPLY_FDS = 6;
    static final int OK = 0;
    static final int REFUSED = 1;

    static int ownUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    private static PeerCredentials checkPeer(UnixStream s, String peerRole) throws IOException {
        PeerCredentials peer = s.peerCredentials();
        int uid = ownUid();
        if (peer.uid() != uid) {
            throw new RpcException("refusing the " + peerRole + " (pid " + peer.pid() + "): it runs as uid " + peer.uid() + ", this process as uid " + uid);
        }
        return peer;
    }

    // ---- client ------------------------------------------------------------------------------

    static RpcChannel connect(UnixStream s, RpcOptions options, Deadline deadline) throws IOException {
        PeerCredentials server = checkPeer(s, "server");
        ByteBuffer hello = ByteBuffer.allocate(12).putInt(MAGIC).putInt(PROTOCOL_VERSION).putInt(RingLayout.VERSION).flip();
        s.writeAll(hello, deadline);
        ByteBuffer reply = ByteBuffer.allocate(8192);
        List<OwnedFd> fds = new ArrayList<>();
        ManyToOneRing tx = null;
        ManyToOneRing rx = null;
        try {
            try (UnixMessage m = s.receive(reply, REPLY_FDS, deadline)) {
                if (m.length() < 0) {
                    throw new RpcException("the server (pid " + server.pid() + ") closed the connection during the handshake");
                }
                for (int i = 0; i < m.fds().size(); i++) {
                    fds.add(m.takeFd(i));
                }
            }
            while (reply.position() < 8) {
                readMore(s, reply, deadline);
            }
            if (reply.getInt(0) != MAGIC) {
                throw new RpcException("the peer at " + s.remoteAddress() + " is not a Weft RPC server (bad handshake magic)");
            }
            int rest = reply.getInt(4);
            if (rest < 4 || rest > reply.capacity() - 8) {
                throw new RpcException("malformed handshake reply (" + rest + " bytes)");
            }
            while (reply.position() < 8 + rest) {
                readMore(s, reply, deadline);
            }
            reply.flip().position(8);
            int status = reply.getInt();
            if (status != OK) {
                throw new RpcException("the server (pid " + server.pid() + ") refused the connection: " + string(reply));
            }
            if (fds.size() != REPLY_FDS) {
                throw new RpcException("the server passed " + fds.size() + " descriptors, not " + REPLY_FDS + " (two rings, four doorbells)");
            }
            reply.getInt(); // capacity: the ring headers and sizes say it, and open() checks them
            tx = ManyToOneRing.open(fds.get(0)); // checks seals and size before mapping
            rx = ManyToOneRing.open(fds.get(1));
            List<OwnedFd> bells = new ArrayList<>(fds.subList(2, REPLY_FDS));
            closeAll(null, null, fds.subList(0, 2)); // the rings hold their own duplicates
            fds = bells;
            tx.useEventFds(bells.get(0), bells.get(1));
            rx.useEventFds(bells.get(2), bells.get(3));
            s.writeAll(ByteBuffer.wrap(new byte[] {1}), deadline);
            return new RpcChannel("rpc client of server pid " + server.pid(), tx, rx, s, bells, server.pid(), options);
        } catch (IOException | RuntimeException e) {
            closeAll(tx, rx, fds);
            throw e;
        }
    }

    private static void readMore(UnixStream s, ByteBuffer b, Deadline deadline) throws IOException {
        if (s.read(b, deadline) < 0) {
            throw new RpcException("the connection ended in the middle of the handshake");
        }
    }

    private static String string(ByteBuffer b) throws RpcException {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new RpcException("malformed handshake string of length " + n);
        }
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putInt(bytes.length).put(bytes);
    }

    // ---- server ------------------------------------------------------------------------------

    static RpcChannel accept(UnixStream s, RpcOptions options, Deadline deadline) throws IOException {
        PeerCredentials client;
        try {
            client = checkPeer(s, "client");
        } catch (RpcException e) {
            refuse(s, e.getMessage(), deadline);
            throw e;
        }
        ByteBuffer hello = ByteBuffer.allocate(12);
        if (s.read(hello, deadline) < 0) {
            // what a check that a server listens does (RpcServer.bind's own stale-socket probe, for one)
            throw new RpcPeerGoneException("client pid " + client.pid() + " closed the connection before its hello");
        }
        s.readFully(hello, deadline);
        hello.flip();
        if (hello.getInt() != MAGIC) {
            throw new RpcException("client pid " + client.pid() + " is not a Weft RPC client (bad handshake magic)");
        }
        int protocol = hello.getInt();
        int ringVersion = hello.getInt();
        if (protocol != PROTOCOL_VERSION || ringVersion != RingLayout.VERSION) {
            String why = "client pid " + client.pid() + " speaks protocol " + protocol + " with ring version " + ringVersion
                    + "; this server speaks protocol " + PROTOCOL_VERSION + " with ring version " + RingLayout.VERSION;
            refuse(s, why, deadline);
            throw new RpcException(why);
        }
        List<OwnedFd> fds = new ArrayList<>();
        ManyToOneRing rx = null;
        ManyToOneRing tx = null;
        try {
            rx = ManyToOneRing.create(options.ringCapacity());
            tx = ManyToOneRing.create(options.ringCapacity());
            for (int i = 0; i < 4; i++) {
                fds.add(OwnedFd.eventfd(0));
            }
            rx.useEventFds(fds.get(0), fds.get(1));
            tx.useEventFds(fds.get(2), fds.get(3));
            ByteBuffer reply = ByteBuffer.allocate(64);
            reply.putInt(MAGIC).putInt(0).putInt(OK).putInt(options.ringCapacity());
            reply.putInt(4, reply.position() - 8).flip();
            List<OwnedFd> passed = new ArrayList<>(List.of(rx.sharedMemory(), tx.sharedMemory()));
            passed.addAll(fds);
            s.send(reply, deadline, passed.toArray(new OwnedFd[0]));
            if (reply.hasRemaining()) {
                s.writeAll(reply, deadline);
            }
            ByteBuffer ack = ByteBuffer.allocate(1);
            if (s.read(ack, deadline) != 1) {
                throw new RpcException("client pid " + client.pid() + " left during the handshake");
            }
            return new RpcChannel("rpc server session of client pid " + client.pid(), tx, rx, s, fds, client.pid(), options);
        } catch (IOException | RuntimeException e) {
            closeAll(tx, rx, fds);
            throw e;
        }
    }

    private static void refuse(UnixStream s, String why, Deadline deadline) {
        ByteBuffer b = ByteBuffer.allocate(8192);
        b.putInt(MAGIC).putInt(0).putInt(REFUSED);
        putString(b, why.length() > 2000 ? why.substring(0, 2000) : why);
        b.putInt(4, b.position() - 8).flip();
        try {
            s.writeAll(b, deadline);
        } catch (IOException | RuntimeException ignored) {
            // the refusal is a courtesy; the caller closes the connection either way
        }
    }

    private static void closeAll(ShmRing a, ShmRing b, List<OwnedFd> fds) {
        for (AutoCloseable c : new AutoCloseable[] {a, b}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing; the first error is the one reported
                }
            }
        }
        for (OwnedFd fd : fds) {
            try {
                fd.close();
            } catch (IOException ignored) {
                // as above
            }
        }
    }
}
