package dev.molt.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user callback registered by {@code CancelToken.onCancel}: runs at most once, and never after its handle
 * was closed. {@code claimed} decides between the two.
 */
final class CallbackRegistration extends AtomicBoolean implements CancelListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CallbackRegistration.class);
    private static final long serialVersionUID = 1L;

    private final transient Token token;
    private final transient Runnable callback;

    CallbackRegistration(Token token, Runnable callback) {
        this.token = token;
        this.callback = callback;
    }

    @Override
    public void onCancel(Cancellation cancellation) {
        if (compareAndSet(false, true)) {
            try {
                callback.run();
            } catch (RuntimeException | Error e) {
                log.warn("A cancel callback of {} threw; the other callbacks still run", token, e);
            } finally {
                token.removeListener(this); // done: nothing to keep it for (nor what it captured)
            }
        }
    }

    @Override
    public void close() {
        set(true); // it will not run from now on (if it has not started)
        token.removeListener(this);
    }
}
