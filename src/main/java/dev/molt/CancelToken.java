package dev.molt;

import dev.molt.internal.Token;
import java.time.Duration;
import java.time.Instant;

/**
 * A cooperative cancellation signal. Tokens form a tree: cancelling a token cancels all of its descendants,
 * and cancelling a child never touches its parent. Every task runs under a current token (see
 * {@link Molt#currentToken()}); every blocking operation of Molt checks it.
 *
 * <p>Cancellation happens once: the first {@link #cancel(Throwable)} wins and sets the {@link #reason()}, later
 * calls do nothing. A plain {@code cancel()} only marks the tree and runs callbacks; it interrupts no thread
 * (contrast {@link Task#cancel()} and {@link Scope#cancel()}).
 *
 * <p>Memory visibility: actions in a thread before it cancels a token happen-before actions in another thread
 * after it observes the token cancelled (through {@link #cancelled()}, {@link #reason()}, a callback, or a
 * cancellation point that throws).
 *
 * <p>Tokens are made by {@link #create()}, {@link #never()} and the {@code child} methods; this interface is
 * not meant to be implemented elsewhere, and Molt refuses foreign implementations.
 */
public interface CancelToken {

    /** A new token with no parent; it is cancelled only through itself. */
    static CancelToken create() {
        return Token.create();
    }

    /**
     * The token that is never cancelled ({@code cancel} on it does nothing). Use it with
     * {@link Molt#withToken} to shield clean-up work: inside, blocking operations work normally even in a
     * cancelled task, and an interrupt from {@link Task#cancel()} is set aside until the block ends.
     */
    static CancelToken never() {
        return Token.never();
    }

    /**
     * A new token that is cancelled when this one is, and can also be cancelled alone.
     *
     * <p>Until it is cancelled on its own, the child stays registered with this token, and so reachable from it.
     * Cancel a child once the work it covers is done (as Go asks of {@code context.WithCancel}), so that a
     * long-lived token (a runtime's root, a server's) does not collect the children of finished requests. The tokens
     * Molt makes for tasks and scopes leave their parent by themselves when the task or scope ends.
     */
    CancelToken child();

    /**
     * A child token that also cancels itself after {@code timeout}, with a
     * {@link java.util.concurrent.TimeoutException} as its reason. Until then it stays registered with this token
     * and with the JVM's deadline timer, as {@link #child()} says; cancelling it earlier releases both.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    CancelToken childWithTimeout(Duration timeout);

    /**
     * A child token that also cancels itself at {@code deadline} (at once if it has passed), with a
     * {@link java.util.concurrent.TimeoutException} as its reason. Cancelling it earlier releases it, as for
     * {@link #childWithTimeout}.
     *
     * @throws NullPointerException if {@code deadline} is null
     */
    CancelToken childWithDeadline(Instant deadline);

    /**
     * Cancels this token and its descendants with a {@link CancelledException} as the reason. Idempotent.
     *
     * @throws UnsupportedOperationException on a runtime's root token ({@link MoltRuntime#rootToken()}, and
     *     {@link Molt#currentToken()} outside any task), which only {@code shutdown} cancels
     */
    void cancel();

    /**
     * Cancels this token and its descendants with {@code reason}. Idempotent: if the token is already
     * cancelled, nothing changes and the first reason stays.
     *
     * @throws NullPointerException if {@code reason} is null
     * @throws UnsupportedOperationException on a runtime's root token, as {@link #cancel()}
     */
    void cancel(Throwable reason);

    /**
     * Why this token was cancelled: {@code null} while it is not; a {@link CancelledException} after a plain
     * {@link #cancel()}; for a token cancelled through an ancestor, that ancestor's reason.
     */
    Throwable reason();

    /** Whether this token is cancelled. Never blocks, never throws. */
    boolean cancelled();

    /** The same as {@link #cancelled()}, in JavaBeans spelling. */
    default boolean isCancelled() {
        return cancelled();
    }

    /**
     * Throws {@link CancelledException} if this token is cancelled; its cause is the {@link #reason()} unless
     * that is itself a plain cancellation.
     */
    void throwIfCancelled();

    /**
     * Registers {@code callback} to run once when this token is cancelled, in the cancelling thread. If the
     * token is already cancelled, it runs in the caller before this method returns. An exception from the
     * callback is logged and does not stop other callbacks. Closing the returned handle deregisters the
     * callback (it then never runs, unless it has already started); closing it again does nothing.
     *
     * @throws NullPointerException if {@code callback} is null
     */
    AutoCloseable onCancel(Runnable callback);
}
