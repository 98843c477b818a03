package dev.molt.channel;

import static dev.molt.Molt.channel;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Linearizability of the non-blocking operations ({@code trySend}, {@code tryRecv}, {@code close}) against a
 * sequential model: a bounded FIFO that can be closed.
 *
 * <p>Lincheck (2.39) does not run on JDK 25 here (model checking hangs inside {@code ReentrantLock}, the stress
 * strategy fails to retransform classes), so this is the equivalent by hand: run many small concurrent
 * histories (3 threads x 3 operations, started together at a barrier), stamp each operation's invocation and
 * response with a global counter, and search by brute force for an order of the operations that respects
 * real time (A before B if A responded before B was invoked) and in which the model gives every operation the
 * result it actually got.
 */
@Timeout(120)
class ChannelLinearizabilityTest {
    private static final int THREADS = 3;
    private static final int OPS = 3;
    private static final int HISTORIES = 20_000;

    /** One operation of a history: kind 0 trySend(arg), 1 tryRecv, 2 close; result as a string. */
    record Op(int kind, int arg, long inv, long res, String result) {
        @Override
        public String toString() {
            String call = switch (kind) {
                case 0 -> "trySend(" + arg + ")";
                case 1 -> "tryRecv()";
                default -> "close()";
            };
            return call + "=" + result + "@[" + inv + "," + res + "]";
        }
    }

    @Test
    void nonBlockingOperationsAreLinearizable() throws Exception {
        Random rnd = new Random(42);
        AtomicLong clock = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(THREADS + 1);
        CyclicBarrier end = new CyclicBarrier(THREADS + 1);
        int[][] kinds = new int[THREADS][OPS];
        @SuppressWarnings("unchecked")
        List<Op>[] recorded = new List[THREADS];
        Channel<Integer>[] current = new Channel[1];
        int[] capacity = new int[1];
        Thread[] workers = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            recorded[t] = new ArrayList<>();
            workers[t] = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        start.await();
                        Channel<Integer> ch = current[0];
                        if (ch == null) {
                            return;
                        }
                        for (int i = 0; i < OPS; i++) {
                            int kind = kinds[id][i];
                            int arg = id * OPS + i + 1;
                            long inv = clock.incrementAndGet();
                            String result = call(ch, kind, arg);
                            long res = clock.incrementAndGet();
                            recorded[id].add(new Op(kind, arg, inv, res, result));
                        }
                        end.await();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        int checked = 0;
        for (int h = 0; h < HISTORIES; h++) {
            capacity[0] = 1 + rnd.nextInt(2);
            for (int t = 0; t < THREADS; t++) {
                recorded[t].clear();
                for (int i = 0; i < OPS; i++) {
                    int r = rnd.nextInt(10);
                    kinds[t][i] = r < 5 ? 0 : r < 9 ? 1 : 2;
                }
            }
            Channel<Integer> ch = channel(capacity[0]);
            // a prefilled value now and then, so that tryRecv and close race with a non-empty buffer
            List<Integer> prefill = new ArrayList<>();
            if (rnd.nextBoolean()) {
                ch.trySend(100);
                prefill.add(100);
            }
            current[0] = ch;
            start.await();
            end.await();
            List<Op> history = new ArrayList<>();
            for (List<Op> r : recorded) {
                history.addAll(r);
            }
            assertThat(linearizable(history, capacity[0], prefill))
                    .as("history on capacity %d, prefilled %s: %s", capacity[0], prefill, history).isTrue();
            checked++;
        }
        current[0] = null;
        start.await();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(checked).isEqualTo(HISTORIES);
    }

    /** The checker rejects what it should: a value sent, then (strictly later) not found and not closed. */
    @Test
    void checkerRejectsANonLinearizableHistory() {
        List<Op> bad = List.of(new Op(0, 1, 1, 2, "true"), new Op(1, 0, 3, 4, "null"));
        assertThat(linearizable(bad, 1, List.of())).isFalse();
        List<Op> reordered = List.of(new Op(0, 1, 1, 4, "true"), new Op(1, 0, 2, 3, "null"));
        assertThat(linearizable(reordered, 1, List.of())).isTrue();
        List<Op> lostClose = List.of(new Op(2, 0, 1, 2, "void"), new Op(0, 1, 3, 4, "true"));
        assertThat(linearizable(lostClose, 1, List.of())).isFalse();
    }

    private static String call(Channel<Integer> ch, int kind, int arg) {
        try {
            return switch (kind) {
                case 0 -> Boolean.toString(ch.trySend(arg));
                case 1 -> String.valueOf(ch.tryRecv());
                default -> {
                    ch.close();
                    yield "void";
                }
            };
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    // ---------------------------------------------------------------- brute-force linearization

    static boolean linearizable(List<Op> history, int capacity, List<Integer> prefill) {
        Model m = new Model(capacity);
        m.q.addAll(prefill);
        return search(history, new boolean[history.size()], 0, m);
    }

    private static boolean search(List<Op> ops, boolean[] done, int count, Model m) {
        if (count == ops.size()) {
            return true;
        }
        // the earliest response among pending ops bounds which ops may go next (real-time order)
        long minRes = Long.MAX_VALUE;
        for (int i = 0; i < ops.size(); i++) {
            if (!done[i]) {
                minRes = Math.min(minRes, ops.get(i).res());
            }
        }
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (done[i] || op.inv() > minRes) {
                continue;
            }
            Model next = m.copy();
            if (!next.apply(op.kind(), op.arg()).equals(op.result())) {
                continue;
            }
            done[i] = true;
            if (search(ops, done, count + 1, next)) {
                return true;
            }
            done[i] = false;
        }
        return false;
    }

    /** The sequential specification. */
    static final class Model {
        final int capacity;
        final ArrayDeque<Integer> q = new ArrayDeque<>();
        boolean closed;

        Model(int capacity) {
            this.capacity = capacity;
        }

        Model copy() {
            Model m = new Model(capacity);
            m.q.addAll(q);
            m.closed = closed;
            return m;
        }

        String apply(int kind, int arg) {
            switch (kind) {
                case 0 -> {
                    if (closed) {
                        return "closed";
                    }
                    if (q.size() == capacity) {
                        return "false";
                    }
                    q.add(arg);
                    return "true";
                }
                case 1 -> {
                    Integer v = q.poll();
                    return v != null ? v.toString() : closed ? "closed" : "null";
                }
                default -> {
                    closed = true;
                    return "void";
                }
            }
        }
    }
}
