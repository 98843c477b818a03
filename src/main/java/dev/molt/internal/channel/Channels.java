package dev.molt.internal.channel;

import dev.molt.Channel;
import dev.molt.Overflow;

/** Makes channels. (Being implemented.) */
public final class Channels {
    private Channels() {
    }

    public static <T> Channel<T> create(int capacity, Overflow overflow) {
        throw new UnsupportedOperationException("channels are not implemented yet");
    }
}
