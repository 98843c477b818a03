package dev.molt.internal;

import java.util.concurrent.locks.LockSupport;

/** {@code Molt.sleep}: a park that wakes early, with {@code CancelledException}, when the token is cancelled. */
public final class Sleeper {
    private Sleeper() {
    }

    public static void sleep(Token token, long nanos) throws InterruptedException {
        token.throwIfCancelled();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (nanos <= 0) {
            return;
        }
        long deadline = Durations.deadline(nanos);
        Unparker unparker = token.wakeOnCancel();
        try {
            token.throwIfCancelled(); // cancelled before the unparker was registered
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            for (;;) {
                LockSupport.parkNanos(left);
                // After a park: checks of their own, not the ones before the first park (ADR 0010).
                token.throwIfCancelled();
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
            }
        } finally {
            token.stopWaking(unparker);
        }
    }
}
