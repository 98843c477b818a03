package dev.molt.bench.channel;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Molt;
import dev.molt.SelectClause;
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
 * {@code select} over k channels on virtual threads, ns per selected element, ours against jox's. {@link #select}:
 * k producers each feed their own channel, one consumer selects a receive over all k until it has the whole batch.
 * {@link #selectSend}: the mirror (fan-out): one producer selects a send over all k, k consumers each drain their
 * own channel until the producer closes them all.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SelectBench {
    static final int BATCH = 20_000;
    static final Integer ITEM = 42;

    @Param({"molt", "jox"})
    public String impl;

    @Param({"2", "4"})
    public int channels;

    @Param({"0", "16"})
    public int capacity;

    private List<Channel<Integer>> molt;
    private List<com.softwaremill.jox.Channel<Integer>> jox;

    @Setup
    public void setup() {
        molt = new ArrayList<>();
        jox = new ArrayList<>();
        for (int i = 0; i < channels; i++) {
            molt.add(Molt.channel(capacity));
            jox.add(capacity == 0 ? com.softwaremill.jox.Channel.newRendezvousChannel()
                    : com.softwaremill.jox.Channel.newBufferedChannel(capacity));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void select() throws InterruptedException {
        int k = channels;
        List<VirtualThreads.Body> bodies = new ArrayList<>();
        if (impl.equals("molt")) {
            for (Channel<Integer> c : molt) {
                bodies.add(() -> {
                    for (int i = 0; i < BATCH / k; i++) {
                        c.send(ITEM);
                    }
                });
            }
            bodies.add(() -> {
                @SuppressWarnings("unchecked")
                SelectClause<Integer>[] clauses = new SelectClause[k];
                for (int i = 0; i < BATCH; i++) {
                    for (int j = 0; j < k; j++) {
                        clauses[j] = molt.get(j).onRecv(v -> v);
                    }
                    Molt.select(clauses);
                }
            });
        } else {
            for (com.softwaremill.jox.Channel<Integer> c : jox) {
                bodies.add(() -> {
                    for (int i = 0; i < BATCH / k; i++) {
                        c.send(ITEM);
                    }
                });
            }
            bodies.add(() -> {
                @SuppressWarnings("unchecked")
                com.softwaremill.jox.SelectClause<Integer>[] clauses = new com.softwaremill.jox.SelectClause[k];
                for (int i = 0; i < BATCH; i++) {
                    for (int j = 0; j < k; j++) {
                        clauses[j] = jox.get(j).receiveClause();
                    }
                    com.softwaremill.jox.Select.select(clauses);
                }
            });
        }
        VirtualThreads.runAll(bodies);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void selectSend() throws InterruptedException {
        int k = channels;
        setup(); // fresh channels: this benchmark closes them at the end of each invocation
        List<VirtualThreads.Body> bodies = new ArrayList<>();
        if (impl.equals("molt")) {
            for (Channel<Integer> c : molt) {
                bodies.add(() -> {
                    try {
                        for (;;) {
                            c.recv();
                        }
                    } catch (ChannelClosedException e) {
                        // the producer is done
                    }
                });
            }
            bodies.add(() -> {
                @SuppressWarnings("unchecked")
                SelectClause<Integer>[] clauses = new SelectClause[k];
                for (int i = 0; i < BATCH; i++) {
                    for (int j = 0; j < k; j++) {
                        clauses[j] = molt.get(j).onSend(ITEM, () -> null);
                    }
                    Molt.select(clauses);
                }
                for (Channel<Integer> c : molt) {
                    c.close();
                }
            });
        } else {
            for (com.softwaremill.jox.Channel<Integer> c : jox) {
                bodies.add(() -> {
                    while (!(c.receiveOrClosed() instanceof com.softwaremill.jox.ChannelClosed)) {
                        // drain until done
                    }
                });
            }
            bodies.add(() -> {
                @SuppressWarnings("unchecked")
                com.softwaremill.jox.SelectClause<Void>[] clauses = new com.softwaremill.jox.SelectClause[k];
                for (int i = 0; i < BATCH; i++) {
                    for (int j = 0; j < k; j++) {
                        clauses[j] = jox.get(j).sendClause(ITEM);
                    }
                    com.softwaremill.jox.Select.select(clauses);
                }
                for (com.softwaremill.jox.Channel<Integer> c : jox) {
                    c.done();
                }
            });
        }
        VirtualThreads.runAll(bodies);
    }
}
