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
            // Unlike the other park loops (ADR 0010), one check serves before and after each park: in a burst of
            // sleeps ending together the woken frame is deoptimized once either way (at the JDK's trap in
            // VirtualThread.run if not here), and the split loop measured a bigger parked stack (bench/memory).
            for (;;) {
                token.throwIfCancelled();
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                LockSupport.parkNanos(left);
            }
        } finally {
            token.stopWaking(unparker);
        }
    }
}
