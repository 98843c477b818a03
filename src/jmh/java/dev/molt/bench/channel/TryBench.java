package dev.molt.bench.channel;

import dev.molt.Channel;
import dev.molt.Molt;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
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
 * The non-blocking operations, SPSC on virtual threads: the producer retries {@code trySend} (the JDK: {@code offer})
 * until it succeeds, the consumer retries {@code tryRecv} ({@code poll}) until it gets a value, both yielding
 * between failed tries. ns per element, ours against {@link ArrayBlockingQueue} (jox 1.0.1 has no such
 * operations).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TryBench {
    static final int BATCH = 20_000;
    static final Integer ITEM = 42;

    @Param({"molt", "jdk"})
    public String impl;

    @Param({"16", "1024"})
    public int capacity;

    private Channel<Integer> channel;
    private ArrayBlockingQueue<Integer> queue;

    @Setup
    public void setup() {
        if (capacity == 0) { // e.g. bench/channels -p capacity=0
            throw new IllegalArgumentException("two try operations never meet at capacity 0: neither waits");
        }
        channel = Molt.channel(capacity);
        queue = new ArrayBlockingQueue<>(capacity);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void spsc() throws InterruptedException {
        if (impl.equals("molt")) {
            Channel<Integer> c = channel;
            VirtualThreads.runAll(List.of(() -> {
                for (int i = 0; i < BATCH; i++) {
                    while (!c.trySend(ITEM)) {
                        Thread.yield();
                    }
                }
            }, () -> {
                for (int i = 0; i < BATCH; i++) {
                    while (c.tryRecv() == null) {
                        Thread.yield();
                    }
                }
            }));
        } else {
            ArrayBlockingQueue<Integer> q = queue;
            VirtualThreads.runAll(List.of(() -> {
                for (int i = 0; i < BATCH; i++) {
                    while (!q.offer(ITEM)) {
                        Thread.yield();
                    }
                }
            }, () -> {
                for (int i = 0; i < BATCH; i++) {
                    while (q.poll() == null) {
                        Thread.yield();
                    }
                }
            }));
        }
    }
}
