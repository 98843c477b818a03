package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.MoltRuntime;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

/** The handler's own callbacks, without a server: what it does when its runtime refuses the session's task. */
@Timeout(30)
class ChannelWebSocketHandlerTest {

    @Test
    void aSessionRefusedByAShutDownRuntimeIsClosedAndItsLaterCallbacksDoNothing() throws Exception {
        MoltRuntime stopped = MoltRuntime.create("stopped-ws");
        assertThat(stopped.shutdown(Duration.ofSeconds(1))).isTrue();
        ChannelWebSocketHandler handler = ChannelWebSocketHandler.of(stopped, new MoltProperties.WebSocket(),
                (session, in, out) -> {
                    throw new AssertionError("no session body may run on a shut-down runtime");
                });
        AtomicReference<CloseStatus> closed = new AtomicReference<>();
        WebSocketSession session = session(closed);

        handler.afterConnectionEstablished(session);
        assertThat(closed.get()).isEqualTo(CloseStatus.GOING_AWAY);
        handler.handleMessage(session, new TextMessage("late")); // neither throws
        handler.afterConnectionClosed(session, CloseStatus.GOING_AWAY);
    }

    /** A session that has an id and attributes and records its close; any other call is a test failure. */
    private static WebSocketSession session(AtomicReference<CloseStatus> closed) {
        Map<String, Object> attributes = new HashMap<>();
        return (WebSocketSession) Proxy.newProxyInstance(WebSocketSession.class.getClassLoader(),
                new Class<?>[] {WebSocketSession.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> "s1";
                    case "getAttributes" -> attributes;
                    case "isOpen" -> closed.get() == null;
                    case "close" -> {
                        closed.set(args != null && args.length == 1 ? (CloseStatus) args[0] : CloseStatus.NORMAL);
                        yield null;
                    }
                    case "toString" -> "session s1";
                    case "hashCode" -> 1;
                    case "equals" -> proxy == args[0];
                    default -> throw new AssertionError("unexpected call " + method);
                });
    }
}
