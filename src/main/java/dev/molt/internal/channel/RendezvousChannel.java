package dev.molt.internal.channel;

import dev.molt.Overflow;
import dev.molt.internal.Token;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * A rendezvous channel (capacity 0): one lock ({@code takeLock} is {@code lock}), and for the plain blocking
 * {@code send} and {@code recv} two ways around it: a lock-free slot for the lone waiter (ADR 0007) and lock-free
 * appends to a formed queue (ADR 0008); the {@code try} operations (and the first attempt of a select or an async
 * bridge) are those with a zero wait: they claim a slot waiter, never publish. A select or async bridge that must
 * wait, and close, take the lock and treat the slot waiter as the first of its side.
 *
 * <h2>The lock-free slot</h2>
 * The common rendezvous hand-over (SPSC, ping-pong: one waiter at a time) takes no lock: a plain {@code send} or
 * {@code recv} that finds the channel idle (no slot waiter, both queues empty) publishes its {@link Waiter} in
 * {@link #slot} with one CAS, and a partner claims it with one CAS on the waiter's state (for a receive waiter, a CAS
 * of its item first: {@link Node#give}). Everything that is not that case (a queue already formed, a select, an
 * async bridge, close) takes the lock as before, and the locked paths treat the slot waiter as the first of its side.
 * <ul>
 *   <li>The slot holds null or one plain blocking waiter (never a select's node, never an async bridge), published
 *       lock-free by its owner only when the slot and both queues were empty: so it is older than every queued
 *       waiter of its side (FIFO: a partner looks at the slot first), and everything the lock-free path can
 *       complete is a plain waiter. A select holding its locks therefore still cannot be completed by anyone.</li>
 *   <li>A decided waiter may linger in the slot for a moment; whoever sees one clears it ({@link #clearSlot}) and
 *       looks again. The claimer clears the slot after its CAS; a leaving slot waiter clears it itself.</li>
 *   <li>No lost rendezvous (Dekker): the publisher CASes the slot, then reads the opposite queue's tail and
 *       {@code closed}; an operation that enqueues swaps the queue's tail (volatile), then reads the slot
 *       ({@link #matchSlotLocked}); {@code close} writes {@code closed}, then reads the slot. So at least one side
 *       sees the other. If the publisher sees a waiter queued or the channel closed, it tries to leave the slot and
 *       takes the locked path; if the locked side sees an opposite slot waiter, it claims it and unlinks its own
 *       node again (it holds the lock, so nobody else could complete that node). The waiter's CAS decides who
 *       won when both act.</li>
 *   <li>A claimer reads {@code closed} after reading the slot and claims only if it was still open: a publisher
 *       that read "open" just before a close may still CAS itself into the slot after it; it must not be claimed
 *       by an operation that started after {@code close} returned (it sees the close, leaves, and throws). A claim
 *       that wins is linearized at that read of {@code closed}, when both partners were in flight.</li>
 *   <li>{@code close} decides the slot waiter with the closed outcome by the same CAS ({@link Waiter#tryClose}), so
 *       a lock-free claim and a close racing for it have exactly one winner.</li>
 *   <li>Memory visibility: a slot sender's item is written (constructor) before the publishing CAS, so a claimer
 *       that read the slot sees it; a slot receiver's item is set by the claimer's item CAS before its state CAS,
 *       and the waiter reads it only after reading its (volatile) state decided. The waiter's other fields
 *       ({@code inSlot}, {@code alone}) are written before publication and read by its owner only.</li>
 * </ul>
 *
 * <h2>Lock-free appends of plain waiters (ADR 0008)</h2>
 * When the slot is taken or a queue has formed (fan-in, MPMC), a plain blocking {@code send} or {@code recv} that
 * sees no partner waiting (the opposite queue empty) appends its waiter to its side's {@link WaitQueue} without the
 * lock ({@link #append}): one atomic swap of the queue's tail and one link. Polling, removing and completing queued
 * nodes stay under the lock, so a queue has one remover at a time and the waiter's CAS still has at most two
 * contenders: a locked partner (or {@code close}) and the waiter leaving.
 * <ul>
 *   <li>No lost rendezvous (Dekker again): the appender swaps its side's tail, then reads the opposite tail, the
 *       slot and {@code closed}; a locked operation that enqueues swaps its tail, then (still under the lock) claims
 *       the slot or walks the opposite queue for a partner that appended meanwhile ({@link #matchSlotLocked}), waiting
 *       out an append that swapped the tail but has not linked its node yet ({@link WaitQueue#after}); a slot
 *       publisher reads both tails after its CAS; {@code close} writes {@code closed}, then polls both queues. So of
 *       two partners at least one sees the other. An appender that sees a partner or the close tries to leave
 *       ({@link Waiter#tryLeave}): if it wins it unlinks its node under the lock and takes the locked path (which
 *       finds the partner); if it loses, a partner or close already completed it. The locked side completes what
 *       it finds with the waiter's CAS and unlinks its own node (nobody else can complete it: it holds the lock).</li>
 *   <li>A select walking the opposite queue skips its own nodes (a select may send and receive on one channel).</li>
 *   <li>FIFO: appends are ordered by the tail swap; the slot waiter stays first of its side; a locked poller takes
 *       the head. An appender joins only while the opposite side is empty, so it never passes a waiting partner.</li>
 *   <li>Memory visibility: an appended node's fields (item, queue, prev) are written before the tail swap and the
 *       link, which are volatile; a locked poller reaches the node through those links. Emptiness is read from the
 *       tail ({@link WaitQueue#isEmpty}), the field the appender writes first.</li>
 * </ul>
 */
final class RendezvousChannel<T> extends ChannelImpl<T> {
    private static final VarHandle SLOT;

    static {
        try {
            SLOT = MethodHandles.lookup().findVarHandle(RendezvousChannel.class, "slot", Waiter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A lone plain waiter published lock-free, or null (see the class comment). */
    private volatile Waiter slot;

    RendezvousChannel(Consumer<? super T> onUndelivered) {
        super(0, Overflow.SUSPEND, onUndelivered, false, SpinBudget.RENDEZVOUS_MAX);
    }

    // ---------------------------------------------------------------- blocking send and receive

    @Override
    boolean sendBlocking(T value, Token token, boolean timed, long nanos) throws InterruptedException {
        if (closed) {
            throw closedForSend();
        }
        Waiter w = null;
        Waiter r = claimSlot(value);
        if (r == null && (!timed || nanos != 0)) {
            // After a failed publish, look again: a partner may have taken the slot just before us (publish).
            if ((w = publish(true, value)) == null && (r = claimSlot(value)) == null) {
                w = append(true, value);
            }
        }
        if (r != null) {
            r.fire(r);
            return true;
        }
        if (w == null) {
            acquire();
            return sendLocked(value, token, timed, nanos);
        }
        return awaitSend(w, token, timed, nanos);
    }

    @Override
    Object receiveBlocking(Token token, boolean timed, long nanos) throws InterruptedException {
        Waiter w = null;
        Waiter s = claimSlot(null);
        if (s == null && !closed && (!timed || nanos != 0)) {
            if ((w = publish(false, null)) == null && (s = claimSlot(null)) == null) { // as in sendBlocking
                w = append(false, null);
            }
        }
        if (s != null) {
            s.fire(s);
            return s.item;
        }
        if (w == null) {
            acquire();
            return receiveLocked(token, timed, nanos);
        }
        return awaitReceive(w, token, timed, nanos);
    }

    // ---------------------------------------------------------------- locked primitives

    @Override
    boolean offerLocked(Object v) {
        Waiter r = claimSlot(v);
        if (r != null) {
            pendingWake = r;
            return true;
        }
        for (Node n; (n = receivers.poll()) != null; ) {
            if (n.give(v)) {
                n.wakeNext = pendingWake;
                pendingWake = n;
                return true;
            }
        }
        return false;
    }

    @Override
    Object pollLocked() {
        Node s = claimSlot(null);
        if (s == null) {
            s = takeSender();
        }
        if (s != null) {
            pendingWake = s;
            return s.item;
        }
        return null;
    }

    @Override
    boolean mayProceed(boolean send) {
        Waiter s = slot;
        return s != null && s.send != send || !(send ? receivers : senders).isEmpty();
    }

    /** Enqueues {@code n}; returns whether it is alone on its side (its queue was empty, no slot waiter). */
    @Override
    boolean enqueueLocked(Node n) {
        return super.enqueueLocked(n) && slot == null;
    }

    @Override
    void unlockAll() {
        lock.unlock();
    }

    @Override
    void closeUnqueuedLocked(ArrayList<Node> woken) {
        // After writing closed (Dekker with publish): either the slot waiter is seen here, or it sees closed.
        Waiter s = slot;
        if (s != null) {
            if (s.tryClose(s)) {
                woken.add(s);
            }
            clearSlot(s);
        }
    }

    @Override
    Waiter slotWaiter() {
        return slot;
    }

    @Override
    int sizeLocked() {
        return 0;
    }

    // ---------------------------------------------------------------- the lock-free slot and appends

    /** Takes {@code w} out of the slot if it is still there. */
    void clearSlot(Waiter w) {
        if (slot == w) {
            SLOT.compareAndSet(this, w, null);
        }
    }

    /**
     * With or without the lock: claims the waiter in the slot if it is a partner of this operation (for a send of
     * {@code v}, a waiting receiver, given {@code v}; for a receive, {@code v} null, a waiting sender) and the
     * channel is open. Returns the claimed waiter (to be fired), or null: no partner in the slot, a waiter of the
     * same side there (queue behind it), the channel closed, or another partner claiming it right now.
     */
    private Waiter claimSlot(Object v) {
        boolean send = v != null;
        for (Waiter s; (s = slot) != null; ) {
            if (s.send == send || closed) {
                return null;
            }
            if (send ? s.give(v) : s.tryComplete(s)) {
                clearSlot(s);
                return s;
            }
            if (s.isWaiting()) {
                return null;
            }
            clearSlot(s);
        }
        return null;
    }

    /**
     * Lock-free: a plain blocking operation that finds the channel idle publishes its waiter in the slot. Returns
     * the waiter (perhaps decided already), or null if the channel is not idle, another waiter took the slot first,
     * or the publication had to be withdrawn (a waiter was queued or the channel closed meanwhile).
     *
     * <p>On null the caller looks at the slot once more before it appends: when both partners of a hand-over arrive
     * together (SPSC and ping-pong on two carriers, in lockstep) both try to publish, and the loser finds the winner
     * there and claims it lock-free. Without that second look the loser appended, saw the winner in the slot (the
     * Dekker check), left its queue under the lock and took the locked path, with the lock contended by its
     * partner: for about 45% of the elements in SPSC at capacity 0 (counted), most of the gap to
     * {@code SynchronousQueue}.
     */
    private Waiter publish(boolean send, Object item) {
        if (slot != null || !receivers.isEmpty() || !senders.isEmpty()) {
            return null;
        }
        Waiter w = new Waiter(Thread.currentThread(), this, send, item);
        w.alone = true;
        w.inSlot = true;
        if (!SLOT.compareAndSet(this, null, w)) {
            return null;
        }
        // Dekker with matchSlotLocked and close (class comment): both wrote before reading the slot.
        if ((closed || !(send ? receivers : senders).isEmpty()) && w.tryLeave()) {
            clearSlot(w);
            return null;
        }
        return w;
    }

    /**
     * Lock-free: a plain blocking operation that could not use the slot appends its waiter to its side's queue, if
     * no partner seems to wait. Returns the waiter (perhaps decided already), or null if a partner may be waiting or
     * the append had to be withdrawn (a partner or close arrived meanwhile): then the caller takes the locked path,
     * which polls partners. The waiter is completed under the lock like any queued node (class comment).
     */
    private Waiter append(boolean send, Object item) {
        WaitQueue other = send ? receivers : senders;
        if (!other.isEmpty()) {
            return null;
        }
        Waiter w = new Waiter(Thread.currentThread(), this, send, item);
        boolean first = (send ? senders : receivers).add(w);
        // Dekker with matchSlotLocked, publish and close (class comment): wrote our tail, now read the other side.
        Waiter s = slot;
        if (closed || !other.isEmpty() || (s != null && s.send != send)) {
            if (w.tryLeave()) {
                unlink(w);
                return null;
            }
            return w;
        }
        w.alone = first && s == null;
        return w;
    }

    /**
     * Under the lock, right after enqueueing {@code n} (the second half of the Dekker handshakes with
     * {@link #publish} and {@link #append}): claims a partner that published itself in the slot, or appended
     * itself to the opposite queue lock-free, without seeing {@code n}. On success {@code n} is unlinked again and
     * the claimed partner is returned (to be fired; a receive takes its value from it); nobody can have completed
     * {@code n} meanwhile, because queued nodes are completed only under this lock. A select's own nodes on the
     * other side are skipped.
     */
    @Override
    Node matchSlotLocked(Node n) {
        Node p = claimSlot(n.send ? n.item : null);
        if (p == null) {
            WaitQueue q = n.send ? receivers : senders;
            for (Node x = q.after(null), next; x != null; x = next) {
                next = q.after(x);
                if (x.waiter == n.waiter) {
                    continue;
                }
                q.remove(x);
                if (n.send ? x.give(n.item) : x.waiter.tryComplete(x)) {
                    p = x;
                    break;
                }
            }
        }
        if (p != null) {
            n.queue.remove(n);
        }
        return p;
    }
}
