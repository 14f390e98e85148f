/**
 * The wait layer: one {@link io.weft.internal.wait.Op} per wait of one thread, the one
 * park loop every Weft wait goes through ({@link io.weft.internal.wait.Waits}), and the
 * hooks a select arms on things that are not channels.
 *
 * <p>It sits below both the event loops and the backends, and imports neither: the loop
 * layer reaches it through {@link io.weft.internal.wait.WaitLoop} and
 * {@link io.weft.internal.wait.WaitTask}, which it implements and installs. The public
 * API, {@code sync/}, {@code fs/} and {@code net/} wait through this package.
 */
package io.weft.internal.wait;
