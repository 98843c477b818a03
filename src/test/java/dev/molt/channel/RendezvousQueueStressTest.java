package dev.molt.channel;

import static dev.molt.Molt.*;
import static dev.molt.channel.ChannelTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The race windows of a rendezvous channel's lock-free appends (ADR 0008: a plain send or receive that finds the slot
 * taken appends its waiter to its side's wait queue without the lock, and re-checks the other side; completions,
 * removals and everything else stay under the lock; see {@code RendezvousChannel} and {@code WaitQueue}):
 *
 * <ul>
 *   <li>several plain appenders against operations that enqueue under the lock (select, async): the Dekker
 *       handshake must never leave both sides waiting (a lost rendezvous hangs and the test times out) and every
 *       value arrives exactly once;</li>
 *   <li>appends racing removals (tiny timeouts on both sides, so waiters keep leaving from the middle and the end
 *       of a queue while others append behind them): exact conservation, no waiter left;</li>
 *   <li>close racing appenders: a send either was received or threw, a receive started after {@code close}
 *       returned gets nothing, nothing is left waiting.</li>
 * </ul>
 */
@Timeout(120)
class RendezvousQueueStressTest {
    private static final int N = 100_000;

    @Test
    void appendersAgainstLockedEnqueuersLoseNoRendezvous() throws Exception {
        for (boolean plainSends : new boolean[] {true, false}) {
            Channel<Integer> ch = channel();
            Channel<Integer> other = channel();
            int plainThreads = 4;
            int per = N / plainThreads;
            AtomicIntegerArray received = new AtomicIntegerArray(N);
            List<Thread> plain = new ArrayList<>();
            for (int t = 0; t < plainThreads; t++) {
                int base = t * per;
                plain.add(TimedRaceChecks.startPlainSide(ch, plainSends, base, base + per, received));
            }
            int lockedThreads = 2;
            int lockedPer = N / lockedThreads;
            List<Thread> locked = new ArrayList<>();
            for (int t = 0; t < lockedThreads; t++) {
                int base = t * lockedPer;
                locked.add(TimedRaceChecks.startLockedSide(ch, other, !plainSends, base, base + lockedPer, received, 4));
            }
            for (Thread t : plain) {
                assertThat(t.join(Duration.ofSeconds(50))).as("plain side ended (plain sends: %s)", plainSends).isTrue();
            }
            for (Thread t : locked) {
                assertThat(t.join(Duration.ofSeconds(10))).as("locked side ended").isTrue();
            }
            TimedRaceChecks.assertEachValueReceivedOnce(received, ch, other);
        }
    }

    /**
     * A select over both directions of one channel, against plain appenders of one direction only: it can only
     * complete with them, never with its own node on the other side (which the late match under the lock walks
     * past).
     */
    @Test
    void selectOnBothSidesOfOneChannelNeverMatchesItself() throws Exception {
        for (boolean plainSends : new boolean[] {true, false}) {
            Channel<Integer> ch = channel();
            int plainThreads = 4;
            int per = N / 2 / plainThreads;
            AtomicIntegerArray received = new AtomicIntegerArray(N / 2);
            List<Thread> plain = new ArrayList<>();
            for (int t = 0; t < plainThreads; t++) {
                int base = t * per;
                plain.add(TimedRaceChecks.startPlainSide(ch, plainSends, base, base + per, received));
            }
            Thread both = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < N / 2; i++) {
                        Integer got = select(ch.onRecv(x -> x), ch.onSend(plainSends ? -1 : i, () -> null));
                        if (plainSends) {
                            assertThat(got).as("the select's send completed, but nobody receives").isNotNull();
                            received.incrementAndGet(got);
                        } else {
                            assertThat(got).as("the select's receive completed, but nobody else sends").isNull();
                        }
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            for (Thread t : plain) {
                assertThat(t.join(Duration.ofSeconds(50))).as("plain side ended (plain sends: %s)", plainSends).isTrue();
            }
            assertThat(both.join(Duration.ofSeconds(10))).as("select side ended").isTrue();
            TimedRaceChecks.assertEachValueReceivedOnce(received, ch);
        }
    }

    @Test
    void appendsRacingRemovalsConserveEveryValue() throws Exception {
        Channel<Integer> ch = channel();
        int senders = 5;
        int receivers = 3;
        int per = N / senders;
        byte[] delivered = new byte[N];
        AtomicIntegerArray received = new AtomicIntegerArray(N);
        AtomicInteger sendersLeft = new AtomicInteger(senders);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int base = s * per;
            threads.add(TimedRaceChecks.startTimedSender(ch, base, base + per, 3, 20_000, delivered, sendersLeft));
        }
        for (int r = 0; r < receivers; r++) {
            threads.add(TimedRaceChecks.startTimedReceiver(ch, received, 3, 20_000));
        }
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofSeconds(100))).as("%s ended", t).isTrue();
        }
        TimedRaceChecks.assertEachValueReceivedOnceIffDelivered(delivered, received, ch);
    }

    @Test
    void closeRacingAppendersHasOneOutcomePerSend() throws Exception {
        int rounds = 2_000;
        int senders = 8;
        for (int round = 0; round < rounds; round++) {
            Channel<Integer> ch = channel();
            byte[] outcome = new byte[senders];
            AtomicIntegerArray received = new AtomicIntegerArray(senders);
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int v = s;
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        ch.send(v);
                        outcome[v] = 1;
                    } catch (ChannelClosedException e) {
                        outcome[v] = 2;
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            Thread receiver = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = ThreadLocalRandom.current().nextInt(senders); i > 0; i--) {
                        received.incrementAndGet(ch.recv());
                    }
                } catch (ChannelClosedException e) {
                    // closed first
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            AtomicInteger afterClose = new AtomicInteger(-2);
            Thread closer = Thread.ofVirtual().start(() -> {
                for (int i = ThreadLocalRandom.current().nextInt(50); i > 0; i--) {
                    Thread.onSpinWait();
                }
                ch.close();
                // a sender that appended itself just after the close must not be taken by a receive started now
                try {
                    afterClose.set(ch.recv());
                } catch (ChannelClosedException e) {
                    afterClose.set(-1);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            for (Thread t : threads) {
                assertThat(t.join(Duration.ofSeconds(10))).as("sender ended, round %d", round).isTrue();
            }
            assertThat(receiver.join(Duration.ofSeconds(10))).as("receiver ended, round %d", round).isTrue();
            assertThat(closer.join(Duration.ofSeconds(10))).isTrue();
            assertThat(afterClose.get()).as("receive after close, round %d", round).isEqualTo(-1);
            for (int v = 0; v < senders; v++) {
                assertThat(received.get(v)).as("value %d (outcome %d), round %d", v, outcome[v], round)
                        .isEqualTo(outcome[v] == 1 ? 1 : 0);
            }
            assertThat(waiting(ch)).containsExactly(0, 0);
        }
    }
}
