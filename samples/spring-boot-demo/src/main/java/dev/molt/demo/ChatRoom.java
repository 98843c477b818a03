package dev.molt.demo;

import dev.molt.ChannelClosedException;
import dev.molt.SendChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

/**
 * A chat room: every member's outbound channel. A message is offered to each member without waiting
 * ({@code trySend}); a member whose outbound channel is full (its client stopped reading) is closed off, so a
 * stuck client cannot hold the room up.
 */
@Component
public class ChatRoom {
    private final Set<SendChannel<WebSocketMessage<?>>> members = ConcurrentHashMap.newKeySet();

    void join(SendChannel<WebSocketMessage<?>> member) {
        members.add(member);
    }

    void leave(SendChannel<WebSocketMessage<?>> member) {
        members.remove(member);
    }

    void broadcast(String text) {
        TextMessage message = new TextMessage(text);
        for (SendChannel<WebSocketMessage<?>> m : members) {
            try {
                if (!m.trySend(message)) {
                    m.close();
                    members.remove(m);
                }
            } catch (ChannelClosedException gone) {
                members.remove(m); // its session ended (and closed it) while this message went round
            }
        }
    }

    int size() {
        return members.size();
    }
}
