package dev.molt.internal;

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
     * <p>A block binding (a scope body, {@code withToken}, a runtime's {@code run}) wins; below them, in a task's
     * thread, the task's own token is the context. A task does not bind it: its thread carries it in the
     * uncaught-exception-handler slot, set before the thread starts (so {@code Thread.start} publishes it) and
     * never changed, which costs no allocation per task and, on JDK 25, keeps a task that binds nothing from ever
     * allocating the JDK's per-thread ScopedValue cache (a lookup that finds no binding caches nothing). See
     * ADR 0006.
     */
    public static Context bound() {
        Context c = RuntimeCore.CARRIER.current();
        if (c == null
                && Thread.currentThread().getUncaughtExceptionHandler() instanceof TaskToken own
                && own.runningTask() != null) {
            return own;
        }
        return c;
    }
}
