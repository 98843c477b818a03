package dev.molt.internal;

/**
 * What cancelled a token: the reason, and whether the cancel also interrupts the threads of the tasks it
 * reaches ({@code Task.cancel}, scope cancellation, shutdown) or not (a plain {@code CancelToken.cancel}).
 * Descendants share their ancestor's instance, so identity tells who cancelled a token.
 */
public record Cancellation(Throwable reason, boolean interrupting) {
}
