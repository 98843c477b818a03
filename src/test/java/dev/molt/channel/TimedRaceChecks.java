package dev.molt.channel;

import static dev.molt.Molt.select;
import static dev.molt.channel.ChannelTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The sides and the final checks shared by the channel stress tests (which race timeouts, selects, async operations
 * and the two locks against hand-overs).
 */
final class TimedRaceChecks {
    /** What a sender recorded for its value: {@link #DELIVERED} if its send said so, else {@link #NOT_DELIVERED}. */
    static final byte DELIVERED = 1;
    static final byte NOT_DELIVERED = 2;

    private TimedRaceChecks() {
    }

    /**
     * Starts a virtual thread that receives from {@code ch} until it is closed, one receive in {@code untimedOneIn}
     * untimed and the others with a random timeout below {@code maxTimeoutNanos}, counting each value it gets.
     */
    static Thread startTimedReceiver(Channel<Integer> ch, AtomicIntegerArray received, int untimedOneIn,
            int maxTimeoutNanos) {
        return Thread.ofVirtual().start(() -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            try {
                while (true) {
                    Integer v = rnd.nextInt(untimedOneIn) == 0
                            ? ch.recv()
                            : ch.recv(Duration.ofNanos(rnd.nextInt(maxTimeoutNanos)));
                    if (v != null) {
                        received.incrementAndGet(v);
                    }
                }
            } catch (ChannelClosedException e) {
                // done
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    /**
     * Starts a virtual thread that sends {@code from} to {@code to - 1}, one send in {@code untimedOneIn} untimed and
     * the others with a random timeout below {@code maxTimeoutNanos}, recording each outcome in {@code delivered};
     * the last of the senders sharing {@code sendersLeft} closes {@code ch}.
     */
    static Thread startTimedSender(Channel<Integer> ch, int from, int to, int untimedOneIn, int maxTimeoutNanos,
            byte[] delivered, AtomicInteger sendersLeft) {
        return Thread.ofVirtual().start(() -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            try {
                for (int i = from; i < to; i++) {
                    boolean ok;
                    if (rnd.nextInt(untimedOneIn) == 0) {
                        ch.send(i);
                        ok = true;
                    } else {
                        ok = ch.send(i, Duration.ofNanos(rnd.nextInt(maxTimeoutNanos)));
                    }
                    delivered[i] = ok ? DELIVERED : NOT_DELIVERED;
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                if (sendersLeft.decrementAndGet() == 0) {
                    ch.close();
                }
            }
        });
    }

    /** Starts a virtual thread that sends {@code from} to {@code to - 1} untimed, or receives as many and counts them. */
    static Thread startPlainSide(Channel<Integer> ch, boolean sends, int from, int to, AtomicIntegerArray received) {
        return Thread.ofVirtual().start(() -> {
            try {
                for (int i = from; i < to; i++) {
                    if (sends) {
                        ch.send(i);
                    } else {
                        received.incrementAndGet(ch.recv());
                    }
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    /**
     * Starts a virtual thread that sends {@code from} to {@code to - 1} on {@code ch} (or receives as many, counting
     * them) only in ways that enqueue under the channel's lock, picked at random among the first {@code kinds}: a select
     * over {@code ch} and {@code other}, an async bridge, a select with two clauses on {@code ch}, a plain operation
     * (which may wait behind the others).
     */
    static Thread startLockedSide(Channel<Integer> ch, Channel<Integer> other, boolean sends, int from, int to,
            AtomicIntegerArray received, int kinds) {
        return Thread.ofVirtual().start(() -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            try {
                for (int i = from; i < to; i++) {
                    int v = i;
                    switch (rnd.nextInt(kinds)) {
                        case 0 -> {
                            if (sends) {
                                select(ch.onSend(v, () -> null), other.onSend(v, () -> null));
                            } else {
                                received.incrementAndGet(select(ch.onRecv(x -> x), other.onRecv(x -> x)));
                            }
                        }
                        case 1 -> {
                            if (sends) {
                                ch.sendAsync(v).get(60, TimeUnit.SECONDS);
                            } else {
                                received.incrementAndGet(ch.recvAsync().get(60, TimeUnit.SECONDS));
                            }
                        }
                        case 2 -> {
                            // one channel twice: two of our nodes in one queue, each a possible match
                            if (sends) {
                                select(ch.onSend(v, () -> null), ch.onSend(v, () -> null));
                            } else {
                                received.incrementAndGet(select(ch.onRecv(x -> x), ch.onRecv(x -> x)));
                            }
                        }
                        default -> {
                            if (sends) {
                                ch.send(v);
                            } else {
                                received.incrementAndGet(ch.recv());
                            }
                        }
                    }
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    /** Every value was received exactly once, and no waiter is left on {@code channels}. */
    static void assertEachValueReceivedOnce(AtomicIntegerArray received, Channel<?>... channels) {
        for (int v = 0; v < received.length(); v++) {
            assertThat(received.get(v)).as("value %d", v).isEqualTo(1);
        }
        for (Channel<?> ch : channels) {
            assertThat(waiting(ch)).containsExactly(0, 0);
        }
    }

    /**
     * Exact conservation: every value has an outcome, a delivered one was received exactly once and an undelivered
     * one never; both outcomes happened (so the races did); no waiter is left on {@code ch}.
     */
    static void assertEachValueReceivedOnceIffDelivered(byte[] delivered, AtomicIntegerArray received,
            Channel<?> ch) {
        int yes = 0;
        int no = 0;
        for (int v = 0; v < delivered.length; v++) {
            assertThat(delivered[v]).as("outcome of %d", v).isIn(DELIVERED, NOT_DELIVERED);
            assertThat(received.get(v)).as("times %d was received (outcome %d)", v, delivered[v])
                    .isEqualTo(delivered[v] == DELIVERED ? 1 : 0);
            if (delivered[v] == DELIVERED) {
                yes++;
            } else {
                no++;
            }
        }
        assertThat(yes).as("delivered").isPositive();
        assertThat(no).as("timed out (the races happened)").isPositive();
        assertThat(waiting(ch)).containsExactly(0, 0);
    }
}
