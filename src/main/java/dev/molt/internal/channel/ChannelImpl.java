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
 * What every channel shares: the two wait queues, close, the {@code try} and async operations, the queries, and the
 * locked primitives that {@link Select} builds on. The blocking {@code send} and {@code recv} are the subclasses':
 * {@link RendezvousChannel} (capacity 0: one lock, a lock-free slot and lock-free appends; ADR 0007, 0008) and
 * {@link BufferedChannel} (buffered and unlimited: two locks around a {@link Ring}; ADR 0009).
 *
 * <h2>Locks</h2>
 * {@link #lock} guards the senders' side ({@link #senders}; a buffered channel's ring tail), {@link #takeLock} the
 * receivers' side ({@link #receivers}; the ring's head). A rendezvous channel has one lock: {@code takeLock} is
 * {@code lock}. {@code closed}, {@code reason} and {@link #pendingWake} are written under both. Close, the queries
 * and an async bridge that must wait take both ({@link #acquireAll}: send side first); so does a select's locked
 * scan, for every channel of its clauses (in {@link #id} order). The plain blocking operations of each kind say what
 * they hold; the {@code try} operations, a select's fast path and an async bridge's first attempt are those
 * operations with a zero wait ({@link #sendNow}, {@link #receiveNow}). A waiter that leaves unlinks its node under
 * its side's lock. There is no lock-order cycle.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Senders wait (in {@link #senders}) only while the buffer is full (always, for capacity 0);
 *       receivers wait (in {@link #receivers}) only while the buffer is empty. So a send first hands its value
 *       to a waiting receiver, and a receive that empties a slot refills it from the first waiting sender, keeping
 *       FIFO order. Each kind says how its lock-free or one-lock paths keep this (a rendezvous waiter in the slot, a
 *       buffered one-lock operation between its unlock and its settle); the locked primitives below see it hold.</li>
 *   <li>A queue may hold stale nodes: a select's node whose waiter was completed by another channel and has
 *       not unlinked it yet. Whoever polls a node decides it by the waiter's CAS; a lost CAS drops the node.</li>
 *   <li>Once {@code closed}, both queues are empty and stay empty: close (under both locks, after serving waiting
 *       receivers from the ring) completes every waiter, and no operation enqueues on a closed channel under a
 *       lock (a lock-free rendezvous appender that did not see the close yet may link a node for a moment: see
 *       {@link RendezvousChannel}). {@code reason} is written before {@code closed}.</li>
 *   <li>Queued nodes are completed (decided in a partner's favour) only under their side's lock.</li>
 *   <li>Waking (unpark, completing a future) and the undelivered hook run after the locks are released: the
 *       completed nodes are chained through {@link Node#wakeNext} (in {@link #pendingWake} for the locked
 *       primitives, in locals for the blocking paths); a node is chained only by the partner that won its CAS.</li>
 * </ul>
 */
public abstract sealed class ChannelImpl<T> implements Channel<T> permits RendezvousChannel, BufferedChannel {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelImpl.class);
    private static final AtomicLong IDS = new AtomicLong();

    /** Global lock order for select. */
    final long id = IDS.incrementAndGet();
    /** The channel's lock; for a buffered channel, its send side (the senders' queue, the ring's tail). */
    final ReentrantLock lock = new ReentrantLock();
    /** A buffered channel's receive side (the receivers' queue, the ring's head); {@link #lock} for rendezvous. */
    final ReentrantLock takeLock;
    private final int capacity;
    final Overflow overflow;
    private final Consumer<? super T> onUndelivered;
    final WaitQueue senders = new WaitQueue();
    final WaitQueue receivers = new WaitQueue();
    volatile boolean closed;
    private Throwable reason;
    /** A chain (through {@link Node#wakeNext}) of completed waiters to wake; guarded by both locks. */
    Node pendingWake;
    /** A value the overflow policy dropped, to report after unlocking; guarded by both locks. */
    Object pendingDrop;
    /** How long lone waiters of this channel spin before parking. */
    final SpinBudget spin;

    ChannelImpl(int capacity, Overflow overflow, Consumer<? super T> onUndelivered, boolean twoLocks, int maxSpins) {
        this.capacity = capacity;
        this.overflow = overflow;
        this.onUndelivered = onUndelivered;
        this.takeLock = twoLocks ? new ReentrantLock() : lock;
        this.spin = new SpinBudget(maxSpins);
    }

    // ---------------------------------------------------------------- what each kind does

    /** A blocking send, after the common checks (value not null, not cancelled, not interrupted). */
    abstract boolean sendBlocking(T value, Token token, boolean timed, long nanos) throws InterruptedException;

    /** A blocking receive, after the common checks: the value, {@link #CLOSED}, or null on timeout. */
    abstract Object receiveBlocking(Token token, boolean timed, long nanos) throws InterruptedException;

    /**
     * Under all locks: hands {@code v} to a waiting receiver, buffers it, or drops per the overflow policy.
     * Returns false if it must wait. Sets {@link #pendingWake} / {@link #pendingDrop}.
     */
    abstract boolean offerLocked(Object v);

    /**
     * Under all locks: takes a value now (from the buffer, refilling it from a waiting sender, or straight from
     * a waiting sender), or returns null. Sets {@link #pendingWake}.
     */
    abstract Object pollLocked();

    /**
     * Under the lock, right after enqueueing {@code n}: claims a partner that joined the other side without the
     * lock and without seeing {@code n} (rendezvous only, see {@link RendezvousChannel}). Returns it (to be
     * fired), with {@code n} unlinked again, or null.
     */
    Node matchSlotLocked(Node n) {
        return null;
    }

    /**
     * Without a lock: whether a {@code send} (or a receive) could plausibly proceed now: a partner waits, or the
     * buffer has room (a value). Racy, a hint only, so that a first attempt that would fail takes no lock
     * ({@link #sendIfLikely}, {@link #receiveIfLikely}); whoever gets "no" goes on to its locked path, which decides.
     */
    abstract boolean mayProceed(boolean send);

    /** The first attempt of a select's send clause or of {@code sendAsync}: {@link #sendNow} if the hint says yes. */
    final boolean sendIfLikely(Object v) {
        return mayProceed(true) && sendNow(v);
    }

    /** As {@link #sendIfLikely} for a receive: {@link #receiveNow}'s result, or null if the hint says no. */
    final Object receiveIfLikely() {
        return mayProceed(false) ? receiveNow() : null;
    }

    /**
     * A send of {@code v} that does not wait ({@code trySend}, a select's fast path): the blocking send's path
     * with a zero wait, so it holds what a plain send holds (one lock of a buffered channel). Throws
     * {@link dev.molt.ChannelClosedException} if closed.
     */
    @SuppressWarnings("unchecked")
    final boolean sendNow(Object v) {
        try {
            return sendBlocking((T) v, null, true, 0L); // a zero wait never parks and never reads the token
        } catch (InterruptedException e) {
            throw new AssertionError("a send that does not wait cannot be interrupted", e);
        }
    }

    /** A receive that does not wait, as {@link #sendNow}: the value, {@link #CLOSED}, or null if none is there. */
    final Object receiveNow() {
        try {
            return receiveBlocking(null, true, 0L);
        } catch (InterruptedException e) {
            throw new AssertionError("a receive that does not wait cannot be interrupted", e);
        }
    }

    /** Releases every lock (held through {@link #acquireAll}). */
    abstract void unlockAll();

    /** Releases the send-side lock (a buffered channel then does a move a receive asked for meanwhile). */
    void unlockSendSide() {
        lock.unlock();
        afterUnlock();
    }

    /**
     * Releases every lock (held through {@link #acquireAll}) and nothing more, for a select that still holds other
     * channels' locks: the work an unlock may owe other threads wakes waiters, and a woken async bridge runs its
     * caller's dependent stages, which must not run under any channel's lock. The select calls {@link #afterUnlock}
     * once it holds no lock.
     */
    final void unlockAllOnly() {
        if (takeLock != lock) {
            takeLock.unlock();
        }
        lock.unlock();
    }

    /** With no lock held: what a release of the send-side lock owes other threads (see {@link #unlockSendSide}). */
    void afterUnlock() {
    }

    /**
     * Under all locks, as {@code close} begins: serves waiting receivers from values still buffered, so that only
     * receivers of a drained channel see the close. Returns the receivers it completed.
     */
    Node serveBeforeCloseLocked() {
        return null;
    }

    /** Under all locks, after {@code closed} is written: decides a waiter that is not in a queue (the slot). */
    void closeUnqueuedLocked(ArrayList<Node> woken) {
    }

    /** Under all locks: the plain waiter outside the queues (the rendezvous slot), or null. */
    Waiter slotWaiter() {
        return null;
    }

    /** Under all locks: how many values are buffered. */
    abstract int sizeLocked();

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
        // Waiters that a locked primitive completed for an operation that then did not take its wake (a failed
        // try, an async or select that waits): woken here, so that none is forgotten.
        Node left = pendingWake;
        pendingWake = null;
        unlockAll();
        fireAll(left);
    }

    boolean closedLocked() {
        return closed;
    }

    /** Under the send-side lock: decides the first waiting sender in a receive's favour, or returns null. */
    Node takeSender() {
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

    /** Enqueues {@code n}; returns whether it is alone on its side. */
    boolean enqueueLocked(Node n) {
        return (n.send ? senders : receivers).add(n);
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
        (n.send ? lock : takeLock).lock();
        try {
            WaitQueue q = n.queue;
            if (q != null) {
                q.remove(n);
            }
        } finally {
            if (n.send) {
                unlockSendSide();
            } else {
                takeLock.unlock();
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
        } catch (Throwable e) {
            // Errors too: the hook runs inside the channel's work (a close waking its waiters one after another),
            // which must go on whatever the caller's code throws.
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

    // ---------------------------------------------------------------- send

    @Override
    public void send(T value) throws InterruptedException {
        send(value, false, 0L);
    }

    @Override
    public boolean send(T value, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        return send(value, true, Durations.toNanos(timeout, "timeout"));
    }

    private boolean send(T value, boolean timed, long nanos) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        Token token = CurrentContext.get().token();
        token.throwIfCancelled();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return sendBlocking(value, token, timed, nanos);
    }

    /**
     * With every lock held (released here): a blocking send's locked path. Hands the value over, buffers or drops it
     * ({@link #offerLocked}); else enqueues a waiter and waits, unless a partner that joined the other side without
     * the lock takes it at once ({@link #matchSlotLocked}).
     */
    final boolean sendLocked(T value, Token token, boolean timed, long nanos) throws InterruptedException {
        Waiter w = null;
        Node wake;
        Object drop = null;
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
                if (wake != null) {
                    w = null;
                }
            }
        } finally {
            releaseAll();
        }
        afterUnlock(wake, drop);
        return w == null || awaitSend(w, token, timed, nanos);
    }

    /** Waits until {@code w} (a plain send) is decided: true if delivered, false on timeout; throws if closed. */
    final boolean awaitSend(Waiter w, Token token, boolean timed, long nanos) throws InterruptedException {
        Node n = w.await(token, timed, nanos);
        if (n == null) {
            return false;
        }
        if (w.closedOutcome()) {
            throw closedForSend();
        }
        return true;
    }

    @Override
    public boolean trySend(T value) {
        Objects.requireNonNull(value, "value");
        return sendNow(value);
    }

    @Override
    public CompletableFuture<Void> sendAsync(T value) {
        Objects.requireNonNull(value, "value");
        // First as a send that does not wait (a buffered channel's one lock, like trySend); only a send that must
        // wait, or a channel that is closed, takes every lock below.
        if (!closed) {
            try {
                if (sendIfLikely(value)) {
                    return CompletableFuture.completedFuture(null);
                }
            } catch (ChannelClosedException e) {
                // closed meanwhile: the locked path below fails the future and gives the value to the hook
            }
        }
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
        return recv(false, 0L);
    }

    @Override
    public T recv(Duration timeout) throws InterruptedException {
        return recv(true, Durations.toNanos(timeout, "timeout"));
    }

    @SuppressWarnings("unchecked")
    private T recv(boolean timed, long nanos) throws InterruptedException {
        Object v = receive(timed, nanos);
        if (v == CLOSED) {
            throw closedForRecv();
        }
        return (T) v;
    }

    /** What {@link #receive} returns for a closed, drained channel: iteration ends without an exception. */
    static final Object CLOSED = new Object();

    /** A blocking receive: the value, {@link #CLOSED}, or null on timeout. */
    final Object receive(boolean timed, long nanos) throws InterruptedException {
        Token token = CurrentContext.get().token();
        token.throwIfCancelled();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return receiveBlocking(token, timed, nanos);
    }

    /**
     * With every lock held (released here): a blocking receive's locked path. Takes a value ({@link #pollLocked});
     * else enqueues a waiter and waits, unless a partner that joined the other side without the lock is taken at
     * once ({@link #matchSlotLocked}). Returns the value, {@link #CLOSED}, or null on timeout.
     */
    final Object receiveLocked(Token token, boolean timed, long nanos) throws InterruptedException {
        Object v;
        Node wake = null;
        Waiter w = null;
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
                    w = null;
                }
            }
        } finally {
            releaseAll();
        }
        fireAll(wake);
        return w == null ? v : awaitReceive(w, token, timed, nanos);
    }

    /** Waits until {@code w} (a plain receive) is decided: the value, {@link #CLOSED}, or null on timeout. */
    static Object awaitReceive(Waiter w, Token token, boolean timed, long nanos) throws InterruptedException {
        Node n = w.await(token, timed, nanos);
        if (n == null) {
            return null;
        }
        return w.closedOutcome() ? CLOSED : w.item;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T tryRecv() {
        Object v = receiveNow();
        if (v == CLOSED) {
            throw closedForRecv();
        }
        return (T) v;
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<T> recvAsync() {
        Object now = receiveIfLikely(); // first as a receive that does not wait, as in sendAsync
        if (now != null && now != CLOSED) {
            return CompletableFuture.completedFuture((T) now);
        }
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
        Node served;
        acquireAll();
        try {
            if (closed) {
                return;
            }
            served = serveBeforeCloseLocked();
            reason = why;
            closed = true;
            closeAll(receivers, woken);
            closeAll(senders, woken);
            closeUnqueuedLocked(woken);
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
            return sizeLocked() == 0;
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
        if (capacity == 0) {
            return 0;
        }
        acquireAll();
        try {
            return sizeLocked();
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
        Waiter s = slotWaiter();
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
            int size = sizeLocked();
            String state = !closed ? "open"
                    : (size == 0 ? "drained" : "closed") + (reason == null ? "" : " (" + reason + ")");
            int[] waiting = waitingLocked();
            return "Channel[capacity=" + cap + (overflow == Overflow.SUSPEND ? "" : ", " + overflow)
                    + ", size=" + size + ", " + state
                    + ", waiting senders=" + waiting[0] + ", receivers=" + waiting[1] + "]";
        } finally {
            releaseAll();
        }
    }
}
