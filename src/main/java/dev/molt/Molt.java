package dev.molt;

import dev.molt.internal.CurrentContext;
import dev.molt.internal.Durations;
import dev.molt.internal.ScopeImpl;
import dev.molt.internal.Sleeper;
import dev.molt.internal.Structured;
import dev.molt.internal.TaskImpl;
import dev.molt.internal.channel.Channels;
import dev.molt.internal.channel.Select;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The static facade: {@code import static dev.molt.Molt.*;} and write Go-like code.
 *
 * <pre>{@code
 * Channel<Integer> results = channel(64);
 * int sum = scope(s -> {
 *     for (int i = 0; i < 4; i++) {
 *         int n = i;
 *         spawn(() -> results.send(n * n));
 *     }
 *     int total = 0;
 *     for (int i = 0; i < 4; i++) total += results.recv();
 *     return total;
 * });
 * }</pre>
 *
 * <p>Everything here works on the current context of the calling thread: the current {@link MoltRuntime},
 * the current {@link CancelToken}, and the innermost open {@link Scope}. Outside any task or scope these are
 * the default runtime, its root token and its root scope.
 *
 * <p>Cancellation points: every blocking method here ({@code sleep}, {@code select} without
 * {@code onDefault}, {@code scope} waiting for its tasks, and {@link Task#join()} and channel operations)
 * throws {@link CancelledException} when the current token is cancelled, even when it could have completed at
 * once. Nothing here blocks on an object monitor, so no carrier thread is pinned.
 */
public final class Molt {
    private Molt() {
    }

    // ---------------------------------------------------------------- tasks

    /**
     * Starts {@code body} on a new virtual thread. Its token is a new child of the current token; it belongs
     * to the innermost open scope, or to the runtime's root scope when there is none.
     *
     * @throws NullPointerException if {@code body} is null
     * @throws java.util.concurrent.RejectedExecutionException if the current runtime is shut down
     */
    public static <T> Task<T> spawn(Callable<? extends T> body) {
        return TaskImpl.spawn(CurrentContext.get(), null, body);
    }

    /** Like {@link #spawn(Callable)}, for a body that returns nothing. */
    public static Task<Void> spawn(Action body) {
        return TaskImpl.spawnAction(CurrentContext.get(), null, body);
    }

    /**
     * Like {@link #spawn(Callable)}, with a task (and thread) name.
     *
     * @throws NullPointerException if {@code name} or {@code body} is null
     */
    public static <T> Task<T> spawn(String name, Callable<? extends T> body) {
        Objects.requireNonNull(name, "name");
        return TaskImpl.spawn(CurrentContext.get(), name, body);
    }

    /** Like {@link #spawn(String, Callable)}, for a body that returns nothing. */
    public static Task<Void> spawn(String name, Action body) {
        Objects.requireNonNull(name, "name");
        return TaskImpl.spawnAction(CurrentContext.get(), name, body);
    }

    // ---------------------------------------------------------------- channels and select

    /** A rendezvous channel (capacity 0), like Go's {@code make(chan T)}: a send waits for a receiver. */
    public static <T> Channel<T> channel() {
        return Channels.create(0, Overflow.SUSPEND);
    }

    /**
     * A buffered channel, like Go's {@code make(chan T, capacity)}; {@link Channel#UNLIMITED} for unbounded, 0 for
     * rendezvous.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    public static <T> Channel<T> channel(int capacity) {
        return Channels.create(capacity, Overflow.SUSPEND);
    }

    /**
     * A buffered channel with an overflow policy: {@link Overflow#DROP_OLDEST} and {@link Overflow#DROP_LATEST}
     * never make a sender wait.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative, or is 0 with a dropping policy
     * @throws NullPointerException if {@code overflow} is null
     */
    public static <T> Channel<T> channel(int capacity, Overflow overflow) {
        return Channels.create(capacity, Objects.requireNonNull(overflow, "overflow"));
    }

    /**
     * A channel like {@link #channel(int, Overflow)} whose {@code onUndelivered} hook receives every value the
     * channel gives up on, so that resources held by values are released and nothing vanishes silently: values
     * dropped by {@link Overflow#DROP_OLDEST} (the evicted one) or {@link Overflow#DROP_LATEST} (the sent one),
     * and values of {@link SendChannel#sendAsync} that are not delivered (the future was cancelled or completed
     * by its caller first, or the channel was or got closed). A blocking or {@code try} send that fails keeps its
     * value with its caller (an exception or {@code false}), so the hook does not see it; values still buffered
     * at {@code close} remain receivable, so the hook does not see them either. The hook runs in the thread that
     * drops the value, outside the channel's lock; whatever it throws (an {@code Error} too) is logged and
     * swallowed, so that a failing hook cannot keep a close from waking every waiter.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative, or is 0 with a dropping policy
     * @throws NullPointerException if {@code overflow} or {@code onUndelivered} is null
     */
    public static <T> Channel<T> channel(int capacity, Overflow overflow, Consumer<? super T> onUndelivered) {
        return Channels.create(capacity, Objects.requireNonNull(overflow, "overflow"),
                Objects.requireNonNull(onUndelivered, "onUndelivered"));
    }

    /**
     * Waits until one clause can proceed, performs exactly that one, and returns its callback's result. When
     * several are ready, one is chosen uniformly at random, as in Go.
     *
     * @throws IllegalArgumentException if there is no send or receive clause, or more than one
     *     {@code onDefault} or {@code onTimeout}
     * @throws NullPointerException if {@code clauses} or one of them is null
     * @throws ChannelClosedException if the chosen clause's channel is closed (drained, for a receive)
     * @throws CancelledException if the current token is cancelled while waiting; no clause took effect
     */
    @SafeVarargs
    public static <R> R select(SelectClause<? extends R>... clauses) throws InterruptedException {
        return Select.select(clauses);
    }

    /** A clause that makes {@link #select} non-blocking: taken when no other clause is ready now. */
    public static <R> SelectClause<R> onDefault(Supplier<? extends R> then) {
        return Select.onDefault(then);
    }

    /**
     * A clause taken when no other clause became ready within {@code after}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code after} is negative
     */
    public static <R> SelectClause<R> onTimeout(Duration after, Supplier<? extends R> then) {
        return Select.onTimeout(after, then);
    }

    // ---------------------------------------------------------------- cancellation

    /** Whether the current token is cancelled. Never blocks, never throws. */
    public static boolean cancelled() {
        return CurrentContext.get().token().cancelled();
    }

    /** Throws {@link CancelledException} if the current token is cancelled. */
    public static void checkCancelled() {
        CurrentContext.get().token().throwIfCancelled();
    }

    /** The current token; outside any task, the current runtime's root token. */
    public static CancelToken currentToken() {
        return CurrentContext.get().token();
    }

    /**
     * Runs {@code body} in the calling thread with {@code token} as the current token; tasks spawned inside get
     * children of it. With {@link CancelToken#never()} this shields clean-up work: blocking operations work
     * normally inside even if the task was cancelled, and an interrupt from {@link Task#cancel()} (one pending at
     * entry, or one arriving inside) is delivered when the block ends.
     *
     * @throws NullPointerException if {@code token} or {@code body} is null
     * @throws IllegalArgumentException if {@code token} was not made by Molt
     * @throws Exception whatever {@code body} throws
     */
    public static <T> T withToken(CancelToken token, Callable<? extends T> body) throws Exception {
        return Structured.withToken(token, body);
    }

    /**
     * Cancellable sleep: waits {@code d}, or throws {@link CancelledException} as soon as the current token is
     * cancelled.
     *
     * @throws NullPointerException if {@code d} is null
     * @throws IllegalArgumentException if {@code d} is negative
     * @throws InterruptedException if the thread is interrupted while sleeping
     */
    public static void sleep(Duration d) throws InterruptedException {
        long nanos = Durations.toNanos(d, "duration");
        Sleeper.sleep(CurrentContext.get().token(), nanos);
    }

    // ---------------------------------------------------------------- scopes

    /**
     * Runs {@code body} in the calling thread inside a new scope, under a child of the current token, and returns
     * its value once the body and every task that belongs to the scope have ended: no task outlives its scope.
     *
     * <p>The first failure (a task's, or the body's) cancels the scope's token, interrupting its tasks, and is
     * thrown as a {@link TaskFailedException} whose cause is that failure, later ones suppressed. A task that
     * ends CANCELLED is not a failure. If a token above the scope was cancelled, {@link CancelledException} is
     * thrown. If the scope was cancelled by its own {@link Scope#cancel()} and nothing failed, the body's value is
     * returned (or its {@code CancelledException} thrown).
     *
     * @throws NullPointerException if {@code body} is null
     * @throws InterruptedException if the calling thread was interrupted (the scope was cancelled and waited for)
     */
    public static <T> T scope(ScopeBody<? extends T> body) throws InterruptedException {
        return Structured.scope(ScopeImpl.Kind.SCOPE, body);
    }

    /**
     * Like {@link #scope}, but a failed task cancels nothing; the failures are thrown together (first as the
     * cause, the others suppressed) once every task has ended. A failure of the body itself cancels the tasks.
     */
    public static <T> T supervisorScope(ScopeBody<? extends T> body) throws InterruptedException {
        return Structured.scope(ScopeImpl.Kind.SUPERVISOR, body);
    }

    /**
     * A {@link #scope} whose token is cancelled (interrupting its tasks) after {@code limit}. If the limit cancelled
     * it, {@link TimeoutException} is thrown once the body and everything spawned in it have ended, even if the
     * body swallowed the cancellation.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    public static <T> T timeout(Duration limit, Callable<? extends T> body)
            throws InterruptedException, TimeoutException {
        long nanos = Durations.toNanos(limit, "limit");
        return Structured.timeout(nanos, body);
    }

    /**
     * Runs every body as a task of one scope and returns their results in the order of {@code bodies}; the first
     * failure cancels the rest and is thrown as by {@link #scope}.
     *
     * @throws NullPointerException if {@code bodies} or one of them is null
     */
    public static <T> List<T> par(List<? extends Callable<? extends T>> bodies) throws InterruptedException {
        return Structured.par(bodies);
    }

    /**
     * Runs every body as a task; the first to succeed wins and the others are cancelled. Returns after every body
     * has ended. If all fail, throws {@link TaskFailedException} with the first failure as cause and the others
     * suppressed.
     *
     * @throws NullPointerException if {@code bodies} or one of them is null
     * @throws IllegalArgumentException if {@code bodies} is empty
     */
    public static <T> T race(List<? extends Callable<? extends T>> bodies) throws InterruptedException {
        return Structured.race(bodies);
    }

    // ---------------------------------------------------------------- runtime

    /**
     * Shuts the current runtime down: see {@link MoltRuntime#shutdown(Duration)}.
     *
     * @return whether every task ended within {@code grace}
     */
    public static boolean shutdown(Duration grace) throws InterruptedException {
        return MoltRuntime.current().shutdown(grace);
    }
}
