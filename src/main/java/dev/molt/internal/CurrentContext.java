package dev.molt.internal;

/** The current {@link Context} of the calling thread, with the default runtime's root as the fallback. */
public final class CurrentContext {
    private CurrentContext() {
    }

    /** The bound context, or the default runtime's root context when nothing is bound. */
    public static Context get() {
        Context c = RuntimeCore.CARRIER.current();
        return c != null ? c : RuntimeCore.defaultCore().rootContext();
    }

    /** The bound context, or null: for code that must not create the default runtime. */
    public static Context bound() {
        return RuntimeCore.CARRIER.current();
    }
}
