package dev.molt;

import java.util.concurrent.Callable;

/**
 * An open structured scope, as passed to the body of {@link Molt#scope(ScopeBody)}: tasks spawned into it
 * belong to it, and {@code scope} returns only after all of them have ended.
 *
 * <p>Spawning through a {@code Scope} is the same as calling {@link Molt#spawn} from the scope's body:
 * the new task's token is a child of the current token, and the task belongs to this scope. A scope that
 * has ended refuses new tasks with {@link IllegalStateException}. Implemented by Molt only.
 */
public interface Scope {

    /**
     * Starts {@code body} on a new virtual thread that belongs to this scope.
     *
     * @throws NullPointerException if {@code body} is null
     * @throws IllegalStateException if this scope has already ended
     * @throws java.util.concurrent.RejectedExecutionException if the runtime is shut down
     */
    <T> Task<T> spawn(Callable<? extends T> body);

    /** Like {@link #spawn(Callable)}, for a body that returns nothing. */
    Task<Void> spawn(Action body);

    /**
     * Like {@link #spawn(Callable)}, with a task and thread name.
     *
     * @throws NullPointerException if {@code name} or {@code body} is null
     */
    <T> Task<T> spawn(String name, Callable<? extends T> body);

    /** Like {@link #spawn(String, Callable)}, for a body that returns nothing. */
    Task<Void> spawn(String name, Action body);

    /** The scope's token: a child of the token that was current where the scope was opened. */
    CancelToken token();

    /**
     * Cancels the scope: cancels its token and interrupts the threads of the tasks that this cancels (never
     * the thread running the scope's body). The scope still waits for its tasks to end. Idempotent.
     */
    void cancel();
}
