package dev.molt.internal.channel;

import dev.molt.internal.CancelListener;
import dev.molt.internal.Cancellation;
import dev.molt.internal.Durations;
import dev.molt.internal.Token;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A blocked operation (a plain send or receive, a {@code select}, or an async bridge) whose outcome is
 * decided exactly once by a CAS on {@link #state}: from {@link #WAITING} either to the index of the clause
 * whose node a partner completed, or to that index with the {@link #CLOSED} bit set by {@code close}, or to
 * {@link #LEFT} by the waiter itself (timeout, cancellation, interrupt, a cancelled future). Whoever wins the CAS
 * owns the outcome: a partner that wins has delivered (or taken) the value; a waiter that wins has taken no effect
 * and unlinks its nodes. So a cancellation that races with a hand-over never both delivers and throws. The
 * "closed" outcome lives in the state itself (not in a field written before the CAS) because a waiter in a
 * rendezvous channel's lock-free slot can be raced for by {@code close} and by partners that hold no lock at once:
 * only what the CAS itself writes is attributable to its winner.
 *
 * <p>The winner of a completion wakes the waiter after releasing the channel's lock ({@link #fire}): it unparks
 * the thread, or, for an async bridge, completes the future.
 *
 * <p>As a {@link CancelListener} of the current token it only unparks: the waiting thread itself then tries
 * to leave.
 *
 * <p>Before parking, a waiter that is alone on its side spins on {@link #state} (a volatile read, so it sees a
 * partner's completion and the writes made before it) for its channel's adaptive {@link SpinBudget}, then yields.
 * It registers no listener and has not announced {@code parking} while spinning, so a completion during the spin
 * costs the partner no unpark, and a cancel or interrupt during the spin is seen right after it (the spin is
 * bounded: a few microseconds at most), before the first park.
 */
class Waiter extends Node implements CancelListener {
    static final int WAITING = -1;
    static final int LEFT = -2;
    /** Set in a decided state when {@code close} completed the clause. */
    static final int CLOSED = 1 << 30;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Yields after the spin, before parking: lets a partner queued on this carrier run first (MPMC). */
    static final int YIELDS = Integer.getInteger("dev.molt.channel.yields", 1);

    private volatile int state = WAITING;
    /** Whether the waiter was alone in its wait queue(s) when enqueued: then it spins and yields before parking. */
    boolean alone;
    /** The adaptive spin budget it uses (its channel's; for a select, one of its channels'). */
    SpinBudget spin;
    /** Set (once) before the waiter may park; see {@link #await}. */
    private volatile boolean parking;
    /**
     * Whether this (plain) waiter published itself in its rendezvous channel's lock-free slot instead of a wait
     * queue. Written by the owner before publishing; read only by the owner.
     */
    boolean inSlot;
    /** The parked thread, or null for an async bridge. */
    final Thread thread;
    /** For a select: its nodes by clause index (null for non-channel clauses). Null for plain operations. */
    Node[] nodes;

    /** A plain operation's waiter, which is its own node. */
    Waiter(Thread thread, ChannelImpl<?> channel, boolean send, Object item) {
        super(null, channel, 0, send, item);
        this.thread = thread;
        this.spin = channel.spin;
    }

    /** A select's waiter: not a node itself; its nodes are set once built. */
    Waiter(Thread thread) {
        super(null, null, -1, false, null);
        this.thread = thread;
    }

    final boolean isWaiting() {
        return state == WAITING;
    }

    /** A partner tries to decide this waiter by {@code n} (under {@code n}'s channel lock, or lock-free in the slot). */
    final boolean tryComplete(Node n) {
        return STATE.compareAndSet(this, WAITING, n.index);
    }

    /** {@code close} tries to decide this waiter by {@code n} with the "closed" outcome. */
    final boolean tryClose(Node n) {
        return STATE.compareAndSet(this, WAITING, n.index | CLOSED);
    }

    /** Whether {@code close} decided this waiter; only after {@link #state()} is decided and not {@link #LEFT}. */
    final boolean closedOutcome() {
        int s = state;
        return s >= 0 && (s & CLOSED) != 0;
    }

    /** The waiter gives up (timeout, cancel, interrupt): true if nothing had completed it yet. */
    final boolean tryLeave() {
        return STATE.compareAndSet(this, WAITING, LEFT);
    }

    /** The node that completed this waiter; only after {@link #state()} is decided and not {@link #LEFT}. */
    final Node completedNode() {
        return nodes == null ? this : nodes[state & ~CLOSED];
    }

    /**
     * Parks until a partner or {@code close} completes this waiter, the token is cancelled, the thread is
     * interrupted or (if {@code timed}) {@code nanos} pass. Returns the completed node, or null on timeout.
     * Cancellation and interrupt throw only if this waiter won the right to leave (then it took no effect and is
     * unlinked everywhere); if a partner won first, the operation took effect and is reported normally (an
     * interrupt consumed on the way is restored).
     */
    final Node await(Token token, boolean timed, long nanos) throws InterruptedException {
        // Like LinkedTransferQueue's spin rule: only a waiter that is alone on its side of the channel expects a
        // partner soon (ping-pong, SPSC); one behind others (fan-in, a million parked receivers) parks at once.
        // A partner running on another carrier arrives within the spin; one that is queued on this carrier gets
        // to run by the yield. The spin adapts per channel (SpinBudget), the yield is cheap when nothing is queued.
        if (alone) {
            int rounds = spin.rounds();
            for (int i = rounds; i > 0 && state == WAITING; i--) {
                Thread.onSpinWait();
            }
            if (rounds > 0) {
                spin.record(rounds, state != WAITING);
            }
            for (int i = YIELDS; i > 0 && state == WAITING; i--) {
                Thread.yield();
            }
        }
        if (state != WAITING) {
            return completedNode();
        }
        long deadline = timed ? Durations.deadline(nanos) : 0L;
        // Under the token of its own task or scope body, the thread is woken by the token itself.
        boolean listening = token != Token.never() && !token.wakesCurrentThread();
        if (listening) {
            token.addListener(this);
        }
        // Dekker with fire(): publish parking, then re-check state (both volatile), so either the waker sees
        // parking and unparks, or this thread sees the completion and does not park.
        //
        // The check after each park is its own bytecode, not the check before the first park: when a million
        // waiters park before any has ever been woken (a fan-out released by close), C2 compiles the check before
        // the park as "never decided" and every woken frame would hit that trap and be deoptimized, one at a
        // time (bench/million's first round: about 940,000 deoptimizations, 2-3 s). The check after the park has
        // no profile then, and C2 compiles it without a trap (ADR 0010).
        parking = true;
        try {
            if (state != WAITING) {
                return completedNode();
            }
            for (;;) {
                Cancellation c = token.cancellation();
                if (c != null) {
                    if (leave()) {
                        throw Token.cancelledException(c);
                    }
                    return completedNode();
                }
                if (Thread.interrupted()) {
                    if (leave()) {
                        throw new InterruptedException();
                    }
                    Thread.currentThread().interrupt();
                    return completedNode();
                }
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return leave() ? null : completedNode();
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
                if (state != WAITING) {
                    return completedNode();
                }
            }
        } finally {
            if (listening) {
                token.removeListener(this);
            }
        }
    }

    /** Tries to leave; on success unlinks every node of this waiter at once. */
    final boolean leave() {
        if (!tryLeave()) {
            return false;
        }
        if (inSlot) {
            ((RendezvousChannel<?>) channel).clearSlot(this);
        } else if (nodes == null) {
            channel.unlink(this);
        } else {
            for (Node n : nodes) {
                if (n != null) {
                    n.channel.unlink(n);
                }
            }
        }
        return true;
    }

    /** After a select was completed by {@code won}: takes its other nodes out of their queues. */
    final void unlinkOthers(Node won) {
        for (Node n : nodes) {
            if (n != null && n != won) {
                n.channel.unlink(n);
            }
        }
    }

    /**
     * Wakes the waiter once a partner completed it by {@code n}; called without any channel lock held. A waiter
     * still spinning needs no unpark (which would also leave a stale permit and may wake an idle carrier).
     */
    void fire(Node n) {
        if (parking) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void onCancel(Cancellation cancellation) {
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
