package dev.molt.net;

import dev.molt.SendChannel;

/**
 * Produces the elements of a stream into a bounded channel: {@code send} blocks while the consumer (the client,
 * for a response) is slow, and throws {@link dev.molt.CancelledException} once it went away.
 *
 * @param <T> the element type
 */
@FunctionalInterface
public interface Producer<T> {
    /**
     * Produces elements; the channel is closed when this returns (with the exception as reason if it throws).
     *
     * @param out where to send the elements
     * @throws Exception anything; it ends the stream
     */
    void produce(SendChannel<T> out) throws Exception;
}
