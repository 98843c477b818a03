package dev.molt.internal.channel;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Overflow;
import dev.molt.SelectClause;
import dev.molt.internal.CurrentContext;
import dev.molt.internal.Durations;
import dev.molt.internal.Token;
import java.time.Duration;
import java.util.ArrayDeque;
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
 * The one channel implementation: rendezvous, buffered and unlimited, with an overflow policy.
 *
 * <h2>Invariants (all under {@link #lock})</h2>
 * <ul>
 *   <li>Senders wait (in {@link #senders}) only while the buffer is full (always, for capacity 0);
 *       receivers wait (in {@link #receivers}) only while the buffer is empty. So a send first hands its value
 *       to a waiting receiver (directly, never through the buffer), and a receive that empties a slot refills
 *       it from the first waiting sender, keeping FIFO order.</li>
 *   <li>A queue may hold stale nodes: a select's node whose waiter was completed by another channel and has
 *       not unlinked it yet. Whoever polls a node decides it by the waiter's CAS; a lost CAS drops the node.</li>
 *   <li>Once {@code closed}, both queues are empty and stay empty: close completes every waiter, and no
 *       operation enqueues on a closed channel. {@code reason} is written before {@code closed}.</li>
 *   <li>Waking (unpark, completing a future) and the undelivered hook run after the lock is released.
 *       {@link #pendingWake}/{@link #pendingDrop} carry them from the locked section to the caller without
 *       allocating; they are read and cleared by the same lock holder that set them.</li>
 * </ul>
 * A select locks all its channels at once, in {@link #id} order; everything else holds one channel lock at a
 * time, so there is no lock-order cycle.
 */
public final class ChannelImpl<T> implements Channel<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelImpl.class);
    private static final AtomicLong IDS = new AtomicLong();

    /** Global lock order for select. */
    final long id = IDS.incrementAndGet();
    final ReentrantLock lock = new ReentrantLock();
    private final int capacity;
    private final Overflow overflow;
    private final Consumer<? super T> onUndelivered;
    /** Null for rendezvous. */
    private final ArrayDeque<Object> buffer;
    private final WaitQueue senders = new WaitQueue();
    private final WaitQueue receivers = new WaitQueue();
    private volatile boolean closed;
    private Throwable reason;
    private Node pendingWake;
    private Object pendingDrop;
    /** How long lone waiters of this channel spin before parking. */
    final SpinBudget spin;

    ChannelImpl(int capacity, Overflow overflow, Consumer<? super T> onUndelivered) {
        this.capacity = capacity;
        this.overflow = overflow;
        this.onUndelivered = onUndelivered;
        this.buffer = capacity == 0 ? null : new ArrayDeque<>(Math.min(capacity, 16));
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

    boolean closedLocked() {
        return closed;
    }

    /**
     * Under the lock: hands {@code v} to a waiting receiver, buffers it, or drops per the overflow policy.
     * Returns false if it must wait. Sets {@link #pendingWake} / {@link #pendingDrop}.
     */
    boolean offerLocked(Object v) {
        for (Node r; (r = receivers.poll()) != null; ) {
            r.item = v;
            if (r.waiter.tryComplete(r)) {
                pendingWake = r;
                return true;
            }
            r.item = null;
        }
        if (buffer == null) {
            return false;
        }
        if (buffer.size() < capacity) {
            buffer.addLast(v);
            return true;
        }
        switch (overflow) {
            case DROP_OLDEST -> {
                pendingDrop = buffer.pollFirst();
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
     * Under the lock: takes a value now (from the buffer, refilling it from a waiting sender, or straight from
     * a waiting sender), or returns null. Sets {@link #pendingWake}.
     */
    Object pollLocked() {
        if (buffer != null && !buffer.isEmpty()) {
            Object v = buffer.pollFirst();
            Node s = takeSender();
            if (s != null) {
                buffer.addLast(s.item);
                pendingWake = s;
            }
            return v;
        }
        Node s = takeSender();
        if (s != null) {
            pendingWake = s;
            return s.item;
        }
        return null;
    }

    private Node takeSender() {
        for (Node s; (s = senders.poll()) != null; ) {
            if (s.waiter.tryComplete(s)) {
                return s;
            }
        }
        return null;
    }

    /** Enqueues {@code n}; returns whether its queue was empty before. */
    boolean enqueueLocked(Node n) {
        WaitQueue q = n.send ? senders : receivers;
        boolean alone = q.isEmpty();
        q.add(n);
        return alone;
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

    /** After unlocking: wakes the completed partner and reports a dropped value. */
    void afterUnlock(Node wake, Object drop) {
        if (wake != null) {
            wake.waiter.fire(wake);
        }
        if (drop != null) {
            undelivered(drop);
        }
    }

    /** Takes {@code n} out of its queue if it is still there (a waiter that leaves, a select that ended). */
    void unlink(Node n) {
        acquire();
        try {
            WaitQueue q = n.queue;
            if (q != null) {
                q.remove(n);
            }
        } finally {
            lock.unlock();
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
        Waiter w;
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
                w = null;
            } else if (timed && nanos == 0) {
                return false;
            } else {
                w = new Waiter(Thread.currentThread(), this, true, value);
                w.alone = senders.isEmpty();
                senders.add(w);
                wake = null;
                drop = null;
            }
        } finally {
            lock.unlock();
        }
        if (w == null) {
            afterUnlock(wake, drop);
            return true;
        }
        Node n = w.await(token, timed, nanos);
        if (n == null) {
            return false;
        }
        if (n.closed) {
            throw closedForSend();
        }
        return true;
    }

    @Override
    public boolean trySend(T value) {
        Objects.requireNonNull(value, "value");
        Node wake;
        Object drop;
        acquire();
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
            lock.unlock();
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
        acquire();
        try {
            if (closed) {
                wasClosed = true;
            } else if (offerLocked(value)) {
                wake = takeWake();
                drop = takeDrop();
            } else {
                w = new AsyncWaiter<>(this, true, value);
                senders.add(w);
            }
        } finally {
            lock.unlock();
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
        Waiter w = null;
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
                w.alone = receivers.isEmpty();
                receivers.add(w);
            }
        } finally {
            lock.unlock();
        }
        if (w == null) {
            afterUnlock(wake, null);
            return v;
        }
        Node n = w.await(token, timed, nanos);
        if (n == null) {
            return null;
        }
        return n.closed ? CLOSED : n.item;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T tryRecv() {
        Object v;
        Node wake;
        acquire();
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
            lock.unlock();
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
        acquire();
        try {
            v = pollLocked();
            if (v != null) {
                wake = takeWake();
            } else if (closed) {
                return CompletableFuture.failedFuture(closedForRecv());
            } else {
                w = new AsyncWaiter<>(this, false, null);
                receivers.add(w);
            }
        } finally {
            lock.unlock();
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
        acquire();
        try {
            if (closed) {
                return;
            }
            reason = why;
            closed = true;
            closeAll(receivers, woken);
            closeAll(senders, woken);
        } finally {
            lock.unlock();
        }
        for (Node n : woken) {
            n.waiter.fire(n);
        }
    }

    private static void closeAll(WaitQueue q, ArrayList<Node> woken) {
        for (Node n; (n = q.poll()) != null; ) {
            n.closed = true;
            if (n.waiter.tryComplete(n)) {
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
        acquire();
        try {
            return buffer == null || buffer.isEmpty();
        } finally {
            lock.unlock();
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
        acquire();
        try {
            return buffer.size();
        } finally {
            lock.unlock();
        }
    }

    /** The policy for a full buffer. */
    public Overflow overflow() {
        return overflow;
    }

    /** How many operations wait to send and to receive now (stale select nodes included): for tests. */
    public int[] waiting() {
        acquire();
        try {
            return new int[] {senders.size(), receivers.size()};
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        acquire();
        try {
            String cap = capacity == UNLIMITED ? "unlimited" : Integer.toString(capacity);
            String state = !closed ? "open"
                    : (buffer == null || buffer.isEmpty() ? "drained" : "closed")
                            + (reason == null ? "" : " (" + reason + ")");
            return "Channel[capacity=" + cap + (overflow == Overflow.SUSPEND ? "" : ", " + overflow)
                    + ", size=" + (buffer == null ? 0 : buffer.size()) + ", " + state
                    + ", waiting senders=" + senders.size() + ", receivers=" + receivers.size() + "]";
        } finally {
            lock.unlock();
        }
    }
}
