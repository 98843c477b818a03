package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelledException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A WebSocket client that stops reading is cut off at the send deadline: the session's task is cancelled. */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"molt.websocket.send-timeout=500ms", "molt.shutdown.grace=2s"})
@Timeout(60)
class WebSocketSendDeadlineTest {
    @LocalServerPort
    int port;

    @Autowired
    TestApp.Flood flood;


    @Test
    void aClientThatStopsReadingIsCutOff() throws Exception {
        flood.ended = new CompletableFuture<>();
        try (HttpClient http = HttpClient.newHttpClient()) {
            WebSocket ws = http.newWebSocketBuilder().buildAsync(
                    URI.create("ws://localhost:" + port + "/flood?n=100000"), new WebSocket.Listener() {
                        @Override
                        public void onOpen(WebSocket webSocket) {
                            // reads nothing, ever
                        }
                    }).get(5, TimeUnit.SECONDS);
            long start = System.nanoTime();
            try {
                // (a CancelledException is a CancellationException, which get() would throw as itself)
                Throwable why = flood.ended.handle((v, t) -> t).get(10, TimeUnit.SECONDS);
                System.out.println("[measure] WebSocket handler cancelled " + (System.nanoTime() - start) / 1_000_000
                        + " ms after connecting a client that reads nothing (send deadline 500 ms)");
                assertThat(why).isInstanceOf(CancelledException.class);
                assertThat(flood.sent.get()).isLessThan(100000);
            } finally {
                ws.abort();
            }
        }
    }
}
