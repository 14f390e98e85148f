package io.weft.pubsub;

import io.weft.Deadline;
import io.weft.DeadlineExceededException;
import io.weft.ipc.SealedMemory;
import io.weft.ipc.SharedDoorbell;
import io.weft.ipc.WaitStrategy;
import io.weft.net.OwnedFd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.weft.pubsub.ChannelLayout.*;

/**
 * What publishers and subscribers share: the channel's memory mapped into this process
 * (checked before use), its buffers, the entry the server gave this endpoint, and its
 * doorbell. Every value read from the shared memory is checked before it is used as an
 * index, a length or a size.
 */
abstract sealed class Endpoint implements AutoCloseable permits Publisher, Subscriber {

    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    final PubSubClient client;
    final String name;
    final int channelId;
    final int index;
    final int slotCount;
    final int metadataLength;
    final WaitStrategy waitStrategy;
    private final Arena arena = Arena.ofShared();
    final MemorySegment control;
    /** Buffers mapped so far, by index; replaced (never changed in place) when more are mapped. */
    private volatile MemorySegment[] buffers = new MemorySegment[0];
    private volatile int[] slotSizes = new int[0];
    private final SharedDoorbell[] subscriberBells = new SharedDoorbell[MAX_SUBSCRIBERS];
    private final SharedDoorbell[] publisherBells = new SharedDoorbell[MAX_PUBLISHERS];
    volatile boolean closed;

    Endpoint(PubSubClient client, String name, WaitStrategy waitStrategy, PubSubClient.Response r) throws IOException {
        this.client = client;
        this.name = name;
        this.waitStrategy = waitStrategy;
        ByteBuffer b = r.body();
        this.channelId = Wire.getInt(b);
        this.index = Wire.getInt(b);
        this.slotCount = Wire.getInt(b);
        this.metadataLength = Wire.getInt(b);
        try {
            if (slotCount < 2 || slotCount > MAX_SLOTS || metadataLength < 0 || metadataLength > MAX_METADATA
                    || index < 0 || index >= Math.min(MAX_PUBLISHERS, MAX_SUBSCRIBERS)) {
                throw new Wire.ProtocolException("the server described channel " + name + " as " + slotCount + " slots, "
                        + metadataLength + " metadata bytes, entry " + index);
            }
            List<OwnedFd> fds = r.fds();
            if (fds.isEmpty()) {
                throw new Wire.ProtocolException("the server passed no memory for channel " + name);
            }
            this.control = map(fds.getFirst(), controlSize(slotCount), "control memory of channel " + name);
            checkHeader();
            for (int i = 0; i < subscriberBells.length; i++) {
                subscriberBells[i] = new SharedDoorbell(control, subOffset(i) + SUB_BELL);
            }
            for (int i = 0; i < publisherBells.length; i++) {
                publisherBells[i] = new SharedDoorbell(control, pubOffset(i) + PUB_BELL);
            }
            addBuffers(b, fds.subList(1, fds.size()));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private MemorySegment map(OwnedFd fd, long expected, String what) throws IOException {
        long size = SealedMemory.checkSealed(fd, what);
        if (size != expected) {
            throw new ChannelCorruptedException(what + " is " + size + " bytes, not the " + expected + " its settings make");
        }
        return fd.map(arena, 0, size);
    }

    private void checkHeader() throws ChannelCorruptedException {
        long magic = (long) LONG.getAcquire(control, MAGIC_OFFSET);
        int version = control.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
        int count = control.get(ValueLayout.JAVA_INT, SLOT_COUNT_OFFSET);
        if (magic != MAGIC || version != VERSION || count != slotCount) {
            throw new ChannelCorruptedException("channel " + name + ": control memory has magic 0x" + Long.toHexString(magic) + ", version " + version
                    + ", " + count + " slots; expected a version " + VERSION + " channel of " + slotCount + " slots");
        }
    }

    /** Maps the buffers a BUFFERS-style reply lists (count, then each slot size) that are not mapped yet. */
    private synchronized void addBuffers(ByteBuffer b, List<OwnedFd> fds) throws IOException {
        int count = Wire.getInt(b);
        if (count < 1 || count > MAX_BUFFERS || count != fds.size()) {
            throw new Wire.ProtocolException("the server listed " + count + " buffers for channel " + name + " with " + fds.size() + " descriptors");
        }
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = Wire.getInt(b);
            if (sizes[i] < 1 || sizes[i] > MAX_SLOT_SIZE) {
                throw new Wire.ProtocolException("the server gave buffer " + i + " of channel " + name + " slots of " + sizes[i] + " bytes");
            }
        }
        MemorySegment[] old = buffers;
        MemorySegment[] next = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            next[i] = i < old.length ? old[i]
                    : map(fds.get(i), bufferSize(slotCount, sizes[i], metadataLength), "buffer " + i + " of channel " + name);
        }
        slotSizes = sizes;
        buffers = next;
    }

    /** The buffer a slot says its message is in, mapping it first if this process has not yet. */
    final MemorySegment buffer(int b) throws IOException {
        MemorySegment[] bs = buffers;
        if (b >= 0 && b < bs.length) {
            return bs[b];
        }
        if (b < 0 || b >= MAX_BUFFERS) {
            throw new ChannelCorruptedException("channel " + name + ": a slot names buffer " + b + " (0 to " + (MAX_BUFFERS - 1) + ")");
        }
        ByteBuffer f = Wire.start(Wire.OP_BUFFERS).putInt(channelId);
        PubSubClient.Response r = client.request(Wire.finish(f));
        try {
            addBuffers(r.body(), r.fds());
        } finally {
            r.closeFds();
        }
        bs = buffers;
        if (b >= bs.length) {
            throw new ChannelCorruptedException("channel " + name + ": a slot names buffer " + b + ", and the server has only " + bs.length);
        }
        return bs[b];
    }

    final int slotSize(int b) {
        return slotSizes[b];
    }

    final int bufferCount() {
        return buffers.length;
    }

    /** Where slot {@code slot}'s payload starts in buffer {@code b}. */
    final long payloadOffset(int b, int slot) {
        return stride(slotSizes[b], metadataLength) * slot;
    }

    final long slotCtl(int slot) {
        return (long) LONG.getVolatile(control, slotOffset(slot) + SLOT_CTL);
    }

    final long tail() {
        return (long) LONG.getVolatile(control, TAIL_OFFSET);
    }

    final SharedDoorbell ownBell() {
        return this instanceof Publisher ? publisherBells[index] : subscriberBells[index];
    }

    /** Rings the bells of every subscriber (after a publish). */
    final void ringSubscribers() {
        long mask = (long) LONG.getVolatile(control, SUB_MASK_OFFSET);
        while (mask != 0) {
            int i = Long.numberOfTrailingZeros(mask);
            subscriberBells[i].ring();
            mask &= mask - 1;
        }
    }

    /** Rings the bells of every publisher (after a slot was released or a cursor moved). */
    final void ringPublishers() {
        long mask = (long) LONG.getVolatile(control, PUB_MASK_OFFSET);
        while (mask != 0) {
            int i = Long.numberOfTrailingZeros(mask);
            publisherBells[i].ring();
            mask &= mask - 1;
        }
    }

    /** Wakes this endpoint's own waiter (the server went away, or it closes). */
    final void wake() {
        ownBell().ring();
    }

    /**
     * Waits with this endpoint's strategy until {@code ready}, the server's end, or the
     * deadline.
     *
     * @throws DeadlineExceededException if the deadline passed first
     */
    final void await(BooleanSupplier ready, Deadline deadline, String what) throws IOException {
        boolean ok;
        try {
            ok = ownBell().await(() -> closed || client.isGone() || ready.getAsBoolean(), waitStrategy, deadline);
        } catch (IllegalStateException e) {
            if (!waitStrategy.runsInTasks()) {
                throw e; // a spinning strategy called from a task: the caller's mistake
            }
            // the bell's words say something no client of this channel writes
            throw new ChannelCorruptedException("channel " + name + ": this " + kind() + "'s doorbell is corrupted (" + e.getMessage() + ")");
        }
        checkOpen();
        if (!ok) {
            throw new DeadlineExceededException("no " + what + " on channel " + name + " before the deadline");
        }
    }

    final void checkOpen() throws IOException {
        if (closed) {
            throw new PubSubException("this " + kind() + " of channel " + name + " is closed");
        }
        String gone = client.goneReason();
        if (gone != null) {
            throw new ServerGoneException(gone);
        }
    }

    abstract String kind();

    @Override
    public abstract void close() throws IOException;

    /** Tells the server this endpoint is gone (it then releases what the endpoint held) and unmaps the channel. */
    final void closeEntry(int op) throws IOException {
        client.forget(this);
        try {
            if (!client.isGone()) {
                client.request(Wire.finish(Wire.start(op).putInt(channelId).putInt(index)));
            }
        } finally {
            arena.close();
        }
    }
}
