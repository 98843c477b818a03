package dev.molt.net;

import java.util.Objects;

/**
 * One Server-Sent Event. {@code data} may span lines (each becomes a {@code data:} line).
 *
 * @param event the event name, or null for the default ("message")
 * @param data the payload, not null
 * @param id the event id, or null
 */
public record SseEvent(String event, String data, String id) {
    /**
     * Validates the event.
     *
     * @throws NullPointerException if {@code data} is null
     * @throws IllegalArgumentException if {@code event} or {@code id} contains a line break
     */
    public SseEvent {
        Objects.requireNonNull(data, "data");
        if (event != null && (event.indexOf('\n') >= 0 || event.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("event name must be one line: " + event);
        }
        if (id != null && (id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("event id must be one line: " + id);
        }
    }

    /**
     * A default ("message") event.
     *
     * @param data the payload
     * @return the event
     * @throws NullPointerException if {@code data} is null
     */
    public static SseEvent of(String data) {
        return new SseEvent(null, data, null);
    }

    /**
     * A named event.
     *
     * @param event the event name
     * @param data the payload
     * @return the event
     * @throws NullPointerException if {@code data} is null
     */
    public static SseEvent of(String event, String data) {
        return new SseEvent(event, data, null);
    }

    /** @return the event in the {@code text/event-stream} wire format, ending with the blank line */
    public String toWire() {
        StringBuilder sb = new StringBuilder(data.length() + 32);
        if (id != null) {
            sb.append("id: ").append(id).append('\n');
        }
        if (event != null) {
            sb.append("event: ").append(event).append('\n');
        }
        for (String line : data.split("\r\n|\r|\n", -1)) {
            sb.append("data: ").append(line).append('\n');
        }
        return sb.append('\n').toString();
    }
}
