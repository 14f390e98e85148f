/**
 * Channels, select and synchronization primitives whose waits are Weft waits.
 *
 * <h2>What is here</h2>
 * <ul>
 *   <li>{@link io.weft.sync.Channel}: bounded, unbounded and rendezvous channels, many
 *       senders to many receivers, FIFO-fair, closeable, iterable.</li>
 *   <li>{@link io.weft.sync.BroadcastChannel}: every receiver gets every message; a
 *       receiver that falls behind is told how many it missed
 *       ({@link io.weft.sync.LaggedException}).</li>
 *   <li>{@link io.weft.sync.Select}: wait for the first of several channel receives,
 *       channel sends, task ends and a timeout; exactly one fires.</li>
 *   <li>{@link io.weft.sync.Semaphore}, {@link io.weft.sync.Mutex} with
 *       {@link io.weft.sync.Condition}, {@link io.weft.sync.RwLock},
 *       {@link io.weft.sync.Event}, {@link io.weft.sync.Notify},
 *       {@link io.weft.sync.WaitGroup}, {@link io.weft.sync.Barrier},
 *       {@link io.weft.sync.Promise}.</li>
 * </ul>
 *
 * <h2>What every blocking method here promises</h2>
 * <ul>
 *   <li><b>Deadlines.</b> Each has {@link java.time.Duration} and
 *       {@link io.weft.Deadline} forms; when time runs out it throws
 *       {@link io.weft.DeadlineExceededException} having taken nothing. In a task the
 *       deadline is a timer on the task's event loop; on a platform thread, a timed park.
 *       The {@code try} forms never wait and answer with a sentinel ({@code false} or
 *       {@code null}); they never throw because of contention.</li>
 *   <li><b>Cancellation.</b> When the task is cancelled (or the thread interrupted) the
 *       wait throws {@link java.util.concurrent.CancellationException}, having taken
 *       nothing; the interrupt status is kept. A task that is already cancelled does not
 *       start a wait. If a hand-over (a value, a permit, the lock, a signal) and the
 *       cancellation race, exactly one wins: either the call returns normally with what was
 *       handed over (and the cancellation shows at the next wait), or it throws and the
 *       thing handed over goes to the next waiter or stays where it was. Nothing is lost
 *       and nothing is given twice.</li>
 *   <li><b>Fairness.</b> Waiters are served in the order they started waiting.</li>
 *   <li><b>Any thread.</b> Tasks on any loop and platform threads can share one
 *       structure; a wake-up across loops is an unpark like any other.</li>
 * </ul>
 *
 * <h2>These or {@code java.util.concurrent}?</h2>
 * The {@code java.util.concurrent} locks, queues, latches and futures also work inside
 * Weft tasks: a task is a virtual thread, and they park it without blocking its event loop
 * (in JDK 25, holding a {@code synchronized} monitor or a {@code ReentrantLock} does not
 * pin the carrier either). {@link io.weft.Task#cancel()} interrupts the task's thread, so
 * their interruptible waits end too, with {@code InterruptedException}.
 * <p>Use the ones in this package when
 * <ul>
 *   <li>a wait must honour a {@link io.weft.Deadline} passed down a call chain, or end
 *       when the task is cancelled even if the code between clears interrupts;</li>
 *   <li>you want the cancellation contract above (a {@code BlockingQueue.poll(timeout)}
 *       that is interrupted also takes nothing, but j.u.c has nothing like a select over
 *       several queues);</li>
 *   <li>you need {@link io.weft.sync.Select}, closeable channels, broadcast with lag
 *       reporting, or Go/Tokio shapes ({@code WaitGroup}, {@code Notify}).</li>
 * </ul>
 * <p>Use {@code java.util.concurrent} when
 * <ul>
 *   <li>the structure is shared with code that is not Weft-aware (libraries, executors,
 *       callbacks) and expects a {@code BlockingQueue}, {@code Lock} or
 *       {@code CompletableFuture};</li>
 *   <li>you need reentrancy, or {@code Condition}s on a j.u.c lock, or lock-free
 *       structures with no waiting at all ({@code ConcurrentHashMap},
 *       {@code ConcurrentLinkedQueue}, atomics): nothing here replaces those;</li>
 *   <li>a critical section is a few field writes: {@code synchronized} or a
 *       {@code ReentrantLock} is cheaper than any wait, and never reaches the event
 *       loop.</li>
 * </ul>
 *
 * <h2>How they are built</h2>
 * Each structure keeps its state and a FIFO of waiters under one small lock held for a
 * few field writes, never across a park. A waiter points at the {@code Op} its thread
 * parks on (the same single-state-word operation that socket reads use); handing
 * something to a waiter is completing that op, whose one CAS decides against a
 * concurrent cancellation. A select shares one op among all its cases, so the first
 * channel to complete it wins and the others find it taken.
 */
package io.weft.sync;
