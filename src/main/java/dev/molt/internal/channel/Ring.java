package dev.molt.internal.channel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The buffer of a buffered channel: a circular array with a two-lock discipline (the idea of the JDK's
 * {@code LinkedBlockingQueue}, on an array). The tail end ({@link #addLast}, {@link #tail}) belongs to the holder of
 * the channel's send-side lock, the head end ({@link #peekFirst}, {@link #pollFirst}, {@link #head}) to the holder of
 * its receive-side lock, and {@link #count} is an atomic counter both update. So a sender and a receiver of a
 * channel that is neither empty nor full never wait for each other.
 *
 * <p>Memory contract: a sender writes its cell, then increments {@link #count} (a volatile read-modify-write); a
 * receiver reads {@code count > 0}, then reads the cell, clears it, then decrements. So a receiver that sees a count
 * sees the cells it covers, and a sender that sees free room sees those cells cleared. {@link #items} is replaced
 * ({@link #grow}) only by a thread holding both locks, and read only under one of them.
 */
final class Ring {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(Ring.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The channel's capacity: the most values the ring ever holds. */
    final int capacity;
    /** Grows (doubling, up to {@link #capacity}) so that a big capacity costs memory only when used. */
    private Object[] items;
    /** Receive side: the index of the first value. */
    private int head;
    /** Send side: the index of the next free cell. */
    private int tail;
    private volatile int count;

    Ring(int capacity) {
        this.capacity = capacity;
        this.items = new Object[Math.min(capacity, 16)];
    }

    int size() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    boolean isFull() {
        return count >= capacity;
    }

    /** Whether the array has to grow before the next {@link #addLast} (only with both locks held). */
    boolean needsGrowth() {
        return count == items.length && items.length < capacity;
    }

    /** Both locks held: doubles the array, keeping the order. */
    void grow() {
        Object[] old = items;
        int n = count;
        Object[] a = new Object[(int) Math.min((long) capacity, Math.max(16L, (long) old.length << 1))];
        for (int i = 0, j = head; i < n; i++) {
            a[i] = old[j];
            if (++j == old.length) {
                j = 0;
            }
        }
        items = a;
        head = 0;
        tail = n == a.length ? 0 : n;
    }

    /** Send side, with room ({@code !isFull()}, the array grown if needed): appends; returns the count before. */
    int addLast(Object v) {
        Object[] a = items;
        int t = tail;
        a[t] = v;
        tail = t + 1 == a.length ? 0 : t + 1;
        return (int) COUNT.getAndAdd(this, 1);
    }

    /** Receive side, with {@code !isEmpty()}: the first value. */
    Object peekFirst() {
        return items[head];
    }

    /** Receive side, with {@code !isEmpty()}: removes the first value; returns the count before. */
    int removeFirst() {
        Object[] a = items;
        int h = head;
        a[h] = null;
        head = h + 1 == a.length ? 0 : h + 1;
        return (int) COUNT.getAndAdd(this, -1);
    }
}
