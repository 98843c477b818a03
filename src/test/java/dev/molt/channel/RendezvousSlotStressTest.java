package dev.molt.channel;

import static dev.molt.Molt.*;
import static dev.molt.channel.ChannelTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The race windows of a rendezvous channel's lock-free slot (a lone plain send or receive publishes itself there
 * with a CAS and a partner claims it with a CAS, without the channel lock; see {@code RendezvousChannel}):
 *
 * <ul>
 *   <li>a publisher racing an operation that enqueues under the lock (a select, an async bridge, a second plain
 *       waiter): the Dekker handshake must never leave both waiting (a lost rendezvous hangs, and the test times
 *       out);</li>
 *   <li>claims racing the waiter's own timeout (both sides with tiny timeouts): exact conservation;</li>
 *   <li>close racing a publisher: nothing is delivered to a receive that started after {@code close} returned,
 *       and a send is delivered if and only if its partner received it.</li>
 * </ul>
 */
@Timeout(120)
class RendezvousSlotStressTest {
    private static final int N = 100_000;

    /**
     * One side always publishes lock-free (plain untimed operations), the other always enqueues under the lock
     * (select, async, or a plain operation while a select of its own side waits): every value must arrive; a lost
     * rendezvous would leave both parked.
     */
    @Test
    void slotPublisherAgainstLockedEnqueuersLosesNoRendezvous() throws Exception {
        for (boolean plainSends : new boolean[] {true, false}) {
            Channel<Integer> ch = channel();
            Channel<Integer> other = channel();
            AtomicIntegerArray received = new AtomicIntegerArray(N);
            Thread plain = TimedRaceChecks.startPlainSide(ch, plainSends, 0, N, received);
            Thread locked = TimedRaceChecks.startLockedSide(ch, other, !plainSends, 0, N, received, 3);
            assertThat(plain.join(Duration.ofSeconds(30))).as("plain side ended (plain sends: %s)", plainSends).isTrue();
            assertThat(locked.join(Duration.ofSeconds(10))).as("locked side ended").isTrue();
            TimedRaceChecks.assertEachValueReceivedOnce(received, ch, other);
        }
    }

    /**
     * A sender and a receiver that start every hand-over at the same moment (a spin barrier per value), so both
     * find the channel idle and race to publish themselves in the slot; the loser must meet the winner there (it
     * looks at the slot again before appending to its queue). Every value arrives once and in order, and nothing
     * is left waiting.
     */
    @Test
    void partnersArrivingTogetherMeetInTheSlot() throws Exception {
        int n = 20_000;
        Channel<Integer> ch = channel();
        AtomicInteger arrived = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    startTogether(arrived, i);
                    assertThat(ch.recv()).isEqualTo(i);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        for (int i = 0; i < n; i++) {
            startTogether(arrived, i);
            ch.send(i);
        }
        assertThat(receiver.join(Duration.ofSeconds(30))).as("receiver ended").isTrue();
        assertThat(failure.get()).isNull();
        assertThat(waiting(ch)).containsExactly(0, 0);
    }

    /** A two-party spin barrier for round {@code i}: returns once both parties have arrived at it. */
    private static void startTogether(AtomicInteger arrived, int i) {
        arrived.incrementAndGet();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (arrived.get() < 2 * (i + 1)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the other party did not reach round " + i);
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Two senders and two receivers with tiny random timeouts (mixed with untimed ones), so lone waiters keep
     * publishing themselves in the slot and leaving it while partners claim them: each value is received exactly
     * once if its send returned true, never otherwise, and nothing is left waiting.
     */
    @Test
    void claimsRacingTimeoutsConserveEveryValue() throws Exception {
        Channel<Integer> ch = channel();
        int senders = 2;
        int per = N / senders;
        byte[] delivered = new byte[N];
        AtomicIntegerArray received = new AtomicIntegerArray(N);
        AtomicInteger sendersLeft = new AtomicInteger(senders);
        Thread[] threads = new Thread[4];
        for (int s = 0; s < senders; s++) {
            int base = s * per;
            threads[s] = TimedRaceChecks.startTimedSender(ch, base, base + per, 4, 3_000, delivered, sendersLeft);
        }
        for (int r = 0; r < 2; r++) {
            threads[senders + r] = TimedRaceChecks.startTimedReceiver(ch, received, 4, 3_000);
        }
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofSeconds(100))).as("%s ended", t).isTrue();
        }
        TimedRaceChecks.assertEachValueReceivedOnceIffDelivered(delivered, received, ch);
    }

    /**
     * Per round a fresh channel, a sender, a receiver and a closer start together. The send is delivered if and
     * only if the receiver got its value; the closer's own receive, started after its {@code close} returned, never
     * gets a value (a sender that published itself in the slot just after the close must not be claimed by it).
     */
    @Test
    void closeRacingSlotPublicationHasOneOutcome() throws Exception {
        int rounds = 20_000;
        int delivered = 0;
        int closedFirst = 0;
        for (int round = 0; round < rounds; round++) {
            Channel<Integer> ch = channel();
            boolean withReceiver = (round & 1) == 0;
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Object> sent = new AtomicReference<>();
            AtomicReference<Object> got = new AtomicReference<>();
            AtomicReference<Object> afterClose = new AtomicReference<>();
            Thread sender = Thread.ofVirtual().start(() -> {
                await(go);
                try {
                    ch.send(7);
                    sent.set(true);
                } catch (ChannelClosedException e) {
                    sent.set(false);
                } catch (InterruptedException e) {
                    sent.set(e);
                }
            });
            Thread receiver = !withReceiver ? null : Thread.ofVirtual().start(() -> {
                await(go);
                try {
                    got.set(ch.recv());
                } catch (ChannelClosedException e) {
                    got.set(false);
                } catch (InterruptedException e) {
                    got.set(e);
                }
            });
            Thread closer = Thread.ofVirtual().start(() -> {
                await(go);
                if (ThreadLocalRandom.current().nextBoolean()) {
                    Thread.yield();
                }
                ch.close();
                try {
                    afterClose.set(ch.recv());
                } catch (ChannelClosedException e) {
                    afterClose.set(false);
                } catch (InterruptedException e) {
                    afterClose.set(e);
                }
            });
            go.countDown();
            assertThat(sender.join(Duration.ofSeconds(10))).as("sender ended, round %d", round).isTrue();
            assertThat(closer.join(Duration.ofSeconds(10))).as("closer ended, round %d", round).isTrue();
            if (receiver != null) {
                assertThat(receiver.join(Duration.ofSeconds(10))).as("receiver ended, round %d", round).isTrue();
            }
            assertThat(afterClose.get()).as("receive after close, round %d", round).isEqualTo(false);
            if (withReceiver) {
                assertThat(got.get()).as("receiver, round %d", round).isEqualTo(sent.get() == Boolean.TRUE ? 7 : false);
                if (sent.get() == Boolean.TRUE) {
                    delivered++;
                } else {
                    closedFirst++;
                }
            } else {
                assertThat(sent.get()).as("a send with no receiver but the closer's, round %d", round).isEqualTo(false);
            }
            assertThat(waiting(ch)).containsExactly(0, 0);
        }
        assertThat(delivered).as("rounds where the hand-over won").isPositive();
        assertThat(closedFirst).as("rounds where close won").isPositive();
    }

    /** A waiter in the slot is cancelled by a partner's arrival racing its async withdrawal: one outcome each. */
    @Test
    void asyncWithdrawalRacingSlotClaims() throws Exception {
        Channel<Integer> ch = channel();
        AtomicIntegerArray received = new AtomicIntegerArray(N);
        byte[] outcome = new byte[N];
        Thread sender = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < N; i++) {
                CompletableFuture<Void> f = ch.sendAsync(i);
                if ((i & 1) == 0) {
                    Thread.onSpinWait();
                }
                boolean withdrawn = f.cancel(false);
                outcome[i] = (byte) (withdrawn ? 2 : 1);
                if (!withdrawn) {
                    f.join();
                }
            }
            ch.close();
        });
        Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                for (Integer v : ch) {
                    received.incrementAndGet(v);
                }
            } catch (ChannelClosedException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(sender.join(Duration.ofSeconds(100))).isTrue();
        assertThat(receiver.join(Duration.ofSeconds(10))).isTrue();
        for (int v = 0; v < N; v++) {
            assertThat(received.get(v)).as("value %d (outcome %d)", v, outcome[v]).isEqualTo(outcome[v] == 1 ? 1 : 0);
        }
        assertThat(waiting(ch)).containsExactly(0, 0);
        assertThatThrownBy(ch::recv).isInstanceOf(ChannelClosedException.class);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
