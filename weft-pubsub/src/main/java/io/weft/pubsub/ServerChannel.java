package io.weft.pubsub;

import io.weft.ipc.SealedMemory;
import io.weft.ipc.SharedDoorbell;
import io.weft.net.OwnedFd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static io.weft.pubsub.ChannelLayout.*;

/**
 * The server's side of one channel: its memory, its settings, and which session owns each
 * publisher and subscriber entry. Used only by the server's registry task, so nothing here
 * is locked; the shared memory it touches is changed by CAS where clients change it too.
 */
final class ServerChannel implements AutoCloseable {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    final int id;
    final String name;
    final String type;
    final int slotCount;
    final int metadataLength;
    final boolean fixedSize;
    final int maxPublishers;
    final int maxSubscribers;
    final OwnedFd control;
    private final Arena arena = Arena.ofShared();
    final MemorySegment memory;
    final List<OwnedFd> buffers = new ArrayList<>();
    final List<Integer> slotSizes = new ArrayList<>();
    /** The session owning each entry, or null when the entry is free. */
    final PubSubServer.Session[] publisherOwners = new PubSubServer.Session[MAX_PUBLISHERS];
    final PubSubServer.Session[] subscriberOwners = new PubSubServer.Session[MAX_SUBSCRIBERS];
    private final int[] subscriberHeld = new int[MAX_SUBSCRIBERS];
    int publishers;
    int subscribers;

    ServerChannel(int id, String name, String type, int slotSize, int slotCount, int metadataLength, boolean fixedSize,
                  int maxPublishers, int maxSubscribers) throws IOException {
        this.id = id;
        this.name = name;
        this.type = type;
        this.slotCount = slotCount;
        this.metadataLength = metadataLength;
        this.fixedSize = fixedSize;
        this.maxPublishers = maxPublishers;
        this.maxSubscribers = maxSubscribers;
        long size = controlSize(slotCount);
        this.control = SealedMemory.create("weft-pubsub:" + name, size);
        try {
            this.memory = control.map(arena, 0, size);
            memory.set(ValueLayout.JAVA_INT, VERSION_OFFSET, VERSION);
            memory.set(ValueLayout.JAVA_INT, SLOT_COUNT_OFFSET, slotCount);
            LONG.setRelease(memory, MAGIC_OFFSET, MAGIC);
            addBuffer(slotSize);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    int slotSize() {
        return slotSizes.getLast();
    }

    /** A new buffer of {@code slotSize}-byte slots, which publishers joining from now on write. */
    void addBuffer(int slotSize) throws IOException {
        if (buffers.size() == MAX_BUFFERS) {
            throw new PubSubException("channel " + name + " has grown " + (MAX_BUFFERS - 1) + " times already, the most it may");
        }
        buffers.add(SealedMemory.create("weft-pubsub:" + name + ":" + buffers.size(), bufferSize(slotCount, slotSize, metadataLength)));
        slotSizes.add(slotSize);
    }

    /** Slots that publishers and subscribers may hold at once now, each publisher one. */
    int leases() {
        int n = publishers;
        for (int i = 0; i < MAX_SUBSCRIBERS; i++) {
            if (subscriberOwners[i] != null) {
                n += subscriberHeld[i];
            }
        }
        return n;
    }

    /** Refuses a new lease count that leaves no slot free for an unreliable publisher. */
    void checkLeases(int more, String who) throws PubSubException {
        int need = leases() + more + 1;
        if (need > slotCount) {
            throw new PubSubException("channel " + name + " has " + slotCount + " slots; its " + publishers + " publisher(s) and "
                    + subscribers + " subscriber(s) may hold " + leases() + " at once, and " + who + " would hold " + more
                    + " more, so it needs at least " + need + " (every lease plus one), or a publisher could find every slot held; "
                    + "make the channel with more slots, or hold fewer messages at once");
        }
    }

    int addPublisher(PubSubServer.Session owner, boolean reliable) throws PubSubException {
        if (publishers >= maxPublishers) {
            throw new PubSubException("channel " + name + " allows at most " + maxPublishers + " publishers, and has them");
        }
        checkLeases(1, "the new publisher");
        int i = free(publisherOwners);
        publisherOwners[i] = owner;
        publishers++;
        memory.asSlice(pubOffset(i) + PUB_BELL, SharedDoorbell.LENGTH).fill((byte) 0); // whatever the last owner left
        INT.setVolatile(memory, pubOffset(i) + PUB_KIND, reliable ? KIND_RELIABLE : KIND_UNRELIABLE);
        LONG.getAndBitwiseOr(memory, PUB_MASK_OFFSET, 1L << i);
        return i;
    }

    int addSubscriber(PubSubServer.Session owner, boolean reliable, int held, boolean fromOldest) throws PubSubException {
        if (subscribers >= maxSubscribers) {
            throw new PubSubException("channel " + name + " allows at most " + maxSubscribers + " subscribers, and has them");
        }
        checkLeases(held, "the new subscriber");
        int i = free(subscriberOwners);
        subscriberOwners[i] = owner;
        subscriberHeld[i] = held;
        subscribers++;
        long e = subOffset(i);
        memory.asSlice(e + SUB_BELL, SharedDoorbell.LENGTH).fill((byte) 0); // whatever the last owner left
        long tail = (long) LONG.getVolatile(memory, TAIL_OFFSET);
        long start = fromOldest ? oldestOrdinal(tail) : Math.max(1, tail);
        LONG.setVolatile(memory, e + SUB_CURSOR, start);
        LONG.setVolatile(memory, e + SUB_DROPPED, 0L);
        INT.setVolatile(memory, e + SUB_KIND, reliable ? KIND_RELIABLE : KIND_UNRELIABLE);
        LONG.getAndBitwiseOr(memory, SUB_MASK_OFFSET, 1L << i);
        return i;
    }

    /** The smallest ordinal a slot holds, or the one after tail if none does. */
    private long oldestOrdinal(long tail) {
        long oldest = Math.max(1, tail + 1);
        for (int s = 0; s < slotCount; s++) {
            long ctl = (long) LONG.getVolatile(memory, slotOffset(s) + SLOT_CTL);
            if (state(ctl) == PUBLISHED && ordinal(ctl) > 0 && ordinal(ctl) < oldest) {
                oldest = ordinal(ctl);
            }
        }
        return oldest;
    }

    private static int free(Object[] owners) {
        for (int i = 0; i < owners.length; i++) {
            if (owners[i] == null) {
                return i;
            }
        }
        throw new IllegalStateException("no free entry although the cap allows one");
    }

    /**
     * Removes publisher entry {@code i}, whether it closed or died: gives back the slots it
     * held (a message it was taking stays published; one it was writing is dropped) and the
     * publish lock if it held that, repairing the tail first.
     */
    void removePublisher(int i) {
        publisherOwners[i] = null;
        publishers--;
        LONG.getAndBitwiseAnd(memory, PUB_MASK_OFFSET, ~(1L << i));
        INT.setVolatile(memory, pubOffset(i) + PUB_KIND, KIND_FREE);
        long maxPublished = 0;
        for (int s = 0; s < slotCount; s++) {
            long at = slotOffset(s) + SLOT_CTL;
            long ctl = (long) LONG.getVolatile(memory, at);
            if (owner(ctl) == i && state(ctl) == CLAIMED) {
                LONG.compareAndSet(memory, at, ctl, ctl(0, 0, FREE));
            } else if (owner(ctl) == i && state(ctl) == CLAIMING) {
                LONG.compareAndSet(memory, at, ctl, ctl(ordinal(ctl), 0, PUBLISHED));
            }
            ctl = (long) LONG.getVolatile(memory, at);
            if (state(ctl) == PUBLISHED) {
                maxPublished = Math.max(maxPublished, ordinal(ctl));
            }
        }
        if ((int) INT.getVolatile(memory, LOCK_OFFSET) == i + 1) {
            // it died holding the lock, perhaps after making its message visible and before moving the tail
            long tail = (long) LONG.getVolatile(memory, TAIL_OFFSET);
            if (maxPublished > tail && maxPublished < ORDINAL_LIMIT) {
                LONG.setVolatile(memory, TAIL_OFFSET, maxPublished);
            }
            INT.compareAndSet(memory, LOCK_OFFSET, i + 1, 0);
        }
        ringAll();
    }

    /** Removes subscriber entry {@code i}, whether it closed or died, and releases every message it held. */
    void removeSubscriber(int i) {
        subscriberOwners[i] = null;
        subscribers--;
        LONG.getAndBitwiseAnd(memory, SUB_MASK_OFFSET, ~(1L << i));
        INT.setVolatile(memory, subOffset(i) + SUB_KIND, KIND_FREE);
        for (int s = 0; s < slotCount; s++) {
            LONG.getAndBitwiseAnd(memory, slotOffset(s) + SLOT_HOLDERS, ~(1L << i));
        }
        ringAll();
    }

    /** Wakes every waiting publisher and subscriber, to look at the channel again. */
    void ringAll() {
        for (int i = 0; i < MAX_PUBLISHERS; i++) {
            new SharedDoorbell(memory, pubOffset(i) + PUB_BELL).ring();
        }
        for (int i = 0; i < MAX_SUBSCRIBERS; i++) {
            new SharedDoorbell(memory, subOffset(i) + SUB_BELL).ring();
        }
    }

    /** Messages published so far, as the shared memory says (only shown, never trusted). */
    long messages() {
        return Math.max(0, (long) LONG.getVolatile(memory, TAIL_OFFSET));
    }

    /** Drops the current subscribers counted, as the shared memory says (only shown). */
    long drops() {
        long sum = 0;
        for (int i = 0; i < MAX_SUBSCRIBERS; i++) {
            if (subscriberOwners[i] != null) {
                sum += Math.max(0, (long) LONG.getVolatile(memory, subOffset(i) + SUB_DROPPED));
            }
        }
        return sum;
    }

    @Override
    public void close() {
        arena.close();
        for (OwnedFd fd : buffers) {
            closeQuietly(fd);
        }
        closeQuietly(control);
    }

    private static void closeQuietly(OwnedFd fd) {
        try {
            fd.close();
        } catch (IOException ignored) {
            // closing a memfd cannot fail in a way anyone could act on
        }
    }
}
