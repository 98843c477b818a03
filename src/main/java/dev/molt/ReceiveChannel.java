package dev.molt;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The receiving side of a {@link Channel}, like Go's {@code <-chan T}: a consumer that takes a
 * {@code ReceiveChannel} cannot send to it.
 *
 * <p>Iterating ({@code for (T v : ch)}) receives until the channel is closed and drained; it ends normally
 * after a plain {@link SendChannel#close()} and throws {@link ChannelClosedException} after
 * {@link SendChannel#close(Throwable)}. Every blocking operation is a cancellation point of the current
 * {@link CancelToken}: under a cancelled token it throws {@link CancelledException} and consumed nothing.
 *
 * @param <T> the element type
 */
public interface ReceiveChannel<T> extends Iterable<T> {

    /**
     * Receives a value, blocking until one is available.
     *
     * @throws ChannelClosedException if the channel is closed and drained; its cause is the close reason
     * @throws CancelledException if the current token is cancelled; nothing was consumed
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was consumed
     */
    T recv() throws InterruptedException;

    /**
     * Like {@link #recv()}, waiting at most {@code timeout}.
     *
     * @return the value, or null if the time ran out first (then nothing was consumed)
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws ChannelClosedException if the channel is closed and drained; its cause is the close reason
     * @throws CancelledException if the current token is cancelled; nothing was consumed
     * @throws InterruptedException if the thread is interrupted while waiting; nothing was consumed
     */
    T recv(Duration timeout) throws InterruptedException;

    /**
     * Takes a value if one is available now. Never blocks and never throws {@link CancelledException}.
     *
     * @return the value, or null if none is available now
     * @throws ChannelClosedException if the channel is closed and drained
     */
    T tryRecv();

    /**
     * Receives without blocking the calling thread (usable from event loops and platform threads): the future
     * completes with the value, or exceptionally with {@link ChannelClosedException} once the channel is closed
     * and drained. Not a cancellation point of the current token. Cancelling the future (or completing it, e.g.
     * by {@code orTimeout}) withdraws the request if nothing was received yet; if a value was already handed
     * over, {@code cancel} returns false and the future completes with it. Dependent stages run in the thread
     * that completes the future.
     */
    CompletableFuture<T> recvAsync();

    /**
     * A {@link Molt#select select} clause that receives a value and returns what {@code then} makes of it.
     *
     * @throws NullPointerException if {@code then} is null
     */
    <R> SelectClause<R> onRecv(Function<? super T, ? extends R> then);

    /**
     * An iterator that receives (blocking, a cancellation point) until the channel is closed and drained:
     * {@code hasNext} returns false after a plain close and throws {@link ChannelClosedException} after
     * {@code close(reason)}. Since it cannot throw {@link InterruptedException}, an interrupt while waiting
     * becomes a {@link CancelledException} (its cause the {@code InterruptedException}) and the thread's interrupt
     * status is set again.
     */
    @Override
    Iterator<T> iterator();

    /** A sequential, ordered stream of the values received until the channel is closed and drained, as by
     * {@link #iterator()}. */
    Stream<T> stream();

    /** Whether the channel is closed and empty: no value will ever be received again. */
    boolean isDrained();

    /** Whether the channel is closed (buffered values may remain). */
    boolean isClosed();

    /** The capacity: 0 for rendezvous, {@link Channel#UNLIMITED} for unbounded. */
    int capacity();

    /** How many values are buffered now. */
    int size();
}
