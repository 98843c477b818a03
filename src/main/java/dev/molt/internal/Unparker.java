package dev.molt.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * Wakes one parked thread when a token is cancelled: how a blocking operation of Molt hears of cancellation.
 * Identity matters (it is a key in a token's listener set), so this is a plain class, not a record.
 */
public final class Unparker implements CancelListener {
    private final Thread thread;

    public Unparker(Thread thread) {
        this.thread = thread;
    }

    @Override
    public void onCancel(Cancellation cancellation) {
        LockSupport.unpark(thread);
    }
}
