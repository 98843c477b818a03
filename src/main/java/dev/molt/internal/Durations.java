package dev.molt.internal;

import java.time.Duration;
import java.util.Objects;

/** Checks and converts the durations that the API takes. */
public final class Durations {
    private Durations() {
    }

    /**
     * {@code d} in nanoseconds, saturated at {@code Long.MAX_VALUE}.
     *
     * @throws NullPointerException naming {@code what} if {@code d} is null
     * @throws IllegalArgumentException naming {@code what} if {@code d} is negative
     */
    public static long toNanos(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + d);
        }
        return saturatedNanos(d);
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** {@code System.nanoTime() + nanos}, saturated so that far deadlines do not wrap around. */
    public static long deadline(long nanos) {
        long now = System.nanoTime();
        long d = now + nanos;
        return (nanos > 0 && d < now) ? Long.MAX_VALUE : d;
    }
}
