package dev.molt.internal.channel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One blocked operation's place in one channel's wait queue (or in a rendezvous channel's lock-free slot): a waiting
 * send (with the value it offers) or a waiting receive (with a slot for the value it is given). A plain
 * {@code send}/{@code recv} is a {@link Waiter} that is its own node; a {@code select} has one node per channel
 * clause, all sharing one waiter.
 *
 * <p>Memory contract: {@code prev}, {@code next} and {@code queue}: see {@link WaitQueue} (appends are lock-free,
 * everything else is under the owning channel's lock).
 * {@code item} of a send node is written by its owner before the node is published (enqueued under the lock, or
 * CASed into the slot) and never changes. {@code item} of a receive node is given by a partner with a CAS from null
 * ({@link #give}) <em>before</em> that partner tries the waiter's CAS, so the owner, which reads it only after
 * seeing its state decided by a completion, sees it; the item CAS also keeps two partners that race for a receive
 * waiter in the lock-free slot from overwriting each other's value (only the one that set the item may try the
 * waiter's CAS). A partner that loses the waiter's CAS leaves its value in a node nobody reads again.
 */
class Node {
    private static final VarHandle ITEM;

    static {
        try {
            ITEM = MethodHandles.lookup().findVarHandle(Node.class, "item", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Written by the appender before the node is reachable, then under the channel's lock ({@link WaitQueue}). */
    Node prev;
    /** Written by the appender of the next node (lock-free) or under the channel's lock ({@link WaitQueue}). */
    volatile Node next;
    /**
     * The queue this node is linked in, or null when it is not linked. Written by the appender before the node is
     * reachable, then under the channel's lock.
     */
    WaitQueue queue;
    /**
     * The next completed node to wake after the lock is released ({@link ChannelImpl#fireAll}): written and read
     * only by the partner whose CAS completed this node, so never by two threads.
     */
    Node wakeNext;

    final Waiter waiter;
    final ChannelImpl<?> channel;
    /** The clause index inside the waiter's select (0 for plain operations). */
    final int index;
    final boolean send;
    /** Send: the value offered. Receive: the value handed over (see {@link #give}). */
    Object item;

    Node(Waiter waiter, ChannelImpl<?> channel, int index, boolean send, Object item) {
        this.waiter = waiter == null ? (Waiter) this : waiter;
        this.channel = channel;
        this.index = index;
        this.send = send;
        this.item = item;
    }

    /**
     * A partner hands {@code v} to this receive node: sets the item (only if no other partner set one) and then
     * tries to complete the waiter by this node. True if the hand-over took effect.
     */
    final boolean give(Object v) {
        return ITEM.compareAndSet(this, null, v) && waiter.tryComplete(this);
    }
}
