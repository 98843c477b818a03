package dev.molt.internal.channel;

import dev.molt.CancelledException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Iteration over a channel: receives until it is closed and drained. Uses the channel's internal receive, which
 * reports "closed" without an exception, so ending a loop is cheap. Not thread-safe (one iterator per consumer).
 */
final class ChannelIterator<T> implements Iterator<T> {
    private final ChannelImpl<T> channel;
    private T next;
    private boolean done;

    ChannelIterator(ChannelImpl<T> channel) {
        this.channel = channel;
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        Object v;
        try {
            v = channel.receive(false, 0L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancelledException c = new CancelledException("interrupted while receiving from a channel");
            c.initCause(e);
            throw c;
        }
        if (v == ChannelImpl.CLOSED) {
            done = true;
            if (channel.closedWithReason()) {
                throw channel.closedForRecv();
            }
            return false;
        }
        @SuppressWarnings("unchecked")
        T t = (T) v;
        next = t;
        return true;
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the channel is closed and drained");
        }
        T v = next;
        next = null;
        return v;
    }
}
