package dev.molt;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The sending side of a {@link Channel}, like Go's {@code chan<- T}: a producer that takes a
 * {@code SendChannel} cannot receive from it.
 *
 * <p>Elements are never null. Every blocking operation is a cancellation point of the current
 * {@link CancelToken}: under a cancelled token it throws {@link CancelledException} and has not taken effect.
 *
 * @param <T> the element type
 */
public interface SendChannel<T> {

    /**
     * Sends {@code value}, blocking until a receiver took it (rendezvous) or it was buffered.
     *
     * @throws NullPointerException if {@code value} is null
     * @throws ChannelClosedException if the channel is closed, or is closed while this call waits
     * @throws CancelledException if the current token is cancelled; the value was not delivered
     * @throws InterruptedException if the thread is interrupted while waiting; the value was not delivered
     */
    void send(T value) throws InterruptedException;

    /**
     * Like {@link #send(Object)}, waiting at most {@code timeout}.
     *
     * @return true if the value was delivered, false if the time ran out first (then it was not)
     * @throws NullPointerException if {@code value} or {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws ChannelClosedException if the channel is closed, or is closed while this call waits
     * @throws CancelledException if the current token is cancelled; the value was not delivered
     * @throws InterruptedException if the thread is interrupted while waiting; the value was not delivered
     */
    boolean send(T value, Duration timeout) throws InterruptedException;

    /**
     * Hands {@code value} to a waiting receiver or buffers it, if that can be done now (on a channel with a
     * dropping {@link Overflow} policy this always succeeds). Never blocks and never throws
     * {@link CancelledException}.
     *
     * @return whether the value was delivered
     * @throws NullPointerException if {@code value} is null
     * @throws ChannelClosedException if the channel is closed
     */
    boolean trySend(T value);

    /**
     * Sends {@code value} without blocking the calling thread (usable from event loops and platform threads):
     * the returned future completes when the value was delivered (or buffered), or exceptionally with
     * {@link ChannelClosedException}. Not a cancellation point of the current token. Cancelling the future (or
     * completing it, e.g. by {@code orTimeout}) withdraws the value if it has not been delivered yet; if it has,
     * {@code cancel} returns false and the future completes normally. A value that is not delivered (withdrawn,
     * or the channel was or got closed) goes to the channel's {@code onUndelivered} hook, if it has one.
     * Dependent stages run in the thread that completes the future.
     *
     * @throws NullPointerException if {@code value} is null
     */
    CompletableFuture<Void> sendAsync(T value);

    /**
     * A {@link Molt#select select} clause that sends {@code value} and then returns what {@code then} gives.
     *
     * @throws NullPointerException if {@code value} or {@code then} is null
     */
    <R> SelectClause<R> onSend(T value, Supplier<? extends R> then);

    /** Closes the channel with no reason. Idempotent: the first close wins. */
    void close();

    /**
     * Closes the channel: no send succeeds after this, buffered values are still received, then receivers get
     * a {@link ChannelClosedException} whose cause is {@code reason}. Senders blocked at this moment get a
     * {@link ChannelClosedException}. Idempotent: the first close wins.
     *
     * @throws NullPointerException if {@code reason} is null
     */
    void close(Throwable reason);

    /** Whether the channel is closed (no more sends can succeed). */
    boolean isClosed();

    /** The capacity: 0 for rendezvous, {@link Channel#UNLIMITED} for unbounded. */
    int capacity();

    /** How many values are buffered now (always 0 for a rendezvous channel). */
    int size();
}
