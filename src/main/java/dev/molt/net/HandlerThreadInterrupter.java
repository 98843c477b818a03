package dev.molt.net;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Interrupts the server thread that runs a handler when the request's token is cancelled, like {@code Task.cancel()}
 * interrupts a task's thread, so JDK blocking calls in the handler wake up too, and never after the handler ended:
 * the thread goes back to the server, which must not see a stray interrupt.
 *
 * <p>States: RUNNING (0) -> INTERRUPTING (1) -> RUNNING, or RUNNING -> FINISHED (2). {@link #finish} waits out an
 * interrupt in progress, then clears the thread's interrupt status, so no interrupt survives the handler.
 */
final class HandlerThreadInterrupter extends AtomicInteger implements Runnable {
    private static final long serialVersionUID = 1L;
    private static final int RUNNING = 0;
    private static final int INTERRUPTING = 1;
    private static final int FINISHED = 2;

    private final transient Thread thread;

    HandlerThreadInterrupter(Thread thread) {
        this.thread = thread;
    }

    /** The cancel callback: runs in the cancelling thread. */
    @Override
    public void run() {
        if (compareAndSet(RUNNING, INTERRUPTING)) {
            thread.interrupt();
            set(RUNNING);
        }
    }

    /** Called by the handler's thread when the handler is over. */
    void finish() {
        while (!compareAndSet(RUNNING, FINISHED)) {
            Thread.onSpinWait();
        }
        Thread.interrupted();
    }
}
