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
     * @return the value, or null if the time ran out first
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
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
     * Receives without blocking the calling thread: the future completes with the value, or exceptionally with
     * {@link ChannelClosedException}. Cancelling the future withdraws the request if nothing was received yet.
     */
    CompletableFuture<T> recvAsync();

    /**
     * A {@link Molt#select select} clause that receives a value and returns what {@code then} makes of it.
     *
     * @throws NullPointerException if {@code then} is null
     */
    <R> SelectClause<R> onRecv(Function<? super T, ? extends R> then);

    /** An iterator that receives (blocking) until the channel is closed and drained. */
    @Override
    Iterator<T> iterator();

    /** A sequential stream of the values received until the channel is closed and drained. */
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
