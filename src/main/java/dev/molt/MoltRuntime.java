package dev.molt;

import dev.molt.internal.BoundContext;
import dev.molt.internal.Context;
import dev.molt.internal.CurrentContext;
import dev.molt.internal.Dumps;
import dev.molt.internal.Durations;
import dev.molt.internal.RuntimeCore;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A world of tasks: a root token, a root scope for tasks spawned outside any scope, and counters.
 *
 * <p>The static facade {@link Molt} works on the <em>current</em> runtime: the one whose {@link #run} block the
 * caller is in (tasks inherit it), or else the {@linkplain #defaultRuntime() default runtime}, made on first
 * use. Make an isolated runtime with {@link #create()} (one per Spring context, per test, ...); what is spawned
 * inside its {@code run} stays in it, and its {@link #shutdown} touches nothing else.
 *
 * <p>After {@link #shutdown} a runtime stays shut down and refuses new tasks with
 * {@link java.util.concurrent.RejectedExecutionException}. Runtimes are thread-safe.
 */
public final class MoltRuntime {
    private static final AtomicInteger UNNAMED = new AtomicInteger();

    private final RuntimeCore core;

    private MoltRuntime(String name, boolean isDefault) {
        this.core = new RuntimeCore(name, this);
        if (isDefault) {
            core.makeDefault(); // only now: a thread that finds the core through it must see this.core set
        }
    }

    private static final class DefaultHolder {
        static final MoltRuntime DEFAULT = new MoltRuntime("default", true);
    }

    /** The default runtime, which the facade uses outside any {@link #run} block. Made on first use. */
    public static MoltRuntime defaultRuntime() {
        return DefaultHolder.DEFAULT;
    }

    /** The runtime current in this thread: the one of the enclosing {@link #run} or task, else the default. */
    public static MoltRuntime current() {
        return CurrentContext.get().runtime().api();
    }

    /** A new, isolated runtime named {@code runtime-N}. */
    public static MoltRuntime create() {
        return new MoltRuntime("runtime-" + UNNAMED.incrementAndGet(), false);
    }

    /**
     * A new, isolated runtime.
     *
     * @throws NullPointerException if {@code name} is null
     */
    public static MoltRuntime create(String name) {
        return new MoltRuntime(Objects.requireNonNull(name, "name"), false);
    }

    /**
     * Which carrier holds the current token in this JVM: {@code "scoped-value"} (JDK 25+, the default there) or
     * {@code "thread-local"} (JDK 21-24, or forced with {@code -Ddev.molt.carrier=thread-local}).
     */
    public static String carrier() {
        return RuntimeCore.CARRIER.name();
    }

    /**
     * Runs {@code body} in the calling thread with this runtime current: its root token is the current token,
     * and tasks spawned outside any scope go to this runtime's root scope.
     *
     * @throws NullPointerException if {@code body} is null
     * @throws Exception whatever {@code body} throws
     */
    public <T> T run(Callable<? extends T> body) throws Exception {
        Objects.requireNonNull(body, "body");
        // The task this thread runs (if any) stays the current task: shielding needs it.
        Context outer = CurrentContext.bound();
        Context root = outer == null || outer.task() == null ? core.rootContext()
                : new BoundContext(core, core.rootToken(), core.rootScope(), outer.task());
        return CurrentContext.call(root, body);
    }

    /**
     * Shuts this runtime down: refuses new tasks from now on, cancels the root token (which interrupts the
     * threads of the tasks it cancels), and waits up to {@code grace} for every task to end. Calling it again
     * waits again. A task of this runtime that calls it is cancelled too, but waits for the others with its
     * interrupt set aside (restored when this returns) and counts itself as still running: the answer is then
     * false, as soon as the others have ended or the grace has passed.
     *
     * @return whether every task ended within {@code grace}
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     * @throws InterruptedException if interrupted while waiting (the runtime stays shut down)
     */
    public boolean shutdown(Duration grace) throws InterruptedException {
        return core.shutdown(Durations.toNanos(grace, "grace"));
    }

    /** Whether {@link #shutdown} has been called. */
    public boolean isShutdown() {
        return core.isShutdown();
    }

    /** The root token: cancelled only by {@link #shutdown}. Every task of this runtime descends from it. */
    public CancelToken rootToken() {
        return core.rootToken();
    }

    /**
     * The live task tree and the counters, like a Go goroutine dump. A task is in the tree once its thread has
     * started (a task spawned a moment ago is counted as live before that); the tree is weakly consistent, the
     * counters exact whenever no task starts or ends meanwhile.
     */
    public TaskDump dump() {
        return Dumps.of(core);
    }

    /** Tasks started and not yet ended. */
    public long liveTasks() {
        return core.counters().liveCount();
    }

    /** The runtime's name. */
    public String name() {
        return core.name();
    }

    @Override
    public String toString() {
        return "MoltRuntime[" + core.name() + (core.isShutdown() ? ", shut down" : "") + ", live="
                + liveTasks() + "]";
    }
}
