package io.weft.pubsub;

import io.weft.ipc.WaitStrategy;

/**
 * How a subscriber reads its channel.
 *
 * @param reliable          publishers that are reliable never overwrite a message before this subscriber read it
 * @param maxHeld           messages it may hold (not yet closed) at once, 1 to 64; the server counts them
 *                          against the channel's slots
 * @param type              the type it expects, or null for any
 * @param fromOldest        start at the oldest message the channel still has, not the newest
 * @param verifyChecksum    check the CRC32C of messages that carry one
 * @param deliverBad        with verifyChecksum: deliver a bad message marked {@link Message#checksumOk() bad}
 *                          instead of throwing {@link ChecksumException}
 * @param includeActivation deliver publishers' activation messages (empty, {@link Message#isActivation()})
 * @param slotSize          slot size if this subscriber creates the channel
 * @param slotCount         slot count if this subscriber creates the channel
 * @param waitStrategy      how {@link Subscriber#next} waits
 */
public record SubscriberOptions(boolean reliable, int maxHeld, String type, boolean fromOldest, boolean verifyChecksum, boolean deliverBad,
                                boolean includeActivation, int slotSize, int slotCount, WaitStrategy waitStrategy) {

    public SubscriberOptions {
        if (maxHeld < 1 || maxHeld > 64) {
            throw new IllegalArgumentException("maxHeld must be 1 to 64: " + maxHeld);
        }
        if (slotSize < 1 || slotSize > ChannelLayout.MAX_SLOT_SIZE || slotCount < 2 || slotCount > ChannelLayout.MAX_SLOTS) {
            throw new IllegalArgumentException("slotSize must be 1 to " + ChannelLayout.MAX_SLOT_SIZE + " and slotCount 2 to "
                    + ChannelLayout.MAX_SLOTS + ": " + slotSize + ", " + slotCount);
        }
        if (waitStrategy == null) {
            throw new NullPointerException("waitStrategy");
        }
    }

    /** Unreliable, holds one message, any type, from the newest, no checksum checks, notifying waits. */
    public static SubscriberOptions defaults() {
        return new SubscriberOptions(false, 1, null, false, false, false, false, 4096, 16, WaitStrategy.notifying());
    }

    /** These options, reliable or not. */
    public SubscriberOptions withReliable(boolean reliable) {
        return new SubscriberOptions(reliable, maxHeld, type, fromOldest, verifyChecksum, deliverBad, includeActivation, slotSize, slotCount, waitStrategy);
    }

    /** These options, holding up to {@code maxHeld} messages at once. */
    public SubscriberOptions withMaxHeld(int maxHeld) {
        return new SubscriberOptions(reliable, maxHeld, type, fromOldest, verifyChecksum, deliverBad, includeActivation, slotSize, slotCount, waitStrategy);
    }

    /** These options, expecting the type {@code type} (null for any). */
    public SubscriberOptions withType(String type) {
        return new SubscriberOptions(reliable, maxHeld, type, fromOldest, verifyChecksum, deliverBad, includeActivation, slotSize, slotCount, waitStrategy);
    }

    /** These options, starting at the oldest message the channel has, or at the newest. */
    public SubscriberOptions withFromOldest(boolean fromOldest) {
        return new SubscriberOptions(reliable, maxHeld, type, fromOldest, verifyChecksum, deliverBad, includeActivation, slotSize, slotCount, waitStrategy);
    }

    /** These options, verifying checksums, and whether a bad message is delivered marked bad instead of thrown. */
    public SubscriberOptions withChecksum(boolean verify, boolean deliverBad) {
        return new SubscriberOptions(reliable, maxHeld, type, fromOldest, verify, deliverBad, includeActivation, slotSize, slotCount, waitStrategy);
    }

    /** These options, delivering activation messages, or skipping them. */
    public SubscriberOptions withActivation(boolean includeActivation) {
        return new SubscriberOptions(reliable, maxHeld, type, fromOldest, verifyChecksum, deliverBad, includeActivation, slotSize, slotCount, waitStrategy);
    }

    /** These options, the slots of the channel if this subscriber creates it. */
    public SubscriberOptions withSlots(int slotSize, int slotCount) {
        return new SubscriberOptions(reliable, maxHeld, type, fromOldest, verifyChecksum, deliverBad, includeActivation, slotSize, slotCount, waitStrategy);
    }

    /** These options, waiting with {@code waitStrategy}. */
    public SubscriberOptions withWaitStrategy(WaitStrategy waitStrategy) {
        return new SubscriberOptions(reliable, maxHeld, type, fromOldest, verifyChecksum, deliverBad, includeActivation, slotSize, slotCount, waitStrategy);
    }
}
