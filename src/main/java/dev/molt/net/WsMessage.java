package dev.molt.net;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One whole WebSocket message, text or binary (fragments are joined before a message is delivered).
 * Immutable: binary payloads are copied in and out.
 */
public final class WsMessage {
    private final String text;
    private final byte[] bytes;

    private WsMessage(String text, byte[] bytes) {
        this.text = text;
        this.bytes = bytes;
    }

    /**
     * A text message.
     *
     * @param text the text
     * @return the message
     * @throws NullPointerException if {@code text} is null
     */
    public static WsMessage text(String text) {
        return new WsMessage(Objects.requireNonNull(text, "text"), null);
    }

    /**
     * A binary message.
     *
     * @param bytes the payload (copied)
     * @return the message
     * @throws NullPointerException if {@code bytes} is null
     */
    public static WsMessage binary(byte[] bytes) {
        return new WsMessage(null, Objects.requireNonNull(bytes, "bytes").clone());
    }

    static WsMessage binaryOwned(byte[] bytes) {
        return new WsMessage(null, bytes);
    }

    /** @return whether this is a text message */
    public boolean isText() {
        return text != null;
    }

    /** @return the text; for a binary message, its bytes decoded as UTF-8 */
    public String text() {
        return text != null ? text : new String(bytes, StandardCharsets.UTF_8);
    }

    /** @return the payload (a copy); for a text message, its UTF-8 bytes */
    public byte[] bytes() {
        return text != null ? text.getBytes(StandardCharsets.UTF_8) : bytes.clone();
    }

    byte[] rawBytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WsMessage m && Objects.equals(text, m.text) && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return text != null ? text.hashCode() : Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return text != null ? "WsMessage[text=" + abbreviate(text) + "]" : "WsMessage[binary, " + bytes.length
                + " bytes]";
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
