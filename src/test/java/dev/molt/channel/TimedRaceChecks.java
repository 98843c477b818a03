package dev.molt.channel;

import static dev.molt.channel.ChannelTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/** The receiving side and the final check shared by the stress tests that race timeouts against hand-overs. */
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
