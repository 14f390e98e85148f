package io.weft.bench.ipc;

import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * {@code agrona-one-to-one}: two Agrona {@link OneToOneRingBuffer}s on files the responder
 * makes in the run's directory (under /dev/shm), one for requests and one for responses.
 * Both ends poll with a busy spin ({@link Thread#onSpinWait()}), the way Agrona's own
 * samples drive a ring, and copy each message with {@code write}.
 */
final class AgronaTransport {
    private AgronaTransport() {
    }

    /** Data capacity of each ring (a power of two); the descriptor's trailer comes on top. */
    static final int CAPACITY = 64 * 1024;
    static final String REQUESTS = "agrona-requests";
    static final String RESPONSES = "agrona-responses";
    private static final int MSG_TYPE = 1;

    private static MappedByteBuffer map(Path dir, String name, boolean create) {
        java.io.File f = dir.resolve(name).toFile();
        return create ? IoUtil.mapNewFile(f, CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)
                : IoUtil.mapExistingFile(f, name);
    }

    /** The responder: makes both files, then copies each request into the response ring. */
    static final class Server extends Responder {
        private final MappedByteBuffer requestFile;
        private final MappedByteBuffer responseFile;
        private final OneToOneRingBuffer requests;
        private final OneToOneRingBuffer responses;

        Server(Path dir) {
            requestFile = map(dir, REQUESTS, true);
            responseFile = map(dir, RESPONSES, true);
            requests = new OneToOneRingBuffer(new UnsafeBuffer(requestFile));
            responses = new OneToOneRingBuffer(new UnsafeBuffer(responseFile));
            start("agrona");
        }

        @Override
        void serve() {
            MessageHandler echo = (type, buffer, index, length) -> {
                while (!responses.write(MSG_TYPE, buffer, index, length) && running()) {
                    Thread.onSpinWait();
                }
            };
            while (running()) {
                if (requests.read(echo) == 0) {
                    Thread.onSpinWait();
                }
            }
        }

        @Override
        void release() {
            IoUtil.unmap(requestFile);
            IoUtil.unmap(responseFile);
        }
    }

    /** The requester: maps the responder's files. */
    static final class Client implements IpcRequester, MessageHandler {
        private final MappedByteBuffer requestFile;
        private final MappedByteBuffer responseFile;
        private final OneToOneRingBuffer requests;
        private final OneToOneRingBuffer responses;
        private final UnsafeBuffer message;
        private final SpinWait spin = new SpinWait();
        /** The sequence number of the response read last; written by onMessage. */
        private long received;

        Client(Path dir, int size) {
            requestFile = map(dir, REQUESTS, false);
            responseFile = map(dir, RESPONSES, false);
            requests = new OneToOneRingBuffer(new UnsafeBuffer(requestFile));
            responses = new OneToOneRingBuffer(new UnsafeBuffer(responseFile));
            message = new UnsafeBuffer(IpcRequester.template(size));
        }

        @Override
        public void send(long seq) throws IOException {
            message.putLong(0, seq);
            spin.reset();
            while (!requests.write(MSG_TYPE, message, 0, message.capacity())) {
                spin.spin("room in the request ring");
            }
        }

        @Override
        public long receive() throws IOException {
            spin.reset();
            while (responses.read(this, 1) == 0) {
                spin.spin("response");
            }
            return received;
        }

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            received = buffer.getLong(index);
        }

        @Override
        public void close() {
            IoUtil.unmap(requestFile);
            IoUtil.unmap(responseFile);
        }
    }
}
