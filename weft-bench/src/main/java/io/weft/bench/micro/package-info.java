/**
 * JMH micro-benchmarks, each a Weft operation beside its JDK default-scheduler
 * equivalent.
 *
 * <p>Conventions, so that {@link io.weft.bench.micro.MicroBench} can run, tabulate and chart
 * a new comparison without changes elsewhere:
 * <ul>
 *   <li>one class per comparison, named {@code <What>Bench}, listed in
 *       {@link io.weft.bench.micro.MicroBench#BENCHMARKS};</li>
 *   <li>the Weft side is a method whose name starts with {@code weft}; each JDK side's
 *       name starts with {@code jdk} (these name the bars and the JSON contenders, e.g.
 *       {@code SpawnJoin.weft}, {@code SpawnJoin.jdkVirtualThreads});</li>
 *   <li>both sides run their body through {@code Drivers} (a Weft task, or a default-scheduler
 *       virtual thread), use the same batch and {@code @OperationsPerInvocation}, and return
 *       a value so that nothing is optimised away.</li>
 * </ul>
 */
package io.weft.bench.micro;
