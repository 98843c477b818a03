package dev.molt.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The token of a task, which is also the task's {@link Context} while it runs (one object fewer per task).
 *
 * <p>It is also its thread's uncaught-exception handler: that per-thread slot is how the task's code finds its
 * context with no binding at all (see {@link CurrentContext}). The task catches everything its body throws, so the
 * handler only sees what escapes Molt's own bookkeeping, and passes it on as the JDK would.
 *
 * <p>It knows its task while the task runs, so that a cancellation that reaches it wakes the task's thread
 * (any blocking operation of Molt parked under this token re-checks it, so it needs no listener of its own),
 * and an interrupting cancellation ({@code Task.cancel}, scope cancellation, shutdown) interrupts it.
 */
final class TaskToken extends Token implements Context, Thread.UncaughtExceptionHandler {
    private static final VarHandle TASK;
    private static final VarHandle ID;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TASK = l.findVarHandle(TaskToken.class, "task", TaskImpl.class);
            ID = l.findVarHandle(TaskToken.class, "id", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The running task; null before it starts and after it ends. Written with a release store in {@link #bind}
     * and a volatile one in {@link #unbind} (see {@code TaskImpl.token()}): the write in
     * {@link #bind} reaches the task's thread through {@code Thread.start} and everyone else through whatever
     * handed them the task or the token, and a canceller that still reads the task after {@link #unbind} only
     * interrupts or unparks a thread that no longer runs it (both harmless).
     */
    private volatile TaskImpl<?> task;

    /**
     * The task's id (its thread's, always positive), negated until the token is attached to its parent
     * ({@link #attach}): one field for both, which saves the token 8 bytes. Set by the spawner before the
     * token is seen by anyone else; made positive once, by CAS. Its absolute value is also the token's hash:
     * tasks started one after another land in different stripes of their parent's {@link ChildTokens}.
     */
    private long id;

    TaskToken(Token parent) {
        super(parent);
    }

    /**
     * Registers this token with its parent, once. The task's thread does it as it starts, so {@code spawn} need
     * not; {@code Task.token()} does it too, so that a parent cancelled before the task started is seen at once
     * by whoever looks at the task's token. Returns whether this call registered it.
     */
    boolean attach() {
        long unattached = (long) ID.getAcquire(this);
        if (unattached < 0 && ID.compareAndSet(this, unattached, -unattached)) {
            attachToParent();
            return true;
        } else {
            // The other party (the task's thread, or a Task.token() call) attached it and may still be registering
            // it: a parent cancelled before this call must show on the token when this returns, so look at the
            // parent directly (cancelling twice with the parent's cancellation is harmless: first reason wins).
            catchUpWithParent();
            return false;
        }
    }

    /** Called once by the spawner, before anyone else sees the token; {@code id} is the thread's (positive). */
    void setId(long id) {
        this.id = -id;
    }

    long id() {
        return Math.abs((long) ID.getAcquire(this));
    }

    /** Stable for the token's life; equality stays identity ({@code Object.equals}). See {@code id}. */
    @Override
    public int hashCode() {
        return Long.hashCode(id());
    }

    void bind(TaskImpl<?> task) {
        TASK.setRelease(this, task);
    }

    /** A volatile store (not a release): the Dekker with a late registration by {@code Task.token()}. */
    void unbind() {
        task = null;
    }

    /** The task while it runs, else null: for the dump. */
    TaskImpl<?> runningTask() {
        return task;
    }

    @Override
    void onCancelled(Cancellation c) {
        TaskImpl<?> t = task;
        if (t == null) {
            return;
        }
        if (c.interrupting()) {
            t.interruptForCancel(); // also wakes a park
        } else {
            Thread th = t.thread();
            if (th != null && th != Thread.currentThread()) { // a self-unpark would leave a stray permit
                LockSupport.unpark(th);
            }
        }
    }

    /** Only what escapes the task's own catch (a failure in Molt's bookkeeping): handled as the JDK would. */
    @Override
    public void uncaughtException(Thread t, Throwable e) {
        ThreadGroup group = t.getThreadGroup(); // the JDK's own default: the default handler, or the stack on stderr
        if (group != null) {
            group.uncaughtException(t, e);
        }
    }

    @Override
    boolean leavesParentWhenCancelled() {
        return false; // it leaves when its task ends
    }

    @Override
    Thread ownerThread() {
        TaskImpl<?> t = task;
        return t == null ? null : t.thread();
    }

    // ---------------------------------------------------------------- Context (valid while the task runs)

    @Override
    public RuntimeCore runtime() {
        return task.scope.runtime;
    }

    @Override
    public Token token() {
        return this;
    }

    @Override
    public ScopeImpl scope() {
        return task.scope;
    }

    @Override
    public TaskImpl<?> task() {
        return task;
    }
}
