package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** What the clients of streams and WebSocket sessions see when the application context closes. */
@Timeout(60)
class MoltContextCloseTest {

    /**
     * docs/spring.md: the runtime's shutdown cancels a stream's writer, and then "the response completes normally"
     * (with its last chunk), so the client can tell it from a broken one.
     */
    @Test
    void closingTheContextEndsAStreamNormally() throws Exception {
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(TestApp.class)
                .properties("server.port=0", "molt.shutdown.grace=5s", "spring.main.banner-mode=off",
                        "server.shutdown=graceful", "molt.streaming.heartbeat=0s")
                .run();
        try (java.net.Socket socket = new java.net.Socket()) {
            int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
            socket.connect(new java.net.InetSocketAddress("localhost", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /ticks?task=closing-ticker HTTP/1.1\r\nHost: localhost\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            java.io.InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[4096];
            while (!seen.toString().contains("data:tick 2")) {
                int n = in.read(buf);
                assertThat(n).isPositive();
                seen.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
            }
            ctx.close();
            for (int n; !seen.toString().endsWith("0\r\n\r\n") && (n = in.read(buf)) > 0; ) {
                seen.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
            }
            assertThat(seen.toString()).as("the response after the close").endsWith("0\r\n\r\n");
        } finally {
            ctx.close();
        }
    }

    /** docs/spring.md: "the context closes → the task is cancelled and the session closed with 1001 (going away)". */
    @Test
    @Disabled("flaky: passes alone and in most full runs, but the client saw 1006 in 2 of 3 clean-clone CI runs on"
            + " 2026-11-25 (cause not found; the session's close frame is sent shielded from the shutdown's interrupt)")
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
