package dev.molt.samples.net;

import static dev.molt.Molt.channel;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.net.WsMessage;
import dev.molt.net.WsSession;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A chat room as one task that owns the member list: sessions talk to it through a channel, so no lock guards the
 * members. A member whose outbound channel is full misses messages rather than slowing the room down.
 */
final class ChatRoom {
    private sealed interface Event permits Join, Say, Leave {
    }

    private record Join(String name, WsSession session) implements Event {
    }

    private record Say(String name, String text) implements Event {
    }

    private record Leave(String name) implements Event {
    }

    private final Channel<Event> events = channel(256);

    /** The room's task: runs until the channel is closed (or its token cancelled). */
    void run() {
        Map<String, WsSession> members = new LinkedHashMap<>();
        for (Event e : events) {
            switch (e) {
                case Join j -> {
                    members.put(j.name(), j.session());
                    broadcast(members, "* " + j.name() + " joined (" + members.size() + " here)");
                }
                case Say s -> broadcast(members, s.name() + ": " + s.text());
                case Leave l -> {
                    members.remove(l.name());
                    broadcast(members, "* " + l.name() + " left");
                }
            }
        }
    }

    private static void broadcast(Map<String, WsSession> members, String line) {
        WsMessage m = WsMessage.text(line);
        for (WsSession s : members.values()) {
            try {
                s.out().trySend(m); // never blocks the room: a slow member misses this line
            } catch (ChannelClosedException gone) {
                // The member's session ended before the room saw its Leave (which is on its way): skip it.
            }
        }
    }

    /** One session's task: joins, forwards what the member says, leaves when the session ends. */
    void serve(String name, WsSession session) throws InterruptedException {
        events.send(new Join(name, session));
        try {
            for (WsMessage m : session.in()) {
                String text = m.text().strip();
                if (!text.isEmpty()) {
                    events.send(new Say(name, text.length() > 500 ? text.substring(0, 500) : text));
                }
            }
        } finally {
            events.trySend(new Leave(name));
        }
    }

    void close() {
        events.close();
    }
}
