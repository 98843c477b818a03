package dev.molt.net;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the builders and policies of this package, so they all say the same thing. */
final class Checks {
    private Checks() {
    }

    /** {@code port}, or an {@link IllegalArgumentException} if it is outside 0..65535. */
    static int port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535: " + port);
        }
        return port;
    }

    /** {@code d}, or a {@link NullPointerException} / {@link IllegalArgumentException} naming {@code name}. */
    static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }
}
