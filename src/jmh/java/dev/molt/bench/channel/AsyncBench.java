package dev.molt.bench.channel;

import dev.molt.Channel;
import dev.molt.Molt;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The async bridges, SPSC: the producer sends each value with {@code sendAsync} and waits for its future, the
 * consumer receives with {@code recvAsync} and waits likewise (on virtual threads, so waiting parks). At capacity 16
 * and 1024 most futures are complete when returned. ns per element; ours only (neither jox nor the JDK's queues have
 * such bridges).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AsyncBench {
    static final int BATCH = 20_000;
    static final Integer ITEM = 42;

    @Param({"0", "16", "1024"})
    public int capacity;

    private Channel<Integer> channel;

    @Setup
    public void setup() {
        channel = Molt.channel(capacity);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void spsc() throws InterruptedException {
        Channel<Integer> c = channel;
        VirtualThreads.runAll(List.of(() -> {
            for (int i = 0; i < BATCH; i++) {
                c.sendAsync(ITEM).join();
            }
        }, () -> {
            for (int i = 0; i < BATCH; i++) {
                c.recvAsync().join();
            }
        }));
    }
}
