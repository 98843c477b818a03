package dev.molt.bench;

import dev.molt.Molt;
import dev.molt.Task;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Spawn + join of 1,000,000 empty tasks: Molt's {@code spawn}/{@code join} against raw
 * {@code Thread.ofVirtual().start()}/{@code join()}, in the same run. Score: ns per task.
 *
 * <p>{@code bench/run SpawnJoinBench}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class SpawnJoinBench {
    static final int TASKS = 1_000_000;
    private static final Runnable EMPTY = () -> { };
    /** The same empty body as an Action, shared like {@link #EMPTY}, so neither side allocates a body per task. */
    private static final dev.molt.Action EMPTY_ACTION = () -> { };

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void moltSpawnJoin() throws InterruptedException {
        Task<?>[] tasks = new Task<?>[TASKS];
        for (int i = 0; i < TASKS; i++) {
            tasks[i] = Molt.spawn(EMPTY_ACTION);
        }
        for (Task<?> t : tasks) {
            t.join();
        }
    }

    @Benchmark
    @OperationsPerInvocation(TASKS)
    public void rawVirtualThreadStartJoin() throws InterruptedException {
        Thread[] threads = new Thread[TASKS];
        for (int i = 0; i < TASKS; i++) {
            threads[i] = Thread.ofVirtual().start(EMPTY);
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
