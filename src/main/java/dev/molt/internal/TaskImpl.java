package dev.molt.internal;

import dev.molt.Action;
import dev.molt.CancelledException;
import dev.molt.Task;
import dev.molt.TaskFailedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A task: a body running on its own virtual thread under its own {@link TaskToken}, inside a {@link ScopeImpl}.
 *
 * <h2>Life cycle</h2>
 * {@link #spawn} takes a hold on the scope, makes the token and starts the thread, and no more, so a spawner
 * is not slowed by bookkeeping the new thread can do itself; {@link #run} registers the token with its parent
 * token (which is how the task is found for cancellation and for the dump: a parent cancelled in between is seen
 * then, and cancels the token before the body starts) and runs the body, whose context is the token (carried by
 * the thread itself, see {@link CurrentContext#bound()}); {@link #finish} records the end state, lets go of
 * everything that could keep a finished task reachable (body, thread, the token's place in its parent), wakes
 * joiners and, last, gives the scope's hold back, so a scope or test that sees the task gone also sees its
 * counters settled.
 *
 * <h2>Memory</h2>
 * A parked task costs its virtual thread plus this object and its token, 48 bytes each with compressed pointers
 * (nine 4-byte fields here, a 12-byte header): fields are few on purpose, and adding one makes the object 56 bytes.
 * {@code slot} holds the body, then the outcome; {@code bits} packs the end state, the observed mark and the
 * shielding state; nothing else is allocated per task unless someone joins while it runs ({@code endSignal}) or
 * asks for a future.
 *
 * <h2>Memory visibility</h2>
 * The outcome is written to {@code slot} before the end state is set in {@code bits} (an atomic read-modify-write),
 * and read after a volatile read of {@code bits}, so everything the body did happens-before {@code join} returns.
 * {@code thread} is written with release stores only: the spawner's write reaches the task's thread through
 * {@code Thread.start}, and a canceller that reads it late interrupts a thread that no longer runs the task.
 *
 * <h2>Shielding</h2>
 * {@code shield} makes "interrupt the task" and "enter a {@code withToken(never())} block" mutually exclusive, so
 * an interrupt from {@code Task.cancel} lands either before the block (and is set aside by it) or is recorded as
 * pending and delivered when the block ends; it never lands inside.
 */
public final class TaskImpl<T> implements Task<T>, Runnable {
    private static final ThreadFactory UNNAMED_THREADS = Thread.ofVirtual().factory();

    // The layout of {@code bits}, lowest bits first:
    // - the end state (2 bits), set once, by finish;
    // - OBSERVED (1 bit), set by the first join or toFuture;
    // - the shielding state (2 bits), see "Shielding" above;
    // - the nesting depth of shielded blocks (the rest, signed: negative while an interrupt is set aside), changed
    //   only by the task's own thread, by adding or subtracting DEPTH_ONE, which leaves the lower bits as they are.
    private static final int RUNNING = 0;
    private static final int SUCCEEDED = 1;
    private static final int FAILED = 2;
    private static final int CANCELLED = 3;
    private static final int STATE_MASK = 3;

    private static final int OBSERVED = 1 << 2;

    private static final int NORMAL = 0;
    private static final int INTERRUPTING = 1 << 3;
    private static final int SHIELDED = 2 << 3;
    private static final int SHIELDED_PENDING = 3 << 3;
    private static final int SHIELD_MASK = 3 << 3;

    private static final int DEPTH_SHIFT = 5;
    private static final int DEPTH_ONE = 1 << DEPTH_SHIFT;

    /** Marks {@code endSignal} once the task has ended, so no joiner installs a signal too late. */
    private static final Token ENDED = Token.create();

    private static final VarHandle BITS;
    private static final VarHandle THREAD;
    private static final VarHandle END_SIGNAL;
    private static final VarHandle FUTURE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            BITS = l.findVarHandle(TaskImpl.class, "bits", int.class);
            THREAD = l.findVarHandle(TaskImpl.class, "thread", Thread.class);
            END_SIGNAL = l.findVarHandle(TaskImpl.class, "endSignal", Token.class);
            FUTURE = l.findVarHandle(TaskImpl.class, "future", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ScopeImpl scope;
    private final TaskToken token;
    private final String givenName;
    /**
     * The body (a Callable or an Action) while running; once ended, the result, the Throwable, or (a failed root
     * task's) the {@link UnobservedFailures.Report} that holds the Throwable.
     */
    private Object slot;
    private volatile Thread thread;
    /** End state, observed mark and shielding: see the layout above. */
    private volatile int bits;
    /** Cancelled when the task ends; made by the first joiner that has to wait. */
    private volatile Token endSignal;
    private volatile CompletableFuture<T> future;
    /**
     * The context of the innermost block the task's code has bound (a scope body, {@code withToken},
     * {@code MoltRuntime.run}), or null: see {@link CurrentContext#bound()}. Read and written only by the task's
     * own thread.
     */
    Context block;

    private TaskImpl(ScopeImpl scope, TaskToken token, String name, Object body) {
        this.scope = scope;
        this.token = token;
        this.givenName = name;
        this.slot = body;
    }

    /** Starts {@code body} in the innermost scope of {@code ctx}, under a child of its token; see below. */
    public static <T> TaskImpl<T> spawn(Context ctx, String name, Callable<? extends T> body) {
        return spawn(ctx.scope(), ctx.token(), name, Objects.requireNonNull(body, "body"));
    }

    /** Like {@link #spawn(Context, String, Callable)} for an {@link Action}, with no adapter object. */
    public static TaskImpl<Void> spawnAction(Context ctx, String name, Action body) {
        return spawn(ctx.scope(), ctx.token(), name, Objects.requireNonNull(body, "body"));
    }

    /**
     * Starts {@code body} (a Callable or an Action) as a task of {@code scope}, under a child of {@code parentToken}.
     *
     * @throws RejectedExecutionException if the runtime is shut down
     * @throws IllegalStateException if the scope has ended
     */
    static <T> TaskImpl<T> spawn(ScopeImpl scope, Token parentToken, String name, Object body) {
        RuntimeCore runtime = scope.runtime;
        // Counted before the check, so that shutdown (which sets the flag, then waits for the count) either sees
        // this task or this spawn sees the flag.
        runtime.counters.spawned();
        if (runtime.isShutdown()) {
            runtime.counters.unspawned();
            throw new RejectedExecutionException("Molt runtime '" + runtime.name() + "' is shut down");
        }
        if (!scope.enter()) {
            runtime.counters.unspawned();
            throw new IllegalStateException("this scope has ended and takes no new tasks");
        }
        TaskToken token = null;
        TaskImpl<T> task;
        try { // from here on, whatever fails (an OutOfMemoryError too) gives back the scope hold and the count
            token = parentToken.unattachedTaskChild();
            task = new TaskImpl<>(scope, token, name, body);
            Thread t = name == null ? UNNAMED_THREADS.newThread(task) : Thread.ofVirtual().name(name).unstarted(task);
            t.setUncaughtExceptionHandler(token); // how the task's code finds its context: see CurrentContext
            THREAD.setRelease(task, t);
            token.setId(t.threadId());
            token.bind(task);
            t.start();
        } catch (RuntimeException | Error e) {
            if (token != null) {
                token.unbind();
            }
            scope.exit();
            runtime.counters.unspawned();
            throw e;
        }
        return task;
    }

    @Override
    public void run() {
        Object body = begin();
        Object outcome;
        boolean threw = false;
        try {
            if (body instanceof Action a) {
                a.run();
                outcome = null;
            } else {
                outcome = ((Callable<?>) body).call();
            }
        } catch (Throwable e) {
            outcome = e;
            threw = true;
        }
        end(threw, outcome);
    }

    /** The task's start, in its own thread: registers the token, then hands {@link #run} the body. */
    private Object begin() {
        // No ThreadLocalRandom.current() here to give the new thread a striping probe: it costs two updates of
        // JVM-wide counters per task (the runtime's counters stripe by thread id instead: StripedCounter).
        token.attach();
        // Under a token from outside the runtime the dump cannot reach the task through the token tree, so its scope
        // lists it. A task made right under its scope's token (the common case) is reached through the scope.
        if (token.parent() != scope.token() && !scope.runtime.owns(token)) {
            scope.addDetached(this);
        }
        Cancellation early = token.cancellation();
        if (early != null && early.interrupting()) {
            Thread.currentThread().interrupt(); // cancelled, interrupting, before it could be interrupted
        }
        return slot;
    }

    /** What the body's end means: a success, a failure, or (an answer to this task's own cancellation) cancelled. */
    private void end(boolean threw, Object outcome) {
        if (!threw) {
            finish(SUCCEEDED, outcome);
            return;
        }
        Throwable e = (Throwable) outcome;
        boolean answersCancel = e instanceof CancellationException || e instanceof InterruptedException;
        finish(answersCancel && token.cancelled() ? CANCELLED : FAILED, e);
    }

    private void finish(int end, Object result) {
        THREAD.setRelease(this, (Thread) null);
        token.unbind();
        token.detach();
        UnobservedFailures.Report report = null;
        if (end == FAILED) {
            Throwable failure = (Throwable) result;
            scope.taskFailed(failure);
            if (scope.isRoot()) {
                report = new UnobservedFailures.Report(name(), failure);
                result = report;
            }
        }
        // The order matters to two observers. The state first, then the count: once shutdown sees no task live,
        // every task reports itself done. The count, then the end signal: a joiner (whose gate is the signal, not
        // the state) and a future's dependents see the count without this task.
        slot = result;
        // An atomic update, so that it also says whether someone observed the task first (then the report needs no
        // watching; one who observes it later finds the report in slot: see markObserved).
        int before = (int) BITS.getAndBitwiseOr(this, end);
        if (report != null && (before & OBSERVED) == 0) {
            UnobservedFailures.watch(this, report);
        }
        scope.runtime.counters.ended(end == SUCCEEDED, end == FAILED);
        // Dekker with toFuture, which stores the future and then reads the signal.
        Token signal = (Token) END_SIGNAL.getAndSet(this, ENDED);
        CompletableFuture<T> f = future;
        if (f != null) {
            complete(f);
        }
        if (signal != null) {
            signal.cancel(); // wakes every joiner registered on it
        }
        scope.removeDetached(this);
        scope.exit();
    }

    // ---------------------------------------------------------------- joining

    @Override
    public T join() throws InterruptedException {
        await(false, 0);
        return report();
    }

    @Override
    public T join(Duration timeout) throws InterruptedException, TimeoutException {
        long nanos = Durations.toNanos(timeout, "timeout");
        if (!await(true, nanos)) {
            throw new TimeoutException("task " + name() + " did not end within " + timeout);
        }
        return report();
    }

    /** Waits until the task ends (true) or the time runs out (false); a cancellation point of the caller. */
    private boolean await(boolean timed, long nanos) throws InterruptedException {
        if (endState() != SUCCEEDED) { // a success has nothing to report unobserved: spare the atomic update
            markObserved();
        }
        Token caller = CurrentContext.get().token();
        caller.throwIfCancelled();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (ended()) {
            return true;
        }
        Token signal = endSignal();
        if (signal == null) {
            return true;
        }
        long deadline = timed ? Durations.deadline(nanos) : 0L;
        Unparker unparker = new Unparker(Thread.currentThread());
        signal.addListener(unparker);
        Unparker onCancel = caller.wakeOnCancel();
        try {
            if (ended()) {
                return true;
            }
            for (;;) {
                caller.throwIfCancelled();
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
                // After a park: its own check, not the one before the first park (ADR 0010).
                if (ended()) {
                    return true;
                }
            }
        } finally {
            caller.stopWaking(onCancel);
            signal.removeListener(unparker);
        }
    }

    /** Whether the task has ended with its bookkeeping (state, count) settled: the gate of joins and futures. */
    private boolean ended() {
        return endSignal == ENDED;
    }

    /** The token cancelled when this task ends, made on first need; null if the task has already ended. */
    private Token endSignal() {
        for (;;) {
            Token s = endSignal;
            if (s == ENDED) {
                return null;
            }
            if (s != null) {
                return s;
            }
            Token fresh = Token.create();
            if (END_SIGNAL.compareAndSet(this, null, fresh)) {
                return fresh;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private T report() {
        int s = endState(); // read before slot: see "Memory visibility"
        Object o = slot;
        switch (s) {
            case SUCCEEDED:
                return (T) o;
            case CANCELLED:
                throw new CancelledException("task " + name() + " was cancelled", causeOfCancel());
            default:
                Throwable failure = o instanceof UnobservedFailures.Report r ? r.failure() : (Throwable) o;
                throw new TaskFailedException("task " + name() + " failed", failure);
        }
    }

    private Throwable causeOfCancel() {
        Throwable reason = token.reason();
        return reason instanceof CancellationException ? null : reason;
    }

    /**
     * Marks the task observed. If it had already failed in the root scope, its report is in {@code slot} (written
     * before finish set the state with the same kind of update as this one, so this sees it) and is told so.
     */
    private void markObserved() {
        int before = bits;
        if ((before & OBSERVED) == 0) {
            before = (int) BITS.getAndBitwiseOr(this, OBSERVED);
        }
        if ((before & STATE_MASK) == FAILED && slot instanceof UnobservedFailures.Report r) {
            r.observed();
        }
    }

    /** The end state (RUNNING, SUCCEEDED, FAILED, CANCELLED). */
    private int endState() {
        return bits & STATE_MASK;
    }

    @Override
    public CompletableFuture<T> toFuture() {
        markObserved();
        CompletableFuture<T> f = future;
        if (f == null) {
            CompletableFuture<T> fresh = new TaskFuture();
            f = FUTURE.compareAndSet(this, null, fresh) ? fresh : future;
            if (ended()) { // Dekker with finish: it sets the signal, then reads the future
                complete(f);
            }
        }
        return f;
    }

    private void complete(CompletableFuture<T> f) {
        try {
            f.complete(report());
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
    }

    /** The future of {@link #toFuture()}: cancelling it cancels the task. */
    private final class TaskFuture extends CompletableFuture<T> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            TaskImpl.this.cancel();
            return super.cancel(mayInterruptIfRunning);
        }
    }

    // ---------------------------------------------------------------- cancelling and shielding

    @Override
    public void cancel() {
        if (endState() != RUNNING) {
            return; // Task's contract: nothing once the task has ended (its token may serve follow-up work)
        }
        token.cancel(new Cancellation(new CancelReason("task " + name() + " was cancelled"), true));
    }

    /** Interrupts the task's thread for an interrupting cancellation, or defers it past a shielded block. */
    void interruptForCancel() {
        for (;;) {
            int b = bits;
            int s = b & SHIELD_MASK;
            if (s == NORMAL) {
                if (BITS.compareAndSet(this, b, b | INTERRUPTING)) {
                    Thread t = thread;
                    if (t != null) {
                        t.interrupt();
                    }
                    BITS.getAndBitwiseAnd(this, ~SHIELD_MASK); // back to NORMAL: nobody else changes it meanwhile
                    return;
                }
            } else if (s == SHIELDED) {
                if (BITS.compareAndSet(this, b, b | SHIELDED_PENDING)) {
                    return;
                }
            } else {
                return; // being interrupted by another canceller, or already pending
            }
            // A failed CAS: another canceller, the task's own shielding, or the end state or observed mark.
        }
    }

    /** Called by the task's own thread entering {@code withToken(never(), ...)}. Nests. */
    void enterShield() {
        int depth = bits >> DEPTH_SHIFT;
        if (depth != 0) {
            BITS.getAndAdd(this, depth > 0 ? DEPTH_ONE : -DEPTH_ONE);
            return;
        }
        for (int spins = 0; ; spins++) {
            int b = bits;
            // Only INTERRUPTING can be in the way: a canceller between its CAS and its reset.
            if ((b & SHIELD_MASK) == NORMAL && BITS.compareAndSet(this, b, b | SHIELDED)) {
                break;
            }
            if (spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        BITS.getAndAdd(this, Thread.interrupted() ? -DEPTH_ONE : DEPTH_ONE);
    }

    /** Called by the task's own thread leaving a shielded block; the outermost delivers what was set aside. */
    void exitShield() {
        boolean setAside = (bits >> DEPTH_SHIFT) < 0;
        int towardZero = setAside ? DEPTH_ONE : -DEPTH_ONE;
        int after = (int) BITS.getAndAdd(this, towardZero) + towardZero;
        if ((after >> DEPTH_SHIFT) != 0) {
            return;
        }
        int s = (int) BITS.getAndBitwiseAnd(this, ~SHIELD_MASK) & SHIELD_MASK;
        if (s == SHIELDED_PENDING || setAside) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- queries

    /** The task's token, registered with its parent first if the task has not started yet (see TaskToken.attach). */
    @Override
    public TaskToken token() {
        if (token.attach() && token.runningTask() == null) {
            // The task ran to its end while this call registered its token, so the task's own detach found
            // nothing to remove: leave for it. Dekker with finish, which unbinds (a volatile store), then detaches.
            token.detach();
        }
        return token;
    }

    Thread thread() {
        return thread;
    }

    /** The task's token as it is (unlike {@link #token()}, which also registers it). */
    TaskToken ownToken() {
        return token;
    }

    @Override
    public String name() {
        return givenName != null ? givenName : "task-" + token.id();
    }

    long id() {
        return token.id();
    }

    @Override
    public boolean isDone() {
        return endState() != RUNNING;
    }

    @Override
    public State state() {
        return switch (endState()) {
            case SUCCEEDED -> State.SUCCEEDED;
            case FAILED -> State.FAILED;
            case CANCELLED -> State.CANCELLED;
            default -> State.RUNNING;
        };
    }

    @Override
    public String toString() {
        return "Task[" + name() + ", " + state() + "]";
    }
}
