package dev.molt.channel;

import static dev.molt.Molt.*;
import static dev.molt.channel.ChannelTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hand-over between one sender and one receiver, each alone on its side of the channel, so every wait goes
 * through the spin before parking (a partner usually completes it there, without any unpark). A third thread
 * keeps cancelling the token of the operation in flight, interrupting either side and, late in the run, closing
 * the channel, while the operations use short timeouts: so completions race with cancel, interrupt, timeout and
 * close in the spin, at the moment of parking, and while parked (with the token listener registered: the two sides
 * are plain virtual threads under a fresh token per operation, not tasks).
 *
 * <p>Exact conservation: afterwards every value was received exactly once if its send returned "delivered", and
 * never otherwise; no waiter is left in the channel.
 */
@Timeout(120)
class HandOverRaceStressTest {
    private static final int N = 100_000;
    private static final byte DELIVERED = 1;
    private static final byte NOT_DELIVERED = 2;

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void handOverRacingCancelInterruptTimeoutAndClose(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        byte[] outcome = new byte[N];
        AtomicIntegerArray received = new AtomicIntegerArray(N);
        AtomicReference<CancelToken> senderOp = new AtomicReference<>();
        AtomicReference<CancelToken> receiverOp = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger progress = new AtomicInteger();

        Thread sender = Thread.ofVirtual().start(() -> send(ch, outcome, senderOp, progress));
        Thread receiver = Thread.ofVirtual().start(() -> receive(ch, received, receiverOp));
        Thread agitator = Thread.ofVirtual().start(() -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (!done.get()) {
                long until = System.nanoTime() + rnd.nextInt(30_000);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                switch (rnd.nextInt(5)) {
                    case 0 -> cancel(senderOp.get());
                    case 1 -> cancel(receiverOp.get());
                    case 2 -> sender.interrupt();
                    case 3 -> receiver.interrupt();
                    default -> Thread.yield();
                }
                if (progress.get() > N * 3 / 4 && rnd.nextInt(1_000) == 0) {
                    ch.close();
                }
            }
        });
        assertThat(sender.join(Duration.ofSeconds(100))).as("sender ended").isTrue();
        ch.close();
        assertThat(receiver.join(Duration.ofSeconds(10))).as("receiver ended").isTrue();
        done.set(true);
        agitator.join();

        int delivered = 0;
        int refused = 0;
        for (int v = 0; v < N; v++) {
            byte o = outcome[v];
            assertThat(o).as("outcome of value %d", v).isIn(DELIVERED, NOT_DELIVERED);
            assertThat(received.get(v)).as("times value %d was received (outcome %d)", v, o)
                    .isEqualTo(o == DELIVERED ? 1 : 0);
            if (o == DELIVERED) {
                delivered++;
            } else {
                refused++;
            }
        }
        assertThat(delivered).as("delivered").isGreaterThan(N / 10);
        assertThat(refused).as("refused (the races happened)").isPositive();
        assertThat(waiting(ch)).containsExactly(0, 0);
    }

    private static void cancel(CancelToken t) {
        if (t != null) {
            t.cancel();
        }
    }

    private static void send(Channel<Integer> ch, byte[] outcome, AtomicReference<CancelToken> op, AtomicInteger progress) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int i = 0;
        try {
            for (; i < N; i++) {
                int v = i;
                progress.lazySet(i);
                CancelToken t = CancelToken.create();
                op.set(t);
                int kind = rnd.nextInt(4);
                long nanos = rnd.nextInt(5_000);
                boolean ok;
                try {
                    ok = withToken(t, () -> switch (kind) {
                        case 0, 1 -> {
                            ch.send(v);
                            yield true;
                        }
                        case 2 -> ch.send(v, Duration.ofNanos(nanos));
                        default -> select(ch.onSend(v, () -> true), onTimeout(Duration.ofNanos(nanos), () -> false));
                    });
                } catch (CancelledException | InterruptedException e) {
                    ok = false;
                }
                outcome[i] = ok ? DELIVERED : NOT_DELIVERED;
            }
        } catch (ChannelClosedException e) {
            for (; i < N; i++) {
                outcome[i] = NOT_DELIVERED;
            }
        } catch (Exception e) {
            throw new AssertionError("unexpected", e);
        } finally {
            Thread.interrupted();
        }
    }

    private static void receive(Channel<Integer> ch, AtomicIntegerArray received, AtomicReference<CancelToken> op) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (true) {
            CancelToken t = CancelToken.create();
            op.set(t);
            int kind = rnd.nextInt(4);
            long nanos = rnd.nextInt(5_000);
            Integer v;
            try {
                v = withToken(t, () -> switch (kind) {
                    case 0 -> ch.recv();
                    case 1 -> ch.recv(Duration.ofNanos(nanos));
                    case 2 -> select(ch.onRecv(x -> x), onTimeout(Duration.ofNanos(nanos), () -> null));
                    // two clauses on the same channel: a select node among the waiters
                    default -> select(ch.onRecv(x -> x), ch.onRecv(x -> x),
                            onTimeout(Duration.ofMillis(1), () -> null));
                });
            } catch (CancelledException | InterruptedException e) {
                continue;
            } catch (ChannelClosedException e) {
                return;
            } catch (Exception e) {
                throw new AssertionError("unexpected", e);
            }
            if (v != null) {
                received.incrementAndGet(v);
            }
        }
    }
}
