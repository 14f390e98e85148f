package io.weft.internal.loop;

/**
 * The runtime that owns a loop, as this layer knows it. The loop calls nothing on its
 * owner; it holds it so that the layers above can ask whose loop they run on: whether two
 * loops belong to one runtime, and, for the public runtime, which runtime the calling
 * task's loop belongs to. Implemented inside {@code io.weft.Runtime} (not by it: a public
 * class may not expose an internal type).
 */
public interface LoopOwner {
}
