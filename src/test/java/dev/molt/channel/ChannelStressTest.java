package dev.molt.channel;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exact conservation under contention: 8 producers and 8 consumers move 8 x 100,000 distinct values through one
 * channel with every kind of send and receive (plain, timed, try, select, async), while producers and consumers
 * are cancelled and the channel is closed mid-run. Afterwards every value was received exactly once if its
 * sender was told it was delivered, and never if its sender was told it was not.
 */
@Timeout(120)
class ChannelStressTest {
    private static final int P = 8;
    private static final int C = 8;
    private static final int N = 100_000;
    private static final byte DELIVERED = 1;
    private static final byte NOT_DELIVERED = 2;

    @ParameterizedTest
    @ValueSource(ints = {0, 16, Channel.UNLIMITED})
    void everyValueOnceOrReportedNotDelivered(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        AtomicIntegerArray received = new AtomicIntegerArray(P * N);
        byte[][] outcome = new byte[P][N];
        AtomicLong attempts = new AtomicLong();
        scope(s -> {
            List<Task<Void>> producers = new ArrayList<>();
            for (int p = 0; p < P; p++) {
                int id = p;
                producers.add(spawn(() -> produce(ch, id, outcome[id], attempts)));
            }
            List<Task<Void>> consumers = new ArrayList<>();
            for (int c = 0; c < C; c++) {
                consumers.add(spawn(() -> consume(ch, received)));
            }
            // cancel two producers and two consumers along the way, then close while sends are still going on
            waitFor(attempts, P * N / 5);
            producers.get(1).cancel();
            consumers.get(2).cancel();
            waitFor(attempts, P * N * 2L / 5);
            producers.get(5).cancel();
            consumers.get(6).cancel();
            waitFor(attempts, P * N * 13L / 20);
            ch.close();
            return null;
        });
        // a consumer or two may have been cancelled with values still buffered: they are still receivable
        try {
            for (Integer v; (v = ch.tryRecv()) != null; ) {
                received.incrementAndGet(v);
            }
        } catch (ChannelClosedException drained) {
            // expected
        }
        long delivered = 0;
        for (int p = 0; p < P; p++) {
            for (int i = 0; i < N; i++) {
                int v = p * N + i;
                byte o = outcome[p][i];
                assertThat(o).as("outcome of value %d", v).isIn(DELIVERED, NOT_DELIVERED);
                assertThat(received.get(v)).as("times value %d was received (outcome %d)", v, o)
                        .isEqualTo(o == DELIVERED ? 1 : 0);
                if (o == DELIVERED) {
                    delivered++;
                }
            }
        }
        // most values go through: the mix is not dominated by failed non-blocking attempts
        assertThat(delivered).as("delivered values").isGreaterThan(P * N / 4);
    }

    private static void waitFor(AtomicLong attempts, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (attempts.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    private static void produce(Channel<Integer> ch, int id, byte[] outcome, AtomicLong attempts) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int i = 0;
        try {
            for (; i < N; i++) {
                attempts.incrementAndGet();
                int v = id * N + i;
                int op = rnd.nextInt(10);
                boolean ok;
                if (op < 5) {
                    ch.send(v);
                    ok = true;
                } else if (op == 5) {
                    ok = ch.send(v, Duration.ofNanos(rnd.nextInt(20_000)));
                } else if (op == 6) {
                    ok = ch.trySend(v);
                } else if (op == 7) {
                    ok = select(ch.onSend(v, () -> true), onTimeout(Duration.ofNanos(rnd.nextInt(20_000)), () -> false));
                } else if (op == 8) {
                    ok = select(ch.onSend(v, () -> true), onDefault(() -> false));
                } else {
                    ok = sendAsync(ch, v);
                }
                outcome[i] = ok ? DELIVERED : NOT_DELIVERED;
            }
        } catch (ChannelClosedException | CancellationException | InterruptedException e) {
            for (; i < N; i++) {
                outcome[i] = NOT_DELIVERED;
            }
        }
    }

    /** An async send, withdrawn if it has not been delivered within a few microseconds. */
    private static boolean sendAsync(Channel<Integer> ch, int v) throws InterruptedException {
        CompletableFuture<Void> f = ch.sendAsync(v);
        try {
            f.get(ThreadLocalRandom.current().nextInt(20), TimeUnit.MICROSECONDS);
            return true;
        } catch (TimeoutException | InterruptedException e) {
            if (f.cancel(false)) {
                if (e instanceof InterruptedException ie) {
                    throw ie;
                }
                return false;
            }
            return settled(f);
        } catch (ExecutionException e) {
            return false;
        }
    }

    private static boolean settled(CompletableFuture<?> f) {
        try {
            f.join();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void consume(Channel<Integer> ch, AtomicIntegerArray received) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        try {
            while (true) {
                int op = rnd.nextInt(8);
                Integer v;
                if (op < 3) {
                    v = ch.recv();
                } else if (op == 3) {
                    v = ch.recv(Duration.ofNanos(rnd.nextInt(20_000)));
                } else if (op == 4) {
                    v = ch.tryRecv();
                } else if (op == 5) {
                    v = select(ch.onRecv(x -> x), onTimeout(Duration.ofNanos(rnd.nextInt(20_000)), () -> null));
                } else if (op == 6) {
                    v = select(ch.onRecv(x -> x), onDefault(() -> null));
                } else {
                    v = recvAsync(ch);
                }
                if (v != null) {
                    received.incrementAndGet(v);
                }
            }
        } catch (ChannelClosedException | CancellationException | InterruptedException e) {
            // closed and drained, or cancelled: either way this consumer took nothing it did not count
        }
    }

    private static Integer recvAsync(Channel<Integer> ch) throws InterruptedException {
        CompletableFuture<Integer> f = ch.recvAsync();
        try {
            return f.get(ThreadLocalRandom.current().nextInt(20), TimeUnit.MICROSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            if (f.cancel(false)) {
                if (e instanceof InterruptedException ie) {
                    throw ie;
                }
                return null;
            }
            try {
                Integer v = f.join(); // a partner won the race: the value is ours
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                return v;
            } catch (RuntimeException closed) {
                throw new ChannelClosedException("closed");
            }
        } catch (ExecutionException e) {
            throw new ChannelClosedException("closed");
        }
    }
}
