package dev.molt.demo;

import dev.molt.spring.ChannelWebSockets;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;

/** {@code /chat}: each WebSocket session is a Molt task reading its inbound channel and broadcasting. */
@Configuration
@EnableWebSocket
class ChatConfig {

    @Bean
    WebSocketConfigurer chat(ChannelWebSockets ws, ChatRoom room) {
        return registry -> registry.addHandler(ws.handler((session, in, out) -> {
            String who = nameOf(session.getUri() == null ? null : session.getUri().getQuery());
            room.join(out);
            room.broadcast("* " + who + " joined (" + room.size() + " here)");
            try {
                for (WebSocketMessage<?> m : in) { // ends when the client leaves
                    if (m instanceof TextMessage t) {
                        room.broadcast(who + ": " + t.getPayload());
                    }
                }
            } finally {
                room.leave(out);
                room.broadcast("* " + who + " left");
            }
        }), "/chat");
    }

    static String nameOf(String query) {
        if (query != null) {
            for (String kv : query.split("&")) {
                if (kv.startsWith("name=") && kv.length() > 5) {
                    return kv.substring(5);
                }
            }
        }
        return "anonymous";
    }
}
