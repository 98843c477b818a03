package dev.molt;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * A handle to a body started by {@link Molt#spawn} or {@link Scope#spawn} on its own virtual thread.
 *
 * <p>A task runs under its own {@link CancelToken}, a child of the token that was current where it was
 * spawned. It ends in exactly one of three states: {@link State#SUCCEEDED} when its body returned (even after
 * cancellation), {@link State#CANCELLED} when its token was cancelled and the body then ended by a
 * {@link java.util.concurrent.CancellationException} or {@link InterruptedException}, and {@link State#FAILED}
 * when the body ended by any other exception.
 *
 * <p>A handle does not keep anything of a finished task alive but its name, state and outcome. Handles are
 * safe to use from any thread. Implemented by Molt only.
 *
 * @param <T> what the body returns ({@code Void} for an {@link Action})
 */
public interface Task<T> {

    /** The life cycle of a task: {@code RUNNING}, then exactly one of the three end states. */
    enum State {
        /** Started and not yet ended. */
        RUNNING,
        /** The body returned a value. */
        SUCCEEDED,
        /** The body ended by an exception that was not a response to cancellation. */
        FAILED,
        /** The task's token was cancelled and the body ended by a cancellation or interrupt. */
        CANCELLED
    }

    /**
     * Waits for the task to end and returns its result.
     *
     * <p>This is a cancellation point of the <em>caller's</em> token: if that token is, or becomes, cancelled
     * while waiting, it throws {@link CancelledException} (and does not cancel this task).
     *
     * @return what the body returned ({@code null} for an {@link Action})
     * @throws TaskFailedException if the task FAILED; its cause is what the body threw
     * @throws CancelledException if the task was CANCELLED, or the caller's token is cancelled
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    T join() throws InterruptedException;

    /**
     * Like {@link #join()}, but waits at most {@code timeout}.
     *
     * @throws TimeoutException if the task has not ended within {@code timeout}
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    T join(Duration timeout) throws InterruptedException, TimeoutException;

    /**
     * Cancels the task's token (and so the tokens of everything spawned under it) and interrupts the task's
     * thread, so that JDK blocking calls wake too. Does nothing once the task has ended. Idempotent.
     */
    void cancel();

    /** The task's own token: a child of the token that was current where it was spawned. */
    CancelToken token();

    /** The name given at spawn, or {@code "task-<id>"} for an unnamed task. */
    String name();

    /** Whether the task has ended (in any state). Never blocks. */
    boolean isDone();

    /** The task's state now. Never blocks. */
    State state();

    /**
     * A future that completes when the task ends: normally with its result, or exceptionally with a
     * {@link TaskFailedException} (FAILED) or a {@link CancelledException} (CANCELLED). Cancelling the future
     * cancels the task. Every call returns the same future.
     */
    CompletableFuture<T> toFuture();
}
