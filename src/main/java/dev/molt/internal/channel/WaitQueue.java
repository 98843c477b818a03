package dev.molt.internal.channel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A FIFO of {@link Node}s waiting on one side of one channel: an intrusive doubly linked list, so that a waiter that
 * leaves (timeout, cancel, interrupt, a select won elsewhere) is unlinked in O(1) and leaves no garbage behind.
 *
 * <p>Appending ({@link #add}) is lock-free, so that a rendezvous channel's plain waiters can queue without the
 * channel's lock (ADR 0008); everything else (polling, removing, {@link #size}) runs under the lock of the queue's
 * side (a rendezvous channel's one lock; a buffered channel's send lock for its senders, receive lock for its
 * receivers: ADR 0009), so there is one remover at a time, racing only with appenders.
 *
 * <h2>How an append and a removal meet</h2>
 * An appender swaps itself into {@link #tail} (the linearization point: from then on the queue is not empty), then
 * links itself from its predecessor's {@code next} (or from {@link #head} if there was none). Between the two steps
 * the node is in the queue but not reachable from {@code head}: a remover that meets such a gap (head null but tail
 * not, or a node whose {@code next} is null but that is not the tail) waits for the appender's second store, which
 * follows at once ({@link #awaitNext}). The remover of the last node clears the link to it first, then tries to
 * move {@code tail} back with a CAS; if that fails an appender has already taken the node as its predecessor, and
 * the remover waits for its link and splices it in. So an appender's two writes ({@code prev} of its node, then the
 * link to it) never race with a remover's writes to the same field.
 *
 * <p>Memory contract: {@code head}, {@code tail} and {@link Node#next} are volatile; {@link Node#prev} and
 * {@link Node#queue} are written by the appender before its node becomes reachable (the volatile link), and
 * afterwards only under the lock. {@link #isEmpty} reads {@code tail}: it is what the Dekker handshakes of
 * {@link RendezvousChannel} (its lock-free appenders) and {@link BufferedChannel} (its settling of the other side)
 * read without the queue's lock: an appender writes {@code tail} before it looks at the other side.
 */
final class WaitQueue {
    private static final VarHandle TAIL;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(WaitQueue.class, "tail", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Node head;
    private volatile Node tail;

    /** Whether no node is queued (racy without the lock: an append in progress counts as queued). */
    boolean isEmpty() {
        return tail == null;
    }

    /** Under the lock: how many nodes are linked (O(n), for tests and toString). */
    int size() {
        int n = 0;
        for (Node x = head; x != null; x = x.next) {
            n++;
        }
        return n;
    }

    /**
     * Appends {@code n} (lock-free; also called under the lock). Returns whether the queue was empty before (no
     * predecessor).
     */
    boolean add(Node n) {
        n.queue = this;
        n.next = null;
        Node p = (Node) TAIL.getAndSet(this, n);
        n.prev = p;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        return p == null;
    }

    /** Under the lock: unlinks and returns the first node, or null. */
    Node poll() {
        Node n = after(null);
        if (n != null) {
            remove(n);
        }
        return n;
    }

    /**
     * Under the lock: the node after {@code x} (the first one if {@code x} is null), or null at the end. An append
     * that has swapped {@link #tail} counts as linked: this waits for its link, so a walk under the lock sees every
     * append that took effect before it started.
     */
    Node after(Node x) {
        for (int i = 1; ; i++) {
            Node y = x == null ? head : x.next;
            if (y != null) {
                return y;
            }
            if (tail == x) {
                return null;
            }
            pause(i);
        }
    }

    /** Under the lock: unlinks {@code n} if it is linked here; returns whether it was. */
    boolean remove(Node n) {
        if (n.queue != this) {
            return false;
        }
        Node p = n.prev;
        Node x = n.next;
        if (x == null) {
            // n looks last: unlink it, then move tail back unless an appender already took n as its predecessor.
            if (p == null) {
                head = null;
            } else {
                p.next = null;
            }
            if (!TAIL.compareAndSet(this, n, p)) {
                x = after(n);
            }
        }
        if (x != null) {
            if (p == null) {
                head = x;
            } else {
                p.next = x;
            }
            x.prev = p;
        }
        n.prev = null;
        n.next = null;
        n.queue = null;
        return true;
    }

    /** Spins; yields now and then, in case the appender's carrier was taken away between its two stores. */
    private static void pause(int i) {
        if ((i & 63) == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }
}
