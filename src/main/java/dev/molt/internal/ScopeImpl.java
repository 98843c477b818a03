package dev.molt.internal;

import dev.molt.Action;
import dev.molt.CancelledException;
import dev.molt.Scope;
import dev.molt.ScopeBody;
import dev.molt.Task;
import dev.molt.TaskFailedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A structured scope: owns the tasks spawned into it and does not return until all have ended.
 *
 * <h2>Bookkeeping without a shared lock</h2>
 * {@code open} counts the body (one, while it runs) plus the live tasks. A spawn increments it only while it is
 * above zero ({@link #enter}); so once the body has ended and the last task has left, it stays zero and the
 * scope refuses new tasks. The thread that closes the scope parks until the count is zero; the task that
 * brings it there unparks it. The dump finds a scope's tasks through the token tree (a task's token is a child
 * of the token current where it was spawned), so nothing per task is kept here.
 *
 * <h2>Who cancelled the token</h2>
 * The scope cancels its own token only with cancellations whose {@link Cancellation#origin() origin} is the
 * scope itself. The token keeps the first cancellation that reached it, so at the end that tells apart "cancelled
 * from outside" (another origin), "timed out" (the deadline's), "interrupted", "failed" and "cancelled by itself",
 * however many of the scope's own cancellations raced.
 */
public final class ScopeImpl implements Scope {

    /** What kind of scope this is; decides what a failure does. */
    public enum Kind {
        /** A runtime's root: never ends, failures are only logged (if nobody joins). */
        ROOT,
        /** {@code scope}, {@code par}, {@code timeout}: the first failure cancels everything. */
        SCOPE,
        /** {@code supervisorScope}: a child's failure cancels nothing; the body's failure cancels the children. */
        SUPERVISOR,
        /** {@code race}: failures cancel nothing and are not thrown by the scope itself. */
        RACE
    }

    private static final VarHandle OPEN;
    private static final VarHandle FIRST_FAILURE;
    private static final VarHandle DETACHED;
    private static final VarHandle LATER_FAILURES;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            OPEN = l.findVarHandle(ScopeImpl.class, "open", int.class);
            FIRST_FAILURE = l.findVarHandle(ScopeImpl.class, "firstFailure", Throwable.class);
            DETACHED = l.findVarHandle(ScopeImpl.class, "detached", Set.class);
            LATER_FAILURES = l.findVarHandle(ScopeImpl.class, "laterFailures", ConcurrentLinkedQueue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final RuntimeCore runtime;
    private final ScopeToken token;
    private final Kind kind;
    /**
     * Live tasks of this scope, and open scopes opened in its context, whose token does not descend from the
     * runtime's root (made under a token from {@code CancelToken.create()} or {@code never()}): the dump cannot
     * find them through the token tree. Rare, so made on first need.
     */
    private volatile Set<Object> detached;
    /** The scope whose {@link #detached} lists this one, or null (see {@link #open}). */
    private ScopeImpl listedIn;
    private volatile int open = 1;
    private volatile Thread closer;
    private volatile Throwable firstFailure;
    /** Failures after the first, in order; made by the second failure (most scopes never have one). */
    private volatile ConcurrentLinkedQueue<Throwable> laterFailures;
    /** Set before the body runs, by the body's thread; null without a deadline. */
    private DeadlineTimer.Deadline deadline;

    /** What the body runs with, made by {@link #open} from the opener's context (the same thread runs it). */
    private Context bodyContext;

    private ScopeImpl(RuntimeCore runtime, ScopeToken token, Kind kind) {
        this.runtime = runtime;
        this.token = token;
        this.kind = kind;
        token.setScope(this);
    }

    /** The root scope of a runtime, with a new root token: open for as long as the runtime lives. */
    static ScopeImpl root(RuntimeCore runtime) {
        return new ScopeImpl(runtime, new ScopeToken(null, null), Kind.ROOT);
    }

    /** Opens a scope in the current context; run it with {@link #run} in the same thread. */
    public static ScopeImpl open(Kind kind) {
        Context outer = CurrentContext.get();
        Token parent = outer.token();
        ScopeImpl s = new ScopeImpl(outer.runtime(), parent.unattachedScopeChild(Thread.currentThread()), kind);
        s.bodyContext = new BoundContext(s.runtime, s.token, s, outer.task());
        parent.attach(s.token);
        // Opened right under the token of the enclosing scope or task (the common case), the dump reaches it from
        // there. Opened under another token (withToken) that the runtime's root does not reach (a user's, never()),
        // it is listed by the enclosing scope instead.
        TaskImpl<?> task = outer.task();
        if (parent != outer.scope().token() && (task == null || parent != task.ownToken())
                && !s.runtime.owns(parent)) {
            s.listedIn = outer.scope();
            s.listedIn.addDetached(s);
        }
        return s;
    }

    /** Cancels this scope's token, interrupting, with a deadline {@code nanos} from now. Before {@link #run}. */
    public void deadlineIn(long nanos) {
        deadline = DeadlineTimer.cancelAfter(token, nanos, true, this);
    }

    // ---------------------------------------------------------------- running

    /**
     * Runs {@code body} in this thread with this scope current, waits for every task, then returns the body's
     * value or throws as the API says for scopes.
     *
     * @throws TimeoutException only for a scope with a deadline that cancelled it
     */
    public <T> T run(ScopeBody<? extends T> body) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(body, "body");
        Context inner = bodyContext;
        T value = null;
        Throwable bodyError = null;
        try {
            value = CurrentContext.call(inner, () -> body.run(this));
        } catch (Throwable e) {
            bodyError = e;
        }
        boolean interrupted = bodyError instanceof InterruptedException && !token.cancelled();
        if (interrupted) {
            cancelOwn(bodyError);
        } else if (bodyError != null && !endedByCancellation(bodyError)) {
            recordFailure(bodyError, true);
        }
        interrupted |= awaitTasks();
        TaskImpl<?> task = inner.task();
        if (task != null && Thread.currentThread() == task.thread()
                && Thread.currentThread().getUncaughtExceptionHandler() != task.ownToken()) {
            // The body replaced its task thread's uncaught-exception handler, through which Molt finds the task's
            // context (ADR 0006): what it spawned since went to the default runtime's root, outside this scope.
            close();
            if (interrupted) {
                Thread.currentThread().interrupt(); // kept for the caller, as outcome() would
            }
            throw new IllegalStateException("the uncaught-exception handler of task " + task.name()
                    + "'s thread was replaced; Molt finds a task's context through it, so tasks spawned since then"
                    + " did not belong to this scope (do not replace it in a task)");
        }
        if (deadline != null && deadline.passed()) {
            // The limit passed but its timer has not run yet (it waits for a carrier while every carrier is busy):
            // apply it now, as it would have been applied on time. A no-op if anything cancelled the token first.
            token.cancel(deadline.cancellation());
        }
        close();
        return outcome(value, bodyError, interrupted);
    }

    private boolean endedByCancellation(Throwable e) {
        return token.cancelled() && (e instanceof CancellationException || e instanceof InterruptedException);
    }

    /** Waits, uninterruptibly, until the body's hold and every task are gone; returns whether interrupted. */
    private boolean awaitTasks() {
        boolean interrupted = false;
        closer = Thread.currentThread();
        exit(); // the body's own hold
        while (open != 0) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
                if (!token.cancelled()) {
                    cancelOwn(new InterruptedException("scope owner interrupted"));
                }
            }
        }
        closer = null;
        return interrupted;
    }

    private void close() {
        token.detach();
        if (listedIn != null) {
            listedIn.removeDetached(this);
        }
        if (deadline != null) {
            deadline.forget(); // else the timer keeps this scope reachable until the deadline
        }
    }

    private <T> T outcome(T value, Throwable bodyError, boolean interrupted)
            throws InterruptedException, TimeoutException {
        Cancellation c = token.cancellation();
        boolean own = c != null && c.origin() == this;
        boolean timedOut = own && deadline != null && c == deadline.cancellation();
        boolean interruptOutcome = interrupted && own && !timedOut && c.reason() instanceof InterruptedException;
        if (interrupted && !interruptOutcome) {
            Thread.currentThread().interrupt(); // keep the flag for the caller
        }
        if (c != null && !own) {
            throw withFailures(new CancelledException("scope cancelled from outside",
                    c.reason() instanceof CancellationException ? null : c.reason()));
        }
        if (timedOut) {
            throw withFailures(new TimeoutException("deadline passed"));
        }
        if (interruptOutcome) {
            throw withFailures(new InterruptedException("interrupted while in a scope"));
        }
        Throwable first = firstFailure;
        if (first != null && kind != Kind.RACE) {
            TaskFailedException e = new TaskFailedException("a task of the scope failed", first);
            laterFailures().forEach(e::addSuppressed);
            throw e;
        }
        if (bodyError instanceof CancellationException ce) {
            throw ce;
        }
        if (bodyError instanceof InterruptedException ie) {
            throw ie;
        }
        return value;
    }

    private <E extends Throwable> E withFailures(E e) {
        Throwable first = firstFailure;
        if (first != null) {
            e.addSuppressed(first);
            laterFailures().forEach(e::addSuppressed);
        }
        return e;
    }

    // ---------------------------------------------------------------- failures and cancellation

    /** A task of this scope failed (called by the task's thread before it leaves the scope). */
    void taskFailed(Throwable failure) {
        if (kind != Kind.ROOT) {
            recordFailure(failure, false);
        }
    }

    private void recordFailure(Throwable failure, boolean fromBody) {
        boolean cancels = kind == Kind.SCOPE || (fromBody && kind != Kind.ROOT);
        if (isEcho(failure)) {
            // Recorded once already (the body rethrew a joined task's failure); but a body that ends by it still
            // ends by a failure, which in a supervisor scope cancels the other tasks.
            if (cancels) {
                cancelOwn(failure);
            }
            return;
        }
        if (!FIRST_FAILURE.compareAndSet(this, null, failure)) {
            ConcurrentLinkedQueue<Throwable> later = laterFailures;
            if (later == null) {
                LATER_FAILURES.compareAndSet(this, null, new ConcurrentLinkedQueue<Throwable>());
                later = laterFailures;
            }
            later.add(failure);
        }
        if (cancels) {
            cancelOwn(failure);
        }
    }

    /** A {@code TaskFailedException} from joining a task whose failure this scope has already recorded. */
    private boolean isEcho(Throwable failure) {
        if (!(failure instanceof TaskFailedException) || failure.getCause() == null) {
            return false;
        }
        Throwable cause = failure.getCause();
        return cause == firstFailure || laterFailures().contains(cause);
    }

    private Collection<Throwable> laterFailures() {
        ConcurrentLinkedQueue<Throwable> later = laterFailures;
        return later == null ? List.of() : later;
    }

    /** Cancels the token, interrupting the tasks it reaches, with a cancellation marked as this scope's own. */
    private void cancelOwn(Throwable reason) {
        token.cancel(new Cancellation(reason, true, this));
    }

    @Override
    public void cancel() {
        cancelOwn(new CancelReason("scope cancelled"));
    }

    /** The first failure and the later ones, in order: for {@code race}. */
    public List<Throwable> failures() {
        List<Throwable> all = new ArrayList<>();
        Throwable first = firstFailure;
        if (first != null) {
            all.add(first);
        }
        all.addAll(laterFailures());
        return all;
    }

    // ---------------------------------------------------------------- task bookkeeping

    /**
     * Takes a hold for a new task; false once the scope has ended. A root scope never ends and nobody waits for
     * it through this count (shutdown uses the runtime's counters), so it keeps no count: that would make every
     * top-level spawn and end write one shared cache line.
     */
    boolean enter() {
        if (kind == Kind.ROOT) {
            return true;
        }
        for (int n = open; n > 0; n = open) {
            if (OPEN.compareAndSet(this, n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives a hold back; the last one wakes the closing thread. */
    void exit() {
        if (kind == Kind.ROOT) {
            return;
        }
        if ((int) OPEN.getAndAdd(this, -1) == 1) {
            Thread c = closer;
            if (c != null && c != Thread.currentThread()) { // a self-unpark would leave a stray park permit
                LockSupport.unpark(c);
            }
        }
    }

    boolean isRoot() {
        return kind == Kind.ROOT;
    }

    Kind kind() {
        return kind;
    }

    /** Lists a task or a scope the dump cannot reach through the token tree (see {@code detached}). */
    void addDetached(Object taskOrScope) {
        Set<Object> d = detached;
        if (d == null) {
            DETACHED.compareAndSet(this, null, ConcurrentHashMap.newKeySet());
            d = detached;
        }
        d.add(taskOrScope);
    }

    void removeDetached(Object taskOrScope) {
        Set<Object> d = detached;
        if (d != null) {
            d.remove(taskOrScope);
        }
    }

    /** The detached live tasks and open scopes (see {@code detached}), for the dump. */
    Set<Object> detachedMembers() {
        Set<Object> d = detached;
        return d == null ? Set.of() : d;
    }

    // ---------------------------------------------------------------- Scope

    @Override
    public <T> Task<T> spawn(Callable<? extends T> body) {
        return TaskImpl.spawn(this, parentForSpawn(), null, Objects.requireNonNull(body, "body"));
    }

    @Override
    public Task<Void> spawn(Action body) {
        return TaskImpl.spawn(this, parentForSpawn(), null, Objects.requireNonNull(body, "body"));
    }

    @Override
    public <T> Task<T> spawn(String name, Callable<? extends T> body) {
        Objects.requireNonNull(name, "name");
        return TaskImpl.spawn(this, parentForSpawn(), name, Objects.requireNonNull(body, "body"));
    }

    @Override
    public Task<Void> spawn(String name, Action body) {
        Objects.requireNonNull(name, "name");
        return TaskImpl.spawn(this, parentForSpawn(), name, Objects.requireNonNull(body, "body"));
    }

    /**
     * The token a task spawned through this scope descends from: the current token when the caller is inside the
     * scope (its body, its tasks, and what they run under {@code withToken}), otherwise the scope's own token, so
     * that a {@code Scope} handed to an outside thread still makes tasks the scope can cancel.
     */
    private Token parentForSpawn() {
        Context ctx = CurrentContext.get();
        Token current = ctx.token();
        if (ctx.scope() == this) {
            return current;
        }
        for (Token t = current; t != null; t = t.parent()) {
            if (t == token) {
                return current;
            }
        }
        return token;
    }

    @Override
    public ScopeToken token() {
        return token;
    }

    @Override
    public String toString() {
        return "Scope[" + kind + ", " + token + "]";
    }
}
