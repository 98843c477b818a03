package dev.molt;

/**
 * What a buffered channel does with a send when its buffer is full. See {@link Molt#channel(int, Overflow)}.
 */
public enum Overflow {
    /** The sender waits for room (the default, Go's behaviour). */
    SUSPEND,
    /** The oldest buffered value is dropped to make room; the sender never waits. */
    DROP_OLDEST,
    /** The value being sent is dropped; the sender never waits. */
    DROP_LATEST
}
