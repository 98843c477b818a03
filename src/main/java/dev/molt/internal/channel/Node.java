package dev.molt.internal.channel;

/**
 * One blocked operation's place in one channel's wait queue: a waiting send (with the value it offers) or a
 * waiting receive (with a slot for the value it is given). A plain {@code send}/{@code recv} is a
 * {@link Waiter} that is its own node; a {@code select} has one node per channel clause, all sharing one
 * waiter.
 *
 * <p>Memory contract: {@code prev}, {@code next} and {@code queue} are guarded by the owning channel's lock.
 * {@code item} of a send node is written by its owner before the node is enqueued (under the lock);
 * {@code item} of a receive node and {@code closed} are written by the partner (under the lock) <em>before</em>
 * it wins the waiter's CAS, so the owner, which reads them only after seeing its state decided, sees them.
 * A partner that loses the CAS drops the node, so its writes are never read.
 */
class Node {
    /** Guarded by the channel's lock. */
    Node prev;
    /** Guarded by the channel's lock. */
    Node next;
    /** The queue this node is linked in, or null when it is not linked. Guarded by the channel's lock. */
    WaitQueue queue;

    final Waiter waiter;
    final ChannelImpl<?> channel;
    /** The clause index inside the waiter's select (0 for plain operations). */
    final int index;
    final boolean send;
    /** Send: the value offered. Receive: the value handed over. */
    Object item;
    /** Set by {@code close} when the channel closed under this waiting operation. */
    boolean closed;

    Node(Waiter waiter, ChannelImpl<?> channel, int index, boolean send, Object item) {
        this.waiter = waiter == null ? (Waiter) this : waiter;
        this.channel = channel;
        this.index = index;
        this.send = send;
        this.item = item;
    }
}
