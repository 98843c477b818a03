package dev.molt.channel;

import static dev.molt.Molt.*;
import static dev.molt.channel.ChannelTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Overflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The two-lock buffered channel (BufferedChannel, ADR 0009): a send and a receive each hold only their own side's lock,
 * and the one whose value made the ring non-empty (or whose take made it non-full) settles the other side afterwards.
 *
 * <p>{@link #untimedPartnersNeverStall}: only untimed {@code send}/{@code recv}, so a lost settle (a receiver left
 * waiting while the ring holds a value, a sender left waiting while it has room) is a hang, caught by the join
 * deadline; one sender and one receiver leave nobody else to cover for a lost hand-over. Removing either half of
 * the settle ({@code settle(true, false)} after a send, {@code settle(false, true)} after a receive) makes it fail.
 *
 * <p>{@link #mixedOperationsConserveEveryValue}: every kind of operation at once (untimed, timed with tiny timeouts,
 * {@code try}, {@code select} with a timeout, async), then close and drain. Exact conservation: a value is received
 * exactly once if its send reported it delivered, never otherwise; each receiver sees each sender's values in the
 * order they were sent (FIFO); no waiter is left.
 */
@Timeout(180)
class ChannelTwoLockStressTest {
    private static final byte DELIVERED = 1;
    private static final byte NOT_DELIVERED = 2;
    /** How long the untimed run may take before it counts as stalled ({@code -Dmolt.stress.stallSeconds}). */
    private static final long STALL_SECONDS = Long.getLong("molt.stress.stallSeconds", 30);

    @ParameterizedTest
    @CsvSource({"1, 1, 1", "2, 1, 1", "16, 1, 1", "1, 3, 3", "4, 3, 2", "4, 64, 1", "16, 200, 2"})
    void untimedPartnersNeverStall(int capacity, int senders, int receivers) throws Exception {
        int perSender = 200_000 / senders;
        int n = perSender * senders;
        Channel<Integer> ch = channel(capacity);
        AtomicIntegerArray received = new AtomicIntegerArray(n);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int base = s * perSender;
            threads.add(TimedRaceChecks.startPlainSide(ch, true, base, base + perSender, received));
        }
        int[] perReceiver = split(n, receivers);
        for (int r = 0; r < receivers; r++) {
            threads.add(TimedRaceChecks.startPlainSide(ch, false, 0, perReceiver[r], received));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(STALL_SECONDS).toNanos();
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))))
                    .as("thread ended (else a hand-over was lost: %s)", ch).isTrue();
        }
        for (int v = 0; v < n; v++) {
            assertThat(received.get(v)).as("times value %d was received", v).isEqualTo(1);
        }
        assertThat(ch.size()).isZero();
        assertThat(waiting(ch)).containsExactly(0, 0);
    }

    /**
     * One sender and one receiver in lockstep, so no later operation can heal a lost hand-over: the sender sends
     * value {@code i} only once the receiver has taken everything before it, so a receiver left parked beside a
     * buffered value (the send's settle of waiting receivers missing) stalls the run.
     */
    @ParameterizedTest
    @CsvSource({"1", "2", "16"})
    void aValueSentToAWaitingReceiverArrivesWithNoLaterSend(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        Lockstep.aValueSentWhileTheReceiverWaitsReachesIt(100_000, ch::send, ch::recv, ch, STALL_SECONDS);
    }

    /**
     * The mirror image: the receiver takes value {@code i} only once the sender has completed every send the room it
     * made allows, so a sender left parked beside free room (the receive's move of waiting senders missing) stalls
     * the run.
     */
    @ParameterizedTest
    @CsvSource({"1", "2", "16"})
    void aSenderWaitingForRoomGetsInWithNoLaterReceive(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        Lockstep.aSenderWaitingForRoomGetsInAfterEachTake(ch, capacity, 100_000, ch::recv, STALL_SECONDS);
    }

    private static int[] split(int n, int parts) {
        int[] a = new int[parts];
        for (int i = 0; i < parts; i++) {
            a[i] = n / parts + (i < n % parts ? 1 : 0);
        }
        return a;
    }

    @ParameterizedTest
    @CsvSource({"1, 4, 4", "3, 4, 2", "16, 2, 4", "64, 6, 6"})
    void mixedOperationsConserveEveryValue(int capacity, int senders, int receivers) throws Exception {
        int perSender = 40_000;
        int n = perSender * senders;
        Channel<Integer> ch = channel(capacity, Overflow.SUSPEND);
        byte[] outcome = new byte[n];
        AtomicIntegerArray received = new AtomicIntegerArray(n);
        List<Thread> sendThreads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int base = s * perSender;
            sendThreads.add(Thread.ofVirtual().start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 0; i < perSender; i++) {
                    int v = base + i;
                    outcome[v] = send(ch, v, rnd) ? DELIVERED : NOT_DELIVERED;
                }
            }));
        }
        List<Thread> recvThreads = new ArrayList<>();
        List<String> orderErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int r = 0; r < receivers; r++) {
            recvThreads.add(Thread.ofVirtual().start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                int[] lastSeen = new int[senders];
                java.util.Arrays.fill(lastSeen, -1);
                for (;;) {
                    Integer v;
                    try {
                        v = receive(ch, rnd);
                    } catch (ChannelClosedException e) {
                        return;
                    }
                    if (v == null) {
                        continue;
                    }
                    received.incrementAndGet(v);
                    int s = v / perSender;
                    if (v <= lastSeen[s]) {
                        orderErrors.add("value " + v + " after " + lastSeen[s]);
                    }
                    lastSeen[s] = v;
                }
            }));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (Thread t : sendThreads) {
            assertThat(t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))))
                    .as("sender ended: %s", ch).isTrue();
        }
        ch.close();
        for (Thread t : recvThreads) {
            assertThat(t.join(Duration.ofSeconds(30))).as("receiver ended: %s", ch).isTrue();
        }
        assertThat(orderErrors).as("FIFO per sender").isEmpty();
        int delivered = 0;
        for (int v = 0; v < n; v++) {
            byte o = outcome[v];
            assertThat(o).as("outcome of value %d", v).isIn(DELIVERED, NOT_DELIVERED);
            assertThat(received.get(v)).as("times value %d was received (outcome %d)", v, o)
                    .isEqualTo(o == DELIVERED ? 1 : 0);
            delivered += o == DELIVERED ? 1 : 0;
        }
        assertThat(delivered).as("delivered").isGreaterThan(n / 10);
        assertThat(delivered).as("some sends gave up (the races happened)").isLessThan(n);
        assertThat(ch.size()).isZero();
        assertThat(waiting(ch)).containsExactly(0, 0);
    }

    private static boolean send(Channel<Integer> ch, int v, ThreadLocalRandom rnd) {
        Duration tiny = Duration.ofNanos(rnd.nextInt(20_000));
        try {
            return switch (rnd.nextInt(6)) {
                case 0, 1 -> {
                    ch.send(v);
                    yield true;
                }
                case 2 -> ch.send(v, tiny);
                case 3 -> ch.trySend(v);
                case 4 -> select(ch.onSend(v, () -> true), onTimeout(tiny, () -> false));
                default -> {
                    CompletableFuture<Void> f = ch.sendAsync(v);
                    if (rnd.nextBoolean() && f.cancel(false)) {
                        yield false;
                    }
                    f.join();
                    yield true;
                }
            };
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** A value, null if this attempt got none, or {@link ChannelClosedException} once closed and drained. */
    private static Integer receive(Channel<Integer> ch, ThreadLocalRandom rnd) {
        Duration tiny = Duration.ofNanos(rnd.nextInt(20_000));
        try {
            return switch (rnd.nextInt(6)) {
                case 0, 1 -> ch.recv();
                case 2 -> ch.recv(tiny);
                case 3 -> {
                    Integer v = ch.tryRecv();
                    if (v == null) {
                        Thread.yield();
                    }
                    yield v;
                }
                case 4 -> select(ch.onRecv(x -> x), onTimeout(tiny, () -> null));
                default -> {
                    CompletableFuture<Integer> f = ch.recvAsync();
                    if (rnd.nextBoolean() && f.cancel(false)) {
                        yield null;
                    }
                    try {
                        yield f.join();
                    } catch (java.util.concurrent.CompletionException e) {
                        if (e.getCause() instanceof ChannelClosedException c) {
                            throw c;
                        }
                        throw e;
                    }
                }
            };
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
