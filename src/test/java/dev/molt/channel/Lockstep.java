package dev.molt.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The wait of the lockstep tests, in which one side acts only once the other has caught up, so that no later
 * operation can heal a lost hand-over: a lost one shows as a stall, reported with the channels' state.
 */
final class Lockstep {
    private Lockstep() {
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
