package dev.molt.internal.channel;

/**
 * The buffer of a buffered channel: a circular array with a two-lock discipline (the idea of the JDK's
 * {@code LinkedBlockingQueue}, on an array). The tail end belongs to the holder of the channel's send-side lock,
 * the head end to the holder of its receive-side lock, so a sender and a receiver of a channel that is neither
 * empty nor full never wait for each other.
 *
 * <p>Each end counts its operations in a volatile counter ({@code puts}, {@code takes}); the number of values is
 * their difference. Each end also keeps a plain copy of the other end's counter, read again only when the copy says
 * "full" (send side) or "empty" (receive side): so in the common case an end touches only its own cache line (the
 * ends are padded apart, as in JCTools' queues).
 *
 * <p>Memory contract: a sender writes its cell, then {@code puts} (volatile); a receiver reads {@code puts}, then
 * the cell, clears it, then writes {@code takes}; a sender reads {@code takes} before reusing a cell. So a receiver
 * that counts a value sees its cell, and a sender that counts room sees the cell cleared. A stale copy of the other
 * counter only understates what the end may do (the counters only grow). {@code items} is replaced ({@link #grow})
 * only by a thread holding both locks, and read only under one of them.
 */
final class Ring extends RingPad2 {
    /** The channel's capacity: the most values the ring ever holds. */
    final int capacity;
    /** Guarded by either lock for reading, both for replacing. */
    Object[] items;

    Ring(int capacity) {
        this.capacity = capacity;
        this.items = new Object[Math.min(capacity, 16)];
    }

    /** With no lock: the number of values now (racy, but never negative nor above the capacity). */
    int size() {
        long t = takes;
        long n = puts - t;
        return (int) Math.max(0, Math.min(capacity, n));
    }

    /** Send side: whether there is no room (reads {@code takes} again only if the copy says full). */
    boolean isFull() {
        long p = puts;
        if (p - takesSeen < capacity) {
            return false;
        }
        takesSeen = takes;
        return p - takesSeen >= capacity;
    }

    /** Receive side: whether there is no value (reads {@code puts} again only if the copy says empty). */
    boolean isEmpty() {
        long t = takes;
        if (putsSeen - t > 0) {
            return false;
        }
        putsSeen = puts;
        return putsSeen - t <= 0;
    }

    /** Send side, with room: whether the array must grow first (then under both locks: {@link #grow}). */
    boolean needsGrowth() {
        return items.length < capacity && puts - takes >= items.length;
    }

    /** Both locks held: doubles the array (up to the capacity), keeping the order. */
    void grow() {
        Object[] old = items;
        int n = (int) (puts - takes);
        Object[] a = new Object[(int) Math.min((long) capacity, Math.max(16L, (long) old.length << 1))];
        for (int i = 0, j = headPos; i < n; i++) {
            a[i] = old[j];
            if (++j == old.length) {
                j = 0;
            }
        }
        items = a;
        headPos = 0;
        tailPos = n == a.length ? 0 : n;
    }

    /** Send side, with room (grown if needed): appends. */
    void addLast(Object v) {
        Object[] a = items;
        int t = tailPos;
        a[t] = v;
        tailPos = t + 1 == a.length ? 0 : t + 1;
        puts = puts + 1;
    }

    /** Receive side, with a value ({@code !isEmpty()}): the first value. */
    Object peekFirst() {
        return items[headPos];
    }

    /** Receive side, with a value: removes the first value. */
    void removeFirst() {
        Object[] a = items;
        int h = headPos;
        a[h] = null;
        headPos = h + 1 == a.length ? 0 : h + 1;
        takes = takes + 1;
    }
}

/** Padding, so that the send side's fields get a cache line of their own. */
abstract class RingPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The send side: guarded by the channel's send lock ({@code puts} is read by anyone). */
abstract class RingPut extends RingPad0 {
    int tailPos;
    long takesSeen;
    volatile long puts;
}

abstract class RingPad1 extends RingPut {
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** The receive side: guarded by the channel's receive lock ({@code takes} is read by anyone). */
abstract class RingTake extends RingPad1 {
    int headPos;
    long putsSeen;
    volatile long takes;
}

abstract class RingPad2 extends RingTake {
    long p20, p21, p22, p23, p24, p25, p26, p27;
}
