package dev.molt.internal.channel;

/**
 * A FIFO of {@link Node}s waiting on one side of one channel: an intrusive doubly linked list, so that a
 * waiter that leaves (timeout, cancel, interrupt, a select won elsewhere) is unlinked in O(1) and leaves no
 * garbage behind. Not thread-safe: every method is called under the channel's lock, except {@link #isEmpty},
 * which a rendezvous channel's lock-free path also reads (racily: {@code head} is volatile for that, see the
 * Dekker handshake in {@link ChannelImpl}).
 */
final class WaitQueue {
    private volatile Node head;
    private Node tail;
    private int size;

    boolean isEmpty() {
        return head == null;
    }

    int size() {
        return size;
    }

    void add(Node n) {
        n.queue = this;
        n.prev = tail;
        n.next = null;
        if (tail == null) {
            head = n;
        } else {
            tail.next = n;
        }
        tail = n;
        size++;
    }

    /** Unlinks and returns the first node, or null. */
    Node poll() {
        Node n = head;
        if (n != null) {
            remove(n);
        }
        return n;
    }

    /** Unlinks {@code n} if it is linked here; returns whether it was. */
    boolean remove(Node n) {
        if (n.queue != this) {
            return false;
        }
        Node p = n.prev;
        Node x = n.next;
        if (p == null) {
            head = x;
        } else {
            p.next = x;
        }
        if (x == null) {
            tail = p;
        } else {
            x.prev = p;
        }
        n.prev = null;
        n.next = null;
        n.queue = null;
        size--;
        return true;
    }
}
