package dev.molt.internal;

import java.util.concurrent.Callable;

/** The current {@link Context} of the calling thread, with the default runtime's root as the fallback. */
public final class CurrentContext {
    private CurrentContext() {
    }

    /** The bound context, or the default runtime's root context when nothing is bound. */
    public static Context get() {
        Context c = bound();
        return c != null ? c : RuntimeCore.defaultCore().rootContext();
    }

    /**
     * The bound context, or null: for code that must not create the default runtime.
     *
     * <p>In a task's thread the task's token is the context, and the blocks the task's code binds (scope bodies,
     * {@code withToken}, {@code MoltRuntime.run}) nest over it in a field of the task, not in the carrier: the
     * thread carries its token in the uncaught-exception-handler slot, set before the thread starts (so
     * {@code Thread.start} publishes it) and never changed. So a task allocates nothing to be found, and neither
     * the JDK's per-thread ScopedValue cache (JDK 25) nor a thread-local map (21-24) is ever made for it. Other
     * threads use the carrier. See ADR 0006.
     */
    public static Context bound() {
        TaskImpl<?> own = runningTask();
        if (own != null) {
            Context block = own.block;
            return block != null ? block : own.ownToken();
        }
        return RuntimeCore.CARRIER.current();
    }

    /** Runs {@code body} in this thread with {@code context} bound, then restores what was bound before. */
    public static <T> T call(Context context, Callable<? extends T> body) throws Exception {
        TaskImpl<?> own = runningTask();
        if (own == null) {
            return RuntimeCore.CARRIER.call(context, body);
        }
        Context previous = own.block;
        own.block = context;
        try {
            return body.call();
        } finally {
            own.block = previous;
        }
    }

    /**
     * The task this thread runs, or null outside tasks. The handler alone does not say it: another thread may have
     * been given the task's handler (thread factories copy their creator's), and it must neither see the task's
     * context nor write the task's {@code block}.
     */
    private static TaskImpl<?> runningTask() {
        Thread self = Thread.currentThread();
        if (self.getUncaughtExceptionHandler() instanceof TaskToken own) {
            TaskImpl<?> task = own.runningTask();
            if (task != null && task.thread() == self) {
                return task;
            }
        }
        return null;
    }
}
