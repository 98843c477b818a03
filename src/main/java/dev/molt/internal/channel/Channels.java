package dev.molt.internal.channel;

import dev.molt.Channel;
import dev.molt.Overflow;
import java.util.Objects;
import java.util.function.Consumer;

/** Makes channels: checks the arguments of {@code Molt.channel(...)}. */
public final class Channels {
    private Channels() {
    }

    public static <T> Channel<T> create(int capacity, Overflow overflow) {
        return create(capacity, overflow, null);
    }

    /** {@code onUndelivered} may be null (no hook). */
    public static <T> Channel<T> create(int capacity, Overflow overflow, Consumer<? super T> onUndelivered) {
        Objects.requireNonNull(overflow, "overflow");
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative: " + capacity);
        }
        if (capacity == 0 && overflow != Overflow.SUSPEND) {
            throw new IllegalArgumentException(
                    "a rendezvous channel (capacity 0) has no buffer to drop from: " + overflow + " needs capacity > 0");
        }
        return capacity == 0 ? new RendezvousChannel<>(onUndelivered)
                : new BufferedChannel<>(capacity, overflow, onUndelivered);
    }
}
