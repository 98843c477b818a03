package dev.molt.internal.channel;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Overflow;
import dev.molt.SelectClause;
import dev.molt.internal.CurrentContext;
import dev.molt.internal.Durations;
import dev.molt.internal.Token;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one channel implementation: rendezvous, buffered and unlimited, with an overflow policy.
 *
 * <h2>Locks</h2>
 * A rendezvous channel has one lock ({@link #lock}; {@link #takeLock} is the same object). A buffered channel has
 * two, like the JDK's {@code LinkedBlockingQueue} (ADR 0009): {@link #lock} guards its send side (the senders' queue,
 * the ring's tail) and {@link #takeLock} its receive side (the receivers' queue, the ring's head); {@code closed},
 * {@code reason} and {@link #pendingWake} are written under both. A plain blocking {@code send} holds only the send
 * lock, a plain blocking {@code recv} only the receive lock, and each takes the other side's lock afterwards, without
 * holding its own, only when the other side has waiters ({@link #settle}). Everything else (select, {@code try}
 * operations, the async bridges, close, queries) takes both ({@link #acquireAll}: send side first). A select locks
 * all its channels at once, in {@link #id} order; the only other nesting is a send side growing the ring's array
 * ({@link #addLocked}: send lock, then receive lock). A waiter that leaves unlinks its node under its side's lock.
 * So there is no lock-order cycle.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Senders wait (in {@link #senders}) only while the buffer is full (always, for capacity 0);
 *       receivers wait (in {@link #receivers}) only while the buffer is empty. So a send first hands its value
 *       to a waiting receiver, and a receive that empties a slot refills it from the first waiting sender, keeping
 *       FIFO order. (At capacity 0 the first waiter of a side may be in the lock-free {@link #slot} instead, and plain
 *       waiters may join a queue without the lock: below.)
 *       On a buffered channel this holds whenever both locks are free and no one-lock operation is between its
 *       unlock and its {@link #settle}; in that window a receiver may still wait while the ring holds the value
 *       that the sender is about to hand it (or a sender while the ring has room). Whoever holds both locks first
 *       finishes that work ({@link #normalizeLocked}), so the locked primitives below see the invariant.</li>
 *   <li>No lost hand-over between the two sides (Dekker): an operation that adds to the ring writes its volatile
 *       counter, then reads the receivers' queue tail (volatile) and settles if someone waits; a receiver that found
 *       the ring empty enqueues (swapping the tail), then reads the counter again and serves itself (and those ahead
 *       of it) if a value came. Symmetrically for a take and the senders' queue. So at least one side sees the
 *       other.</li>
 *   <li>FIFO between the two locks: a one-lock operation first completes the waiters of its own side that can
 *       proceed (a send moves waiting senders into the ring before its own value, a receive serves waiting receivers
 *       before itself), so an arriving operation never passes a waiter that the ring could already serve.</li>
 *   <li>A queue may hold stale nodes: a select's node whose waiter was completed by another channel and has
 *       not unlinked it yet. Whoever polls a node decides it by the waiter's CAS; a lost CAS drops the node.</li>
 *   <li>Once {@code closed}, both queues are empty and stay empty: close (under both locks, after serving waiting
 *       receivers from the ring) completes every waiter, and no operation enqueues on a closed channel under a
 *       lock. (A lock-free rendezvous appender that did not see the close yet may link a node for a moment; it sees
 *       {@code closed} right after, leaves and unlinks it. Nobody may complete such a node: {@code takeSender} takes
 *       no sender from a closed channel.) {@code reason} is written before {@code closed}.</li>
 *   <li>Queued nodes are completed (decided in a partner's favour) only under their side's lock, lock-free appended
 *       ones included: the lock-free paths complete only the slot waiter.</li>
 *   <li>Waking (unpark, completing a future) and the undelivered hook run after the locks are released: the
 *       completed nodes are chained through {@link Node#wakeNext} (in {@link #pendingWake} for the locked
 *       primitives, in locals for the one-lock paths); a node is chained only by the partner that won its CAS.</li>
 * </ul>
 *
 * <h2>The lock-free rendezvous slot (capacity 0 only)</h2>
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
 * <h2>Lock-free appends of plain waiters (capacity 0 only, ADR 0008)</h2>
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
public final class ChannelImpl<T> implements Channel<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelImpl.class);
    private static final AtomicLong IDS = new AtomicLong();

    /** Global lock order for select. */
    final long id = IDS.incrementAndGet();
    /** The channel's lock; for a buffered channel, its send side (the senders' queue, the ring's tail). */
    final ReentrantLock lock = new ReentrantLock();
    /** A buffered channel's receive side (the receivers' queue, the ring's head); {@link #lock} for rendezvous. */
    final ReentrantLock takeLock;
    private final int capacity;
    private final Overflow overflow;
    private final Consumer<? super T> onUndelivered;
    /** Null for rendezvous. */
    private final Ring buffer;
    private final WaitQueue senders = new WaitQueue();
    private final WaitQueue receivers = new WaitQueue();
    private volatile boolean closed;
    private Throwable reason;
    /** Rendezvous only: a lone plain waiter published lock-free, or null (see the class comment). */
    private volatile Waiter slot;
    /** A chain (through {@link Node#wakeNext}) of completed waiters to wake; guarded by both locks. */
    private Node pendingWake;
    private Object pendingDrop;
    /**
     * Buffered: a receive took a value while senders waited and found the send lock busy; the holder moves them
     * when it unlocks ({@link #unlockSend}). Written by anyone, cleared under {@link #lock}.
     */
    private volatile boolean moveRequested;
    /** Set by {@link #moveLocked} (guarded by {@link #lock}): whether it buffered a value. */
    private boolean moved;
    /** Set by {@link #serveLocked} (guarded by {@link #takeLock}): whether it took a value. */
    private boolean served;
    /**
     * A select that holds only {@link #takeLock} (buffered, receive clauses only): the receivers it completed, to
     * wake after unlocking, and whether it took a value (then the senders' side needs settling). Guarded by
     * {@link #takeLock}; see {@link #pollReceiveSideLocked}.
     */
    private Node receiveSideWake;
    private boolean receiveSideMove;
    /** How long lone waiters of this channel spin before parking. */
    final SpinBudget spin;

    private static final VarHandle SLOT;

    static {
        try {
            SLOT = MethodHandles.lookup().findVarHandle(ChannelImpl.class, "slot", Waiter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    ChannelImpl(int capacity, Overflow overflow, Consumer<? super T> onUndelivered) {
        this.capacity = capacity;
        this.overflow = overflow;
        this.onUndelivered = onUndelivered;
        this.buffer = capacity == 0 ? null : new Ring(capacity);
        this.takeLock = capacity == 0 ? lock : new ReentrantLock();
        this.spin = new SpinBudget(capacity == 0 ? SpinBudget.RENDEZVOUS_MAX : SpinBudget.BUFFERED_MAX);
    }

    // ---------------------------------------------------------------- locked primitives (shared with select)

    /**
     * Extra tryLock rounds before blocking in the lock. Off by default: ReentrantLock already spins briefly before it
     * parks, and 64 extra rounds made buffered SPSC and 4x4 MPMC two to three times slower on 2 cores (JMH, A/B
     * with this property, 2026-11-24), where spinners take the CPU from the lock's holder.
     */
    private static final int LOCK_SPINS = Integer.getInteger("dev.molt.channel.lockSpins", 0);

    void acquire() {
        if (lock.tryLock()) {
            return;
        }
        for (int i = LOCK_SPINS; i > 0; i--) {
            Thread.onSpinWait();
            if (lock.tryLock()) {
                return;
            }
        }
        lock.lock();
    }

    /** Takes every lock of this channel: the send side, then the receive side (the order everywhere). */
    void acquireAll() {
        acquire();
        if (takeLock != lock) {
            takeLock.lock();
        }
    }

    void releaseAll() {
        // Waiters that normalizeLocked completed for an operation that then did not take its wake (a failed try,
        // an async or select that waits): woken here, so that none is forgotten.
        Node left = pendingWake;
        pendingWake = null;
        if (takeLock == lock) {
            lock.unlock();
        } else {
            takeLock.unlock();
            unlockSend();
        }
        fireAll(left);
    }

    /**
     * A buffered channel's way to release its send lock: every holder releases it through here, so that a move a
     * receive asked for while the lock was held ({@link #moveRequested}) is done by the holder instead.
     */
    private void unlockSend() {
        lock.unlock();
        if (moveRequested && helpMove()) {
            settle(true, false);
        }
    }

    /**
     * Without the send lock: does the requested move if the lock is free, else leaves it to the holder (who
     * checks the request after unlocking: Dekker between the request and the lock's state, both volatile; whoever
     * clears the request holds the lock and moves after clearing it). Returns whether it buffered a value.
     */
    private boolean helpMove() {
        Node wake = null;
        boolean any = false;
        while (moveRequested && lock.tryLock()) {
            try {
                moveRequested = false;
                wake = moveLocked(wake);
                any |= moved;
            } finally {
                lock.unlock();
            }
        }
        fireAll(wake);
        return any;
    }

    boolean closedLocked() {
        return closed;
    }

    /**
     * Under all locks: hands {@code v} to a waiting receiver, buffers it, or drops per the overflow policy.
     * Returns false if it must wait. Sets {@link #pendingWake} / {@link #pendingDrop}.
     */
    boolean offerLocked(Object v) {
        if (buffer == null) {
            Waiter r = claimSlot(v);
            if (r != null) {
                pendingWake = r;
                return true;
            }
        } else {
            normalizeLocked();
        }
        for (Node r; (r = receivers.poll()) != null; ) {
            if (r.give(v)) {
                r.wakeNext = pendingWake;
                pendingWake = r;
                return true;
            }
        }
        if (buffer == null) {
            return false;
        }
        if (senders.isEmpty() && !buffer.isFull()) {
            if (buffer.needsGrowth()) {
                buffer.grow();
            }
            buffer.addLast(v);
            return true;
        }
        switch (overflow) {
            case DROP_OLDEST -> {
                pendingDrop = buffer.peekFirst();
                buffer.removeFirst();
                buffer.addLast(v);
                return true;
            }
            case DROP_LATEST -> {
                pendingDrop = v;
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * Under all locks: takes a value now (from the buffer, refilling it from a waiting sender, or straight from
     * a waiting sender), or returns null. Sets {@link #pendingWake}.
     */
    Object pollLocked() {
        if (buffer != null) {
            normalizeLocked();
            if (buffer.isEmpty()) {
                return null;
            }
            Object v = buffer.peekFirst();
            buffer.removeFirst();
            Node s = takeSender();
            if (s != null) {
                buffer.addLast(s.item);
                s.wakeNext = pendingWake;
                pendingWake = s;
            }
            return v;
        }
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

    // ---------------------------------------------------------------- a select's receive side (buffered only)

    /**
     * Whether a select whose clauses on this channel are all receives may lock only the receive side: true for a
     * buffered channel (ADR 0009). A select that also sends here, and every select on a rendezvous channel, takes
     * {@link #acquireAll}.
     */
    boolean hasReceiveSideLock() {
        return takeLock != lock;
    }

    /**
     * Under {@link #takeLock} only (a select's receive clauses): what a plain {@link #receiveBuffered} does in its
     * locked section. Serves waiting receivers first (FIFO), then takes the first value, or returns null. The
     * waiters it completed and whether the senders' side needs settling are kept for
     * {@link #releaseReceiveSide}.
     */
    Object pollReceiveSideLocked() {
        if (!receivers.isEmpty()) {
            receiveSideWake = serveLocked(receiveSideWake);
            receiveSideMove |= served;
        }
        if (receivers.isEmpty() && !buffer.isEmpty()) {
            Object v = buffer.peekFirst();
            buffer.removeFirst();
            receiveSideMove = true;
            return v;
        }
        return null;
    }

    /**
     * Under {@link #takeLock} only, right after a select enqueued a receive node here: the receiver's half of the
     * Dekker with a send that filled the empty ring and then saw no receiver waiting ({@link #settle}). Serves the
     * waiting receivers, FIFO, if a value came meanwhile: this may complete the select's own node (nobody else can
     * complete it while the select holds this lock; its waiter is not {@code parking} yet, so firing it is a no-op).
     */
    void recheckReceiveSideLocked() {
        if (!buffer.isEmpty()) {
            receiveSideWake = serveLocked(receiveSideWake);
            receiveSideMove |= served;
        }
    }

    /**
     * Releases {@link #takeLock} held alone by a select; returns the completed waiters to wake (the caller fires
     * them once all its locks are released) and whether it must then call {@link #settleSenders}.
     */
    Node releaseReceiveSide(boolean[] settleSenders, int at) {
        Node wake = receiveSideWake;
        settleSenders[at] = receiveSideMove;
        receiveSideWake = null;
        receiveSideMove = false;
        takeLock.unlock();
        return wake;
    }

    /** With no lock held, after a receive took a value: moves waiting senders into the room (see {@link #settle}). */
    void settleSenders() {
        settle(false, true);
    }

    // ---------------------------------------------------------------- the two-lock buffer (buffered only)

    /**
     * Under all locks: finishes what the one-lock paths left to a partner that has not got its second lock yet, so
     * that no receiver waits while the ring holds a value and no sender waits while it has room (the class comment).
     * Appends the waiters it completed to {@link #pendingWake}.
     */
    private void normalizeLocked() {
        for (;;) {
            Node w = serveLocked(pendingWake);
            w = moveLocked(w);
            boolean more = w != pendingWake && !receivers.isEmpty() && !buffer.isEmpty();
            pendingWake = w;
            if (!more) {
                return;
            }
        }
    }

    /**
     * Under {@link #takeLock}: hands buffered values, first first, to the waiting receivers, first first. Returns
     * {@code wake} with the completed receivers pushed on; sets {@link #served} if it took a value (then the
     * senders' side may need settling: {@link #settle}).
     */
    private Node serveLocked(Node wake) {
        boolean any = false;
        while (!buffer.isEmpty()) {
            Node r = receivers.poll();
            if (r == null) {
                break;
            }
            if (r.give(buffer.peekFirst())) {
                buffer.removeFirst();
                any = true;
                r.wakeNext = wake;
                wake = r;
            }
        }
        served = any;
        return wake;
    }

    /**
     * Under {@link #lock}: moves the values of waiting senders, first first, into the ring while it has room.
     * Returns {@code wake} with the completed senders pushed on; sets {@link #moved} if it buffered a value
     * (then the receivers' side may need settling: {@link #settle}).
     */
    private Node moveLocked(Node wake) {
        boolean any = false;
        while (!buffer.isFull() && !senders.isEmpty()) {
            Node s = takeSender();
            if (s == null) {
                break;
            }
            addLocked(s.item);
            any = true;
            s.wakeNext = wake;
            wake = s;
        }
        moved = any;
        return wake;
    }

    /** Under {@link #lock}, with room: appends {@code v}, growing the array (under both locks) if needed. */
    private void addLocked(Object v) {
        if (buffer.needsGrowth()) {
            takeLock.lock();
            try {
                if (buffer.needsGrowth()) {
                    buffer.grow();
                }
            } finally {
                takeLock.unlock();
            }
        }
        buffer.addLast(v);
    }

    /**
     * With no lock held: after a one-lock operation added a value ({@code serve}) or took one ({@code move}), takes
     * the other side's lock if someone waits there and completes the waiters that now can proceed; repeats while
     * that, in turn, changes what the first side can do. (The two-lock queue's "signal the other side".)
     */
    private void settle(boolean serve, boolean move) {
        // Each side only if someone waits there: an enqueuer re-reads the count after enqueueing (Dekker: we
        // changed the count, then read the queue's volatile tail), so one of us sees the other.
        for (;;) {
            if (serve && !receivers.isEmpty()) {
                Node wake;
                takeLock.lock();
                try {
                    wake = serveLocked(null);
                    move |= served;
                } finally {
                    takeLock.unlock();
                }
                fireAll(wake);
            }
            serve = false;
            if (move && !senders.isEmpty()) {
                // Fan-in: the send lock is busy with senders; rather than queue behind them (a receiver that
                // waits for it holds up every receive), ask its holder to move the senders on its way out.
                moveRequested = true;
                serve = helpMove();
            }
            move = false;
            if (!serve) {
                return;
            }
        }
    }

    private Node takeSender() {
        if (closed) {
            // Only a rendezvous sender that appended itself lock-free after the close can be queued now; it will see
            // the close and leave. Taking it would hand a receive that started after close() returned a value.
            return null;
        }
        for (Node s; (s = senders.poll()) != null; ) {
            if (s.waiter.tryComplete(s)) {
                return s;
            }
        }
        return null;
    }

    /** Enqueues {@code n}; returns whether it is alone on its side (its queue was empty, no slot waiter). */
    boolean enqueueLocked(Node n) {
        return (n.send ? senders : receivers).add(n) && slot == null;
    }

    // ---------------------------------------------------------------- the lock-free slot (rendezvous only)

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
    Waiter claimSlot(Object v) {
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
     * the waiter (perhaps decided already), or null if the channel is not idle or the publication had to be
     * withdrawn (a waiter was queued or the channel closed meanwhile): then the caller takes the locked path.
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
    Node matchSlotLocked(Node n) {
        if (buffer != null) {
            return null;
        }
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

    /** Reads and clears what the locked section left to do after unlocking. */
    Node takeWake() {
        Node n = pendingWake;
        pendingWake = null;
        return n;
    }

    Object takeDrop() {
        Object d = pendingDrop;
        pendingDrop = null;
        return d;
    }

    /** After unlocking: wakes the completed partners and reports a dropped value. */
    void afterUnlock(Node wake, Object drop) {
        fireAll(wake);
        if (drop != null) {
            undelivered(drop);
        }
    }

    /** Wakes a chain of completed waiters (linked by {@link Node#wakeNext}); called without any lock held. */
    static void fireAll(Node n) {
        while (n != null) {
            Node next = n.wakeNext;
            n.wakeNext = null;
            n.waiter.fire(n);
            n = next;
        }
    }

    /** Takes {@code n} out of its queue if it is still there (a waiter that leaves, a select that ended). */
    void unlink(Node n) {
        ReentrantLock l = n.send ? lock : takeLock;
        l.lock();
        try {
            WaitQueue q = n.queue;
            if (q != null) {
                q.remove(n);
            }
        } finally {
            if (l == lock && takeLock != lock) {
                unlockSend();
            } else {
                l.unlock();
            }
        }
    }

    void undelivered(Object v) {
        if (onUndelivered == null) {
            return;
        }
        try {
            @SuppressWarnings("unchecked")
            T t = (T) v;
            onUndelivered.accept(t);
        } catch (RuntimeException | LinkageError e) {
            LOG.error("the onUndelivered hook of {} failed", this, e);
        }
    }

    ChannelClosedException closedForSend() {
        return new ChannelClosedException("send on a closed channel", reason);
    }

    /** Whether the channel was closed with a reason (then iteration ends with an exception). */
    boolean closedWithReason() {
        return reason != null;
    }

    ChannelClosedException closedForRecv() {
        return new ChannelClosedException("receive on a closed and drained channel", reason);
    }

    private static Token currentToken() {
        return CurrentContext.get().token();
    }

    // ---------------------------------------------------------------- send

    @Override
    public void send(T value) throws InterruptedException {
        sendBlocking(value, false, 0L);
    }

    @Override
    public boolean send(T value, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        return sendBlocking(value, true, Durations.toNanos(timeout, "timeout"));
    }

    private boolean sendBlocking(T value, boolean timed, long nanos) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        Token token = currentToken();
        token.throwIfCancelled();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (buffer != null) {
            return sendBuffered(value, token, timed, nanos);
        }
        Waiter w = null;
        {
            if (closed) {
                throw closedForSend();
            }
            Waiter r = claimSlot(value);
            if (r != null) {
                r.fire(r);
                return true;
            }
            if (!timed || nanos != 0) {
                w = publish(true, value);
                if (w == null) {
                    w = append(true, value);
                }
            }
        }
        if (w == null) {
            Node wake;
            Object drop;
            acquire();
            try {
                if (closed) {
                    throw closedForSend();
                }
                if (offerLocked(value)) {
                    wake = takeWake();
                    drop = takeDrop();
                } else if (timed && nanos == 0) {
                    return false;
                } else {
                    w = new Waiter(Thread.currentThread(), this, true, value);
                    w.alone = enqueueLocked(w);
                    wake = matchSlotLocked(w);
                    drop = null;
                }
            } finally {
                lock.unlock();
            }
            if (wake != null || w == null) {
                afterUnlock(wake, drop);
                return true;
            }
        }
        return awaitSend(w, token, timed, nanos);
    }

    private boolean awaitSend(Waiter w, Token token, boolean timed, long nanos) throws InterruptedException {
        Node n = w.await(token, timed, nanos);
        if (n == null) {
            return false;
        }
        if (w.closedOutcome()) {
            throw closedForSend();
        }
        return true;
    }

    /** With all locks held (released here): the old one-lock send. */
    private boolean sendBothLocked(T value, Token token, boolean timed, long nanos) throws InterruptedException {
        Waiter w = null;
        Node wake;
        Object drop;
        try {
            if (closed) {
                throw closedForSend();
            }
            if (offerLocked(value)) {
                wake = takeWake();
                drop = takeDrop();
            } else if (timed && nanos == 0) {
                return false;
            } else {
                w = new Waiter(Thread.currentThread(), this, true, value);
                w.alone = enqueueLocked(w);
                wake = takeWake();
                drop = null;
            }
        } finally {
            releaseAll();
        }
        afterUnlock(wake, drop);
        return w == null || awaitSend(w, token, timed, nanos);
    }

    /**
     * A buffered channel's blocking send, under the send-side lock only (class comment): moves waiting senders
     * first (FIFO), then buffers the value or waits; a value that found the ring empty settles the receivers' side
     * after unlocking. A full ring with {@code DROP_OLDEST} needs the head, so that case takes all locks.
     */
    private boolean sendBuffered(T value, Token token, boolean timed, long nanos) throws InterruptedException {
        if (!receivers.isEmpty()) {
            // Receivers wait (the ring is empty): hand over directly under both locks (send lock first, the
            // global order) instead of buffering and settling in a second locked section.
            acquireAll();
            return sendBothLocked(value, token, timed, nanos);
        }
        Node wake = null;
        boolean serve = false;
        Object drop = null;
        Waiter w = null;
        boolean sent = true;
        acquire();
        try {
            if (closed) {
                throw closedForSend();
            }
            if (!senders.isEmpty()) {
                wake = moveLocked(null);
                serve = moved;
            }
            if (senders.isEmpty() && !buffer.isFull()) {
                addLocked(value);
                serve = true;
            } else if (overflow == Overflow.DROP_LATEST) {
                drop = value;
            } else if (overflow == Overflow.DROP_OLDEST) {
                sent = false;
            } else if (timed && nanos == 0) {
                sent = false;
            } else {
                w = new Waiter(Thread.currentThread(), this, true, value);
                w.alone = enqueueLocked(w);
                // Dekker with a receive that made room and then saw no sender waiting (settle): enqueued, look
                // at the count again. This may complete w itself; then it does not park.
                if (!buffer.isFull()) {
                    wake = moveLocked(wake);
                    serve |= moved;
                }
            }
        } finally {
            unlockSend();
        }
        fireAll(wake);
        if (serve) {
            settle(true, false);
        }
        if (drop != null) {
            undelivered(drop);
        }
        if (!sent && overflow == Overflow.DROP_OLDEST) {
            return trySend(value);
        }
        return w == null ? sent : awaitSend(w, token, timed, nanos);
    }

    @Override
    public boolean trySend(T value) {
        Objects.requireNonNull(value, "value");
        Node wake;
        Object drop;
        acquireAll();
        try {
            if (closed) {
                throw closedForSend();
            }
            if (!offerLocked(value)) {
                return false;
            }
            wake = takeWake();
            drop = takeDrop();
        } finally {
            releaseAll();
        }
        afterUnlock(wake, drop);
        return true;
    }

    @Override
    public CompletableFuture<Void> sendAsync(T value) {
        Objects.requireNonNull(value, "value");
        AsyncWaiter<Void> w = null;
        Node wake = null;
        Object drop = null;
        boolean wasClosed = false;
        acquireAll();
        try {
            if (closed) {
                wasClosed = true;
            } else if (offerLocked(value)) {
                wake = takeWake();
                drop = takeDrop();
            } else {
                w = new AsyncWaiter<>(this, true, value);
                senders.add(w);
                wake = matchSlotLocked(w);
                if (wake != null) {
                    w = null;
                }
            }
        } finally {
            releaseAll();
        }
        if (wasClosed) {
            undelivered(value);
            return CompletableFuture.failedFuture(closedForSend());
        }
        if (w == null) {
            afterUnlock(wake, drop);
            return CompletableFuture.completedFuture(null);
        }
        return w.future;
    }

    // ---------------------------------------------------------------- receive

    @Override
    public T recv() throws InterruptedException {
        return recvBlocking(false, 0L);
    }

    @Override
    public T recv(Duration timeout) throws InterruptedException {
        return recvBlocking(true, Durations.toNanos(timeout, "timeout"));
    }

    @SuppressWarnings("unchecked")
    private T recvBlocking(boolean timed, long nanos) throws InterruptedException {
        Object v = receive(timed, nanos);
        if (v == CLOSED) {
            throw closedForRecv();
        }
        return (T) v;
    }

    /** What {@link #receive} returns for a closed, drained channel: iteration ends without an exception. */
    static final Object CLOSED = new Object();

    /** A blocking receive: the value, {@link #CLOSED}, or null on timeout. */
    Object receive(boolean timed, long nanos) throws InterruptedException {
        Token token = currentToken();
        token.throwIfCancelled();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (buffer != null) {
            return receiveBuffered(token, timed, nanos);
        }
        Waiter w = null;
        {
            Waiter s = claimSlot(null);
            if (s != null) {
                s.fire(s);
                return s.item;
            }
            if (!closed && (!timed || nanos != 0)) {
                w = publish(false, null);
                if (w == null) {
                    w = append(false, null);
                }
            }
        }
        if (w == null) {
            Object v;
            Node wake = null;
            acquire();
            try {
                v = pollLocked();
                if (v != null) {
                    wake = takeWake();
                } else if (closed) {
                    return CLOSED;
                } else if (timed && nanos == 0) {
                    return null;
                } else {
                    w = new Waiter(Thread.currentThread(), this, false, null);
                    w.alone = enqueueLocked(w);
                    wake = matchSlotLocked(w);
                    if (wake != null) {
                        v = wake.item;
                    }
                }
            } finally {
                lock.unlock();
            }
            if (wake != null || w == null) {
                afterUnlock(wake, null);
                return v;
            }
        }
        return awaitReceive(w, token, timed, nanos);
    }

    private static Object awaitReceive(Waiter w, Token token, boolean timed, long nanos)
            throws InterruptedException {
        Node n = w.await(token, timed, nanos);
        if (n == null) {
            return null;
        }
        return w.closedOutcome() ? CLOSED : w.item;
    }

    /** With all locks held (released here): the old one-lock receive. */
    private Object receiveBothLocked(boolean timed, long nanos, Token token) throws InterruptedException {
        Object v;
        Node wake = null;
        Waiter w = null;
        try {
            v = pollLocked();
            if (v != null) {
                wake = takeWake();
            } else if (closed) {
                v = CLOSED;
            } else if (timed && nanos == 0) {
                return null;
            } else {
                w = new Waiter(Thread.currentThread(), this, false, null);
                w.alone = enqueueLocked(w);
            }
        } finally {
            releaseAll();
        }
        fireAll(wake);
        return w == null ? v : awaitReceive(w, token, timed, nanos);
    }

    /**
     * A buffered channel's blocking receive, under the receive-side lock only (class comment): serves waiting
     * receivers first (FIFO), then takes the first value or waits; a value taken from a full ring settles the
     * senders' side after unlocking.
     */
    private Object receiveBuffered(Token token, boolean timed, long nanos) throws InterruptedException {
        if (!senders.isEmpty() && lock.tryLock()) {
            // Senders wait (the ring is full) and their lock is free: take and refill under both locks. If the
            // lock is busy (fan-in), the one-lock path below leaves the refill to its holder instead.
            takeLock.lock();
            return receiveBothLocked(timed, nanos, token);
        }
        Node wake = null;
        boolean move = false;
        Object v = null;
        Waiter w = null;
        takeLock.lock();
        try {
            if (!receivers.isEmpty()) {
                wake = serveLocked(null);
                move = served;
            }
            if (receivers.isEmpty() && !buffer.isEmpty()) {
                v = buffer.peekFirst();
                buffer.removeFirst();
                move = true;
            } else if (closed) {
                v = CLOSED;
            } else if (!timed || nanos != 0) {
                w = new Waiter(Thread.currentThread(), this, false, null);
                w.alone = enqueueLocked(w);
                // Dekker with a send that filled the empty ring and then saw no receiver waiting (settle).
                if (!buffer.isEmpty()) {
                    wake = serveLocked(wake);
                    move |= served;
                }
            }
        } finally {
            takeLock.unlock();
        }
        fireAll(wake);
        if (move) {
            settle(false, true);
        }
        return w == null ? v : awaitReceive(w, token, timed, nanos);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T tryRecv() {
        Object v;
        Node wake;
        acquireAll();
        try {
            v = pollLocked();
            if (v == null) {
                if (closed) {
                    throw closedForRecv();
                }
                return null;
            }
            wake = takeWake();
        } finally {
            releaseAll();
        }
        afterUnlock(wake, null);
        return (T) v;
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<T> recvAsync() {
        AsyncWaiter<T> w = null;
        Object v;
        Node wake = null;
        acquireAll();
        try {
            v = pollLocked();
            if (v != null) {
                wake = takeWake();
            } else if (closed) {
                return CompletableFuture.failedFuture(closedForRecv());
            } else {
                w = new AsyncWaiter<>(this, false, null);
                receivers.add(w);
                wake = matchSlotLocked(w);
                if (wake != null) {
                    w = null;
                    v = wake.item;
                }
            }
        } finally {
            releaseAll();
        }
        if (w == null) {
            afterUnlock(wake, null);
            return CompletableFuture.completedFuture((T) v);
        }
        return w.future;
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        closeWith(null);
    }

    @Override
    public void close(Throwable reason) {
        closeWith(Objects.requireNonNull(reason, "reason"));
    }

    private void closeWith(Throwable why) {
        ArrayList<Node> woken = new ArrayList<>();
        Node served = null;
        acquireAll();
        try {
            if (closed) {
                return;
            }
            if (buffer != null) {
                // A receiver may wait while the ring holds values its partner has not handed over yet: serve
                // them first, so that only receivers of a drained channel see the close.
                normalizeLocked();
                served = takeWake();
            }
            reason = why;
            closed = true;
            closeAll(receivers, woken);
            closeAll(senders, woken);
            // After writing closed (Dekker with publish): either the slot waiter is seen here, or it sees closed.
            Waiter s = slot;
            if (s != null) {
                if (s.tryClose(s)) {
                    woken.add(s);
                }
                clearSlot(s);
            }
        } finally {
            releaseAll();
        }
        fireAll(served);
        for (Node n : woken) {
            n.waiter.fire(n);
        }
    }

    private static void closeAll(WaitQueue q, ArrayList<Node> woken) {
        for (Node n; (n = q.poll()) != null; ) {
            if (n.waiter.tryClose(n)) {
                woken.add(n);
            }
        }
    }

    // ---------------------------------------------------------------- select clauses

    @Override
    public <R> SelectClause<R> onSend(T value, Supplier<? extends R> then) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(then, "then");
        return new Clauses.Send<>(this, value, then);
    }

    @Override
    public <R> SelectClause<R> onRecv(Function<? super T, ? extends R> then) {
        Objects.requireNonNull(then, "then");
        return new Clauses.Recv<>(this, then);
    }

    // ---------------------------------------------------------------- iteration

    @Override
    public Iterator<T> iterator() {
        return new ChannelIterator<>(this);
    }

    @Override
    public Stream<T> stream() {
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    // ---------------------------------------------------------------- queries

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isDrained() {
        if (!closed) {
            return false;
        }
        acquireAll();
        try {
            return buffer == null || buffer.isEmpty();
        } finally {
            releaseAll();
        }
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int size() {
        if (buffer == null) {
            return 0;
        }
        acquireAll();
        try {
            return buffer.size();
        } finally {
            releaseAll();
        }
    }

    /** The policy for a full buffer. */
    public Overflow overflow() {
        return overflow;
    }

    /** How many operations wait to send and to receive now (stale select nodes included): for tests. */
    public int[] waiting() {
        acquireAll();
        try {
            return waitingLocked();
        } finally {
            releaseAll();
        }
    }

    private int[] waitingLocked() {
        int[] n = {senders.size(), receivers.size()};
        Waiter s = slot;
        if (s != null && s.isWaiting()) {
            n[s.send ? 0 : 1]++;
        }
        return n;
    }

    @Override
    public String toString() {
        acquireAll();
        try {
            String cap = capacity == UNLIMITED ? "unlimited" : Integer.toString(capacity);
            String state = !closed ? "open"
                    : (buffer == null || buffer.isEmpty() ? "drained" : "closed")
                            + (reason == null ? "" : " (" + reason + ")");
            return "Channel[capacity=" + cap + (overflow == Overflow.SUSPEND ? "" : ", " + overflow)
                    + ", size=" + (buffer == null ? 0 : buffer.size()) + ", " + state
                    + ", waiting senders=" + waitingLocked()[0] + ", receivers=" + waitingLocked()[1] + "]";
        } finally {
            releaseAll();
        }
    }
}
