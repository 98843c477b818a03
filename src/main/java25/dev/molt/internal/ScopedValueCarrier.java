package dev.molt.internal;

import java.util.concurrent.Callable;

/**
 * The carrier for JDK 25+, where {@link ScopedValue} is final: a binding per block, inherited by nothing
 * implicitly ({@code spawn} hands the child its context explicitly), undone when the block ends.
 */
final class ScopedValueCarrier implements ContextCarrier {
    private static final ScopedValue<Context> CURRENT = ScopedValue.newInstance();
    /** What {@code orElse} returns when nothing is bound: a marker, as the binding itself is never null. */
    private static final Context UNBOUND = new BoundContext(null, null, null, null);

    @Override
    public Context current() {
        Context c = CURRENT.orElse(UNBOUND);
        return c == UNBOUND ? null : c;
    }

    @Override
    public <T> T call(Context context, Callable<? extends T> body) throws Exception {
        return ScopedValue.where(CURRENT, context).call(body::call);
    }

    @Override
    public String name() {
        return "scoped-value";
    }
}
