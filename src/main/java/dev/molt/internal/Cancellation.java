package dev.molt.internal;

/**
 * What cancelled a token: the reason, whether the cancel also interrupts the threads of the tasks it reaches
 * ({@code Task.cancel}, scope cancellation, shutdown) or not (a plain {@code CancelToken.cancel}), and the scope
 * that made it, if a scope did (so a scope can tell its own cancellations from one that came from outside, even
 * when two of its own race). Descendants share their ancestor's instance.
 */
public record Cancellation(Throwable reason, boolean interrupting, Object origin) {

    /** A cancellation made by no scope. */
    public Cancellation(Throwable reason, boolean interrupting) {
        this(reason, interrupting, null);
    }
}
