package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** docs/spring.md: "the context closes → the task is cancelled and the session closed with 1001 (going away)". */
@Timeout(60)
class WebSocketShutdownTest {

    @Test
    void closingTheContextClosesASessionWithGoingAway() throws Exception {
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(TestApp.class)
                .properties("server.port=0", "molt.shutdown.grace=5s", "spring.main.banner-mode=off",
                        "server.shutdown=graceful")
                .run();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        try (HttpClient http = HttpClient.newHttpClient()) {
            int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://localhost:" + port + "/echo"),
                    new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            echoed.complete(data.toString());
                            webSocket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            closed.complete(statusCode);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket webSocket, Throwable error) {
                            closed.completeExceptionally(error);
                        }
                    }).get(5, TimeUnit.SECONDS);
            ws.sendText("hi", true).get(5, TimeUnit.SECONDS);
            assertThat(echoed.get(5, TimeUnit.SECONDS)).isEqualTo("hi");
            ctx.close();
            assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
            ws.abort();
        } finally {
            ctx.close();
        }
    }
}
