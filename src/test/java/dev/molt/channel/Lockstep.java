package dev.molt.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The lockstep tests, in which one side acts only once the other has caught up, so that no later operation can heal
 * a lost hand-over: a lost one shows as a stall, reported with the channels' state.
 */
final class Lockstep {
    private Lockstep() {
    }

    /** Takes the next value: a plain receive, a select, ... */
    @FunctionalInterface
    interface Take {
        int next() throws InterruptedException;
    }

    /** Sends value {@code i} somewhere. */
    @FunctionalInterface
    interface Send {
        void send(int i) throws InterruptedException;
    }

    /**
     * One receiver takes 0 to {@code n - 1} with {@code take}; value {@code i} is sent only once it has taken
     * everything before it, so it is waiting (or about to) when the value comes, and a receiver left parked beside a
     * value (a send's settle of waiting receivers missing) stalls the run.
     */
    static void aValueSentWhileTheReceiverWaitsReachesIt(int n, Send send, Take take, Object channels,
            long stallSeconds) throws Exception {
        AtomicInteger taken = new AtomicInteger();
        long deadline = System.nanoTime() + Duration.ofSeconds(stallSeconds).toNanos();
        Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    assertThat(take.next()).isEqualTo(i);
                    taken.set(i + 1);
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        for (int i = 0; i < n; i++) {
            send.send(i);
            awaitAtLeast(taken, i + 1, deadline, channels);
        }
        assertThat(receiver.join(Duration.ofSeconds(stallSeconds))).isTrue();
    }

    /**
     * One sender sends 0 to {@code n - 1} into {@code ch} (of {@code capacity}); each value is taken by {@code take}
     * only once the sender has completed every send the room made by the takes so far allows, so a sender left
     * parked beside free room (a receive's move of waiting senders missing) stalls the run.
     */
    static void aSenderWaitingForRoomGetsInAfterEachTake(Channel<Integer> ch, int capacity, int n, Take take,
            long stallSeconds) throws Exception {
        AtomicInteger sent = new AtomicInteger();
        long deadline = System.nanoTime() + Duration.ofSeconds(stallSeconds).toNanos();
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    ch.send(i);
                    sent.set(i + 1);
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        for (int i = 0; i < n; i++) {
            assertThat(take.next()).isEqualTo(i);
            // Taking i made room for the send of i + capacity: it must complete without another take.
            awaitAtLeast(sent, Math.min(n, i + capacity + 1), deadline, ch);
        }
        assertThat(sender.join(Duration.ofSeconds(stallSeconds))).isTrue();
    }

    /** Waits until {@code count} reaches {@code target}; fails once {@code deadline} ({@link System#nanoTime}) passed. */
    static void awaitAtLeast(AtomicInteger count, int target, long deadline, Object channels) {
        while (count.get() < target) {
            assertThat(System.nanoTime() - deadline).as("stalled (a hand-over was lost: %s)", channels).isNegative();
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
