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

    /**
     * Whether {@code s} takes more than {@code maxBytes} bytes in UTF-8 (the wire size of a WebSocket text message).
     * Counts only when the character count leaves it open: a char takes one to three bytes (a surrogate pair four
     * for two chars).
     */
    static boolean utf8Longer(CharSequence s, int maxBytes) {
        int chars = s.length();
        if (chars > maxBytes) {
            return true;
        }
        if ((long) chars * 3 <= maxBytes) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes > maxBytes;
    }

    /**
     * {@code code}, or an {@link IllegalArgumentException} if no endpoint may send it in a close frame (RFC 6455
     * 7.4): 1004 is reserved, 1005, 1006 and 1015 only report what happened, 1016-2999 are reserved for the
     * protocol, and codes run from 1000 to 4999.
     */
    static int closeCode(int code) {
        boolean legal = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
        if (!legal) {
            throw new IllegalArgumentException("not a close code that may be sent: " + code);
        }
        return code;
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
