package dev.molt.internal;

/**
 * The token of a task: knows its task while it runs, so that an interrupting cancellation that reaches it
 * interrupts the task's thread ({@code Task.cancel}, scope cancellation, shutdown).
 */
final class TaskToken extends Token {
    /** The running task; null before it starts and after it ends. */
    private volatile TaskImpl<?> task;

    TaskToken(Token parent) {
        super(parent);
    }

    void bind(TaskImpl<?> task) {
        this.task = task;
    }

    void unbind() {
        this.task = null;
    }

    @Override
    void interruptOwner() {
        TaskImpl<?> t = task;
        if (t != null) {
            t.interruptForCancel();
        }
    }
}
