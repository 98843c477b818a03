package dev.molt.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * The token of a task, which is also the task's {@link Context} while it runs (one object fewer per task).
 *
 * <p>It knows its task while the task runs, so that a cancellation that reaches it wakes the task's thread
 * (any blocking operation of Molt parked under this token re-checks it, so it needs no listener of its own),
 * and an interrupting cancellation ({@code Task.cancel}, scope cancellation, shutdown) interrupts it.
 */
final class TaskToken extends Token implements Context {
    /** The running task; null before it starts and after it ends. */
    private volatile TaskImpl<?> task;

    TaskToken(Token parent) {
        super(parent);
    }

    void bind(TaskImpl<?> task) {
        this.task = task;
    }

    void unbind() {
        this.task = null;
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
