package dev.molt.channel;

import static dev.molt.Molt.*;
import static dev.molt.channel.ChannelTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.SelectClause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Select over buffered channels against plain operations that hold one lock of a channel only (ADR 0009): a
 * select's fast path is such an operation itself, and its locked scan holds both locks (ADR 0011). A value sent
 * while a select parks must reach it, a sender waiting for room must get in after a select takes, and a value a
 * select sends must reach a waiting receiver. All operations here are untimed, so a lost hand-over is a stall,
 * caught by a deadline.
 */
@Timeout(180)
class SelectOverBufferedStressTest {
    /** How long a run may take before it counts as stalled ({@code -Dmolt.stress.stallSeconds}). */
    private static final long STALL_SECONDS = Long.getLong("molt.stress.stallSeconds", 30);

    /**
     * Selectors receive from every channel (one channel twice, and a rendezvous channel beside the buffered ones,
     * which is locked whole); each channel has its own senders. Every value is received exactly once, each
     * selector takes its share, and nobody is left waiting.
     */
    @ParameterizedTest
    @CsvSource({"1, 2, 1, 1", "1, 2, 2, 3", "2, 4, 1, 2", "16, 2, 3, 2", "16, 4, 2, 4"})
    void selectorsOverBufferedChannelsReceiveEveryValueOnce(int capacity, int buffered, int sendersPerChannel,
            int selectors) throws Exception {
        List<Channel<Integer>> channels = new ArrayList<>();
        for (int c = 0; c < buffered; c++) {
            channels.add(channel(capacity));
        }
        channels.add(channel()); // a rendezvous channel beside them
        int perSender = 20_000;
        int senders = channels.size() * sendersPerChannel;
        int n = senders * perSender;
        AtomicIntegerArray received = new AtomicIntegerArray(n);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            Channel<Integer> ch = channels.get(s % channels.size());
            int base = s * perSender;
            threads.add(TimedRaceChecks.startPlainSide(ch, true, base, base + perSender, received));
        }
        for (int r = 0; r < selectors; r++) {
            int count = n / selectors + (r < n % selectors ? 1 : 0);
            threads.add(Thread.ofVirtual().start(() -> {
                SelectClause<Integer>[] clauses = clauses(channels.size() + 1);
                try {
                    for (int i = 0; i < count; i++) {
                        for (int c = 0; c < channels.size(); c++) {
                            clauses[c] = channels.get(c).onRecv(v -> v);
                        }
                        clauses[channels.size()] = channels.get(0).onRecv(v -> v); // the same channel twice
                        received.incrementAndGet(select(clauses));
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        joinAll(threads, channels);
        for (int v = 0; v < n; v++) {
            assertThat(received.get(v)).as("times value %d was received", v).isEqualTo(1);
        }
        for (Channel<Integer> ch : channels) {
            assertThat(ch.size()).isZero();
            assertThat(waiting(ch)).containsExactly(0, 0);
        }
    }

    /**
     * One sender and one selector in lockstep over k buffered channels: value {@code i} goes to channel
     * {@code i % k} only once the selector has taken everything before it, so the selector is parked (or about to
     * park) when it comes, and no later send can heal a value left beside it.
     */
    @ParameterizedTest
    @CsvSource({"1, 1", "1, 2", "2, 3", "16, 2"})
    void aValueSentWhileTheSelectParksReachesIt(int capacity, int k) throws Exception {
        List<Channel<Integer>> channels = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            channels.add(channel(capacity));
        }
        SelectClause<Integer>[] clauses = clauses(k); // used by the selector's thread only
        Lockstep.aValueSentWhileTheReceiverWaitsReachesIt(100_000, i -> channels.get(i % k).send(i), () -> {
            for (int c = 0; c < k; c++) {
                clauses[c] = channels.get(c).onRecv(v -> v);
            }
            return select(clauses);
        }, channels, STALL_SECONDS);
    }

    /**
     * The mirror image: a sender fills one of the channels; the selector takes value {@code i} only once the
     * sender has completed every send the room it made allows, so a sender left parked beside free room (the
     * select's move of waiting senders missing) stalls the run.
     */
    @ParameterizedTest
    @CsvSource({"1", "2", "16"})
    void aSenderWaitingForRoomGetsInAfterASelectTakes(int capacity) throws Exception {
        Channel<Integer> full = channel(capacity);
        Channel<Integer> idle = channel(capacity);
        Lockstep.aSenderWaitingForRoomGetsInAfterEachTake(full, capacity, 100_000,
                () -> select(idle.<Integer>onRecv(x -> -1), full.<Integer>onRecv(x -> x)), STALL_SECONDS);
    }

    /**
     * Both ends select: value {@code i} is sent by a select over k channels only once the receiving select (over
     * the same k) has taken everything before it, so the receiver is parked (or about to park) when it comes.
     */
    @ParameterizedTest
    @CsvSource({"0, 2", "1, 1", "1, 2", "2, 3", "16, 2"})
    void aValueASelectSendsReachesASelectThatWaits(int capacity, int k) throws Exception {
        List<Channel<Integer>> channels = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            channels.add(channel(capacity));
        }
        SelectClause<Object>[] sends = objectClauses(k); // used by the sender's thread only
        SelectClause<Integer>[] receives = clauses(k); // used by the selector's thread only
        Lockstep.aValueSentWhileTheReceiverWaitsReachesIt(100_000, i -> {
            for (int c = 0; c < k; c++) {
                sends[c] = channels.get(c).onSend(i, () -> null);
            }
            select(sends);
        }, () -> {
            for (int c = 0; c < k; c++) {
                receives[c] = channels.get(c).onRecv(v -> v);
            }
            return select(receives);
        }, channels, STALL_SECONDS);
    }

    @SuppressWarnings("unchecked")
    private static SelectClause<Object>[] objectClauses(int k) {
        return new SelectClause[k];
    }

    @SuppressWarnings("unchecked")
    private static SelectClause<Integer>[] clauses(int k) {
        return new SelectClause[k];
    }

    private static void joinAll(List<Thread> threads, List<Channel<Integer>> channels) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(STALL_SECONDS).toNanos();
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))))
                    .as("thread ended (else a hand-over was lost: %s)", channels).isTrue();
        }
    }
}
