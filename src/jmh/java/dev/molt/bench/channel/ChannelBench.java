package dev.molt.bench.channel;

import java.util.ArrayList;
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
 * Channel shapes on virtual threads, ns per element (per round trip for ping-pong), our channels against jox and
 * the JDK's queues at capacity 0, 16 and 1024. Each invocation starts the threads of the shape, moves a batch
 * through, and joins them; the batch is large enough that starting threads is noise.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChannelBench {
    static final int BATCH = 20_000;
    static final int FAN_IN_PRODUCERS = 1_000;
    static final int FAN_IN_BATCH = 100_000;
    static final Integer ITEM = 42;

    @Param({"molt", "jox", "jdk", "ltq"})
    public String impl;

    @Param({"0", "16", "1024"})
    public int capacity;

    private Pipe a;
    private Pipe b;

    @Setup
    public void setup() {
        a = Pipe.of(impl, capacity);
        b = Pipe.of(impl, capacity);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void spsc() throws InterruptedException {
        Pipe p = a;
        VirtualThreads.runAll(List.of(() -> {
            for (int i = 0; i < BATCH; i++) {
                p.put(ITEM);
            }
        }, () -> {
            for (int i = 0; i < BATCH; i++) {
                p.take();
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void pingPong() throws InterruptedException {
        Pipe ping = a;
        Pipe pong = b;
        VirtualThreads.runAll(List.of(() -> {
            for (int i = 0; i < BATCH; i++) {
                ping.put(ITEM);
                pong.take();
            }
        }, () -> {
            for (int i = 0; i < BATCH; i++) {
                pong.put(ping.take());
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void mpmc4x4() throws InterruptedException {
        Pipe p = a;
        List<VirtualThreads.Body> bodies = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            bodies.add(() -> {
                for (int i = 0; i < BATCH / 4; i++) {
                    p.put(ITEM);
                }
            });
            bodies.add(() -> {
                for (int i = 0; i < BATCH / 4; i++) {
                    p.take();
                }
            });
        }
        VirtualThreads.runAll(bodies);
    }

    @Benchmark
    @OperationsPerInvocation(FAN_IN_BATCH)
    public void fanIn1000() throws InterruptedException {
        Pipe p = a;
        List<VirtualThreads.Body> bodies = new ArrayList<>();
        bodies.add(() -> {
            for (int i = 0; i < FAN_IN_BATCH; i++) {
                p.take();
            }
        });
        for (int t = 0; t < FAN_IN_PRODUCERS; t++) {
            bodies.add(() -> {
                for (int i = 0; i < FAN_IN_BATCH / FAN_IN_PRODUCERS; i++) {
                    p.put(ITEM);
                }
            });
        }
        VirtualThreads.runAll(bodies);
    }
}
