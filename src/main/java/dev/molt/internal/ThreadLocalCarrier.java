package dev.molt.internal;

import java.util.concurrent.Callable;

/**
 * The carrier for JDK 21-24, where {@code ScopedValue} is a preview API: a plain {@link ThreadLocal}, set and
 * restored around each block. Not inheritable: {@code spawn} hands the child its context explicitly.
 */
public final class ThreadLocalCarrier implements ContextCarrier {
    private static final ThreadLocal<Context> CURRENT = new ThreadLocal<>();

    @Override
    public Context current() {
        return CURRENT.get();
    }

    @Override
    public <T> T call(Context context, Callable<? extends T> body) throws Exception {
        Context previous = bind(context);
        try {
            return body.call();
        } finally {
            restore(previous);
        }
    }

    private static Context bind(Context context) {
        Context previous = CURRENT.get();
        CURRENT.set(context);
        return previous;
    }

    private static void restore(Context previous) {
        if (previous == null) {
            CURRENT.remove(); // a finished task must not keep its map entry
        } else {
            CURRENT.set(previous);
        }
    }

    @Override
    public String name() {
        return "thread-local";
    }
}
