package dev.molt.internal.channel;

import dev.molt.Overflow;
import dev.molt.internal.Token;
import java.util.function.Consumer;

/**
 * A buffered (or unlimited) channel: two locks around a {@link Ring}, like the JDK's {@code LinkedBlockingQueue}
 * (ADR 0009). {@link #lock} guards the send side (the senders' queue, the ring's tail), {@link #takeLock} the
 * receive side (the receivers' queue, the ring's head).
 *
 * <h2>Who holds what</h2>
 * A plain blocking {@code send} holds only the send lock, a plain blocking {@code recv} only the receive lock, and
 * each takes the other side's lock afterwards, without holding its own, only when the other side has waiters
 * ({@link #settle}); so do the {@code try} operations, a select's fast path and an async bridge's first attempt,
 * which are those with a zero wait. Close, the queries, an async bridge or a select that must wait, and a
 * {@code DROP_OLDEST} send that must evict take both (send lock first). The only nesting inside one channel is a
 * send side growing the ring's array ({@link #addLocked}: send lock, then receive lock). Every holder of the send
 * lock releases it through {@link #unlockSendSide}, or (a select) calls {@link #afterUnlock} once it holds no lock.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>The channel's invariant (receivers wait only while the ring is empty, senders only while it is full) holds
 *       whenever both locks are free and no one-lock operation is between its unlock and its settle; in that window
 *       a receiver may still wait while the ring holds the value that the sender is about to hand it (or a sender
 *       while the ring has room). Whoever holds both locks first finishes that work ({@link #normalizeLocked}), so
 *       the locked primitives see the invariant.</li>
 *   <li>No lost hand-over between the two sides (Dekker): an operation that adds to the ring writes its volatile
 *       counter, then reads the receivers' queue tail (volatile) and settles if someone waits; a receiver that found
 *       the ring empty enqueues (swapping the tail), then reads the counter again and serves itself (and those ahead
 *       of it) if a value came. Symmetrically for a take and the senders' queue. So at least one side sees the
 *       other.</li>
 *   <li>FIFO between the two locks: a one-lock operation first completes the waiters of its own side that can
 *       proceed (a send moves waiting senders into the ring before its own value, a receive serves waiting receivers
 *       before itself), so an arriving operation never passes a waiter that the ring could already serve.</li>
 *   <li>Fan-in: a receive that must move waiting senders while the send lock is busy does not queue behind them: it
 *       sets {@link #moveRequested}, and the holder does the move as it unlocks.</li>
 * </ul>
 */
final class BufferedChannel<T> extends ChannelImpl<T> {
    private final Ring buffer;
    /**
     * A receive took a value while senders waited and found the send lock busy; the holder moves them when it
     * unlocks ({@link #unlockSendSide}). Written by anyone, cleared under {@link #lock}.
     */
    private volatile boolean moveRequested;
    /** Set by {@link #moveLocked} (guarded by {@link #lock}): whether it buffered a value. */
    private boolean moved;
    /** Set by {@link #serveLocked} (guarded by {@link #takeLock}): whether it took a value. */
    private boolean served;

    BufferedChannel(int capacity, Overflow overflow, Consumer<? super T> onUndelivered) {
        super(capacity, overflow, onUndelivered, true, SpinBudget.BUFFERED_MAX);
        this.buffer = new Ring(capacity);
    }

    // ---------------------------------------------------------------- blocking send and receive

    /**
     * A buffered channel's blocking send, under the send-side lock only (class comment): moves waiting senders
     * first (FIFO), then buffers the value or waits; a value that found the ring empty settles the receivers' side
     * after unlocking. A full ring with {@code DROP_OLDEST} needs the head, so that case takes all locks.
     */
    @Override
    boolean sendBlocking(T value, Token token, boolean timed, long nanos) throws InterruptedException {
        if (!receivers.isEmpty()) {
            // Receivers wait (the ring is empty): hand over directly under both locks (send lock first, the
            // global order) instead of buffering and settling in a second locked section.
            acquireAll();
            return sendLocked(value, token, timed, nanos);
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
            unlockSendSide();
        }
        fireAll(wake);
        if (serve) {
            settle(true, false);
        }
        if (drop != null) {
            undelivered(drop);
        }
        if (!sent && overflow == Overflow.DROP_OLDEST) {
            return evictOldestAndSend(value);
        }
        return w == null ? sent : awaitSend(w, token, timed, nanos);
    }

    /** {@code DROP_OLDEST} with a full ring: evicting the head needs the receive side too, so under all locks. */
    private boolean evictOldestAndSend(T value) {
        Node wake;
        Object drop;
        acquireAll();
        try {
            if (closed) {
                throw closedForSend();
            }
            offerLocked(value); // always true with a dropping policy
            wake = takeWake();
            drop = takeDrop();
        } finally {
            releaseAll();
        }
        afterUnlock(wake, drop);
        return true;
    }

    /**
     * A buffered channel's blocking receive, under the receive-side lock only (class comment): serves waiting
     * receivers first (FIFO), then takes the first value or waits; a value taken from a full ring settles the
     * senders' side after unlocking.
     */
    @Override
    Object receiveBlocking(Token token, boolean timed, long nanos) throws InterruptedException {
        if (!senders.isEmpty() && lock.tryLock()) {
            // Senders wait (the ring is full) and their lock is free: take and refill under both locks. If the
            // lock is busy (fan-in), the one-lock path below leaves the refill to its holder instead.
            takeLock.lock();
            return receiveLocked(token, timed, nanos);
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

    // ---------------------------------------------------------------- locked primitives (all locks held)

    @Override
    boolean offerLocked(Object v) {
        normalizeLocked();
        for (Node r; (r = receivers.poll()) != null; ) {
            if (r.give(v)) {
                r.wakeNext = pendingWake;
                pendingWake = r;
                return true;
            }
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

    @Override
    Object pollLocked() {
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

    @Override
    boolean mayProceed(boolean send) {
        return send ? overflow != Overflow.SUSPEND || buffer.size() < buffer.capacity || !receivers.isEmpty()
                : buffer.size() > 0 || !senders.isEmpty();
    }

    @Override
    void unlockAll() {
        takeLock.unlock();
        unlockSendSide();
    }

    @Override
    Node serveBeforeCloseLocked() {
        // A receiver may wait while the ring holds values its partner has not handed over yet.
        normalizeLocked();
        return takeWake();
    }

    @Override
    int sizeLocked() {
        return buffer.size();
    }

    /**
     * What every holder of the send lock does after releasing it ({@link #unlockSendSide}; a select, holding other
     * channels' locks too, once it has released them all): the move a receive asked for while the lock was held
     * ({@link #moveRequested}), which the holder does instead of the receive.
     */
    @Override
    void afterUnlock() {
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

    // ---------------------------------------------------------------- the two-lock hand-over

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
}
