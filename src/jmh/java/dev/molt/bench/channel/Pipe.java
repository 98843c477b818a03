package dev.molt.bench.channel;

import dev.molt.Molt;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.SynchronousQueue;

/** One blocking hand-off of each implementation under test, behind one interface. */
interface Pipe {
    void put(Integer v) throws InterruptedException;

    Integer take() throws InterruptedException;

    /**
     * {@code molt}: our channel; {@code jox}: jox's; {@code jdk}: {@link SynchronousQueue} at capacity 0,
     * {@link ArrayBlockingQueue} otherwise; {@code ltq}: {@link LinkedTransferQueue} ({@code transfer} at capacity
     * 0; unbounded {@code put} otherwise, so its buffered rows measure an unbounded queue).
     */
    static Pipe of(String impl, int capacity) {
        return switch (impl) {
            case "molt" -> {
                dev.molt.Channel<Integer> ch = Molt.channel(capacity);
                yield new Pipe() {
                    public void put(Integer v) throws InterruptedException {
                        ch.send(v);
                    }

                    public Integer take() throws InterruptedException {
                        return ch.recv();
                    }
                };
            }
            case "jox" -> {
                com.softwaremill.jox.Channel<Integer> ch = capacity == 0
                        ? com.softwaremill.jox.Channel.newRendezvousChannel()
                        : com.softwaremill.jox.Channel.newBufferedChannel(capacity);
                yield new Pipe() {
                    public void put(Integer v) throws InterruptedException {
                        ch.send(v);
                    }

                    public Integer take() throws InterruptedException {
                        return ch.receive();
                    }
                };
            }
            case "jdk" -> queue(capacity == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(capacity));
            case "ltq" -> {
                LinkedTransferQueue<Integer> q = new LinkedTransferQueue<>();
                yield capacity == 0 ? new Pipe() {
                    public void put(Integer v) throws InterruptedException {
                        q.transfer(v);
                    }

                    public Integer take() throws InterruptedException {
                        return q.take();
                    }
                } : queue(q);
            }
            default -> throw new IllegalArgumentException(impl);
        };
    }

    private static Pipe queue(BlockingQueue<Integer> q) {
        return new Pipe() {
            public void put(Integer v) throws InterruptedException {
                q.put(v);
            }

            public Integer take() throws InterruptedException {
                return q.take();
            }
        };
    }
}
