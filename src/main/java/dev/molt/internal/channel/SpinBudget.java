package dev.molt.internal.channel;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How many rounds a waiter that is alone on its side of a channel busy-waits before it parks, adapted to what
 * the channel's recent waits showed (the idea of HotSpot's adaptive spinning for monitors).
 *
 * <p>Why: parking and unparking a virtual thread costs microseconds (unmount, resubmit, remount), while a
 * partner running on another carrier (ping-pong, SPSC) usually arrives within a few hundred nanoseconds. But when
 * the partner is not running (more runnable virtual threads than carriers: MPMC, fan-in), spinning only delays
 * it (and so does a carrier that the operating system gave to another process: a loaded machine). So each wait
 * that ended during its spin doubles the budget (up to its maximum), and each that had to park anyway halves it;
 * below a quarter of the maximum it drops to zero (no spinning), and then one wait in {@link #PROBE} still spins
 * the full budget, so that a channel whose shape or machine changes starts spinning again.
 *
 * <p>The ceiling is small on purpose: one {@code Thread.onSpinWait} measured about 40 ns on the 2-vCPU EPYC
 * development machine, so 64 rounds are about 2.5 microseconds, several times what a running partner needs.
 * Longer spins (128, 256 rounds) measured worse on every shape on a shared machine: a spin that fails wastes the
 * carrier while the partner waits to be scheduled.
 *
 * <p>Memory contract: {@link #rounds} is a plain field, read and written racily by every waiter of the channel.
 * It guards nothing: a lost or stale update only makes one wait spin a little longer or shorter. It is written
 * only when it changes, so a channel whose spins keep succeeding does not bounce its cache line.
 */
final class SpinBudget {
    /** For rendezvous channels; {@code -Ddev.molt.channel.spins=0} disables spinning. */
    static final int RENDEZVOUS_MAX = Math.max(0, Integer.getInteger("dev.molt.channel.spins", 64));
    /** For buffered channels. */
    static final int BUFFERED_MAX = Math.max(0, Integer.getInteger("dev.molt.channel.bufferedSpins", 0));

    /** Once spinning stopped paying, one wait in this many still spins the full budget, to notice a change. */
    private static final int PROBE = 32;

    private final int max;
    private final int min;
    private int rounds;

    SpinBudget(int max) {
        this.max = max;
        this.min = max / 4;
        this.rounds = max;
    }

    /** The rounds to spin now: the budget, or, once spinning stopped paying, the full budget once in a while. */
    int rounds() {
        int r = rounds;
        return r != 0 || max == 0 || ThreadLocalRandom.current().nextInt(PROBE) != 0 ? r : max;
    }

    /** Records how a wait that spun {@code spun} rounds went. */
    void record(int spun, boolean completedWhileSpinning) {
        int r = rounds;
        int next;
        if (completedWhileSpinning) {
            next = Math.min(max, Math.max(min, spun << 1));
        } else {
            int half = spun >> 1;
            next = r == 0 || half < min ? 0 : half;
        }
        if (next != r) {
            rounds = next;
        }
    }
}
