package dev.molt;

/**
 * A typed channel, like Go's {@code chan T}: tasks send values into it and receive them out of it in FIFO
 * order. Made by {@link Molt#channel()} (rendezvous), {@link Molt#channel(int)} (buffered or
 * {@link #UNLIMITED}) and {@link Molt#channel(int, Overflow)}.
 *
 * <p>Pass the narrower {@link SendChannel} or {@link ReceiveChannel} view to code that should only send or only
 * receive. Channels never pin a carrier thread. {@link #toString()} shows the capacity, the overflow policy,
 * the number of buffered values, the state (open, closed with its reason, drained) and how many senders and
 * receivers wait. Implemented by Molt only. See {@code docs/channels.md} for the full semantics.
 *
 * @param <T> the element type
 */
public interface Channel<T> extends SendChannel<T>, ReceiveChannel<T> {

    /** The capacity of an unbounded channel. */
    int UNLIMITED = Integer.MAX_VALUE;

    @Override
    boolean isClosed();

    @Override
    int capacity();

    @Override
    int size();
}
