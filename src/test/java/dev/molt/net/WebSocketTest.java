package dev.molt.net;

import static dev.molt.net.NetTesting.LOCAL;
import static dev.molt.net.NetTesting.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.CancelledException;
import dev.molt.ChannelClosedException;
import dev.molt.Molt;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WebSocketTest {

    private static URI ws(MoltServer server, String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    private static WsClient client() {
        return WsClient.builder().policy(LOCAL).build();
    }

    @Test
    void echoTextAndBinary() throws Exception {
        try (MoltServer server = server()
                .websocket("/echo", s -> {
                    for (WsMessage m : s.in()) {
                        s.out().send(m);
                    }
                })
                .start();
                WsClient client = client()) {
            String result = client.connect(ws(server, "/echo"), s -> {
                s.send("hello");
                s.out().send(WsMessage.binary(new byte[] {1, 2, 3}));
                String big = "x".repeat(20_000);
                s.send(big);
                WsMessage a = s.in().recv();
                WsMessage b = s.in().recv();
                WsMessage c = s.in().recv();
                assertThat(b.isText()).isFalse();
                assertThat(b.bytes()).containsExactly(1, 2, 3);
                assertThat(c.text()).isEqualTo(big);
                return a.text();
            });
            assertThat(result).isEqualTo("hello");
        }
    }

    @Test
    void theClientConnectsOnlyToAllowedHosts() throws Exception {
        try (WsClient denied = WsClient.builder().policy(NetPolicy.denyAll()).build()) {
            assertThatThrownBy(() -> denied.connect(URI.create("ws://127.0.0.1:1/x"), s -> null))
                    .isInstanceOf(NetAccessDeniedException.class)
                    .hasMessageContaining("127.0.0.1:1").hasMessageContaining("allow-list");
            assertThatThrownBy(() -> denied.connect(URI.create("ws://internal.example/x"), s -> null))
                    .isInstanceOf(NetAccessDeniedException.class);
        }
        try (WsClient local = client()) {
            assertThatThrownBy(() -> local.connect(URI.create("ws://localhost:1/x"), s -> null))
                    .as("the allow-list matches the host as written, not what it resolves to")
                    .isInstanceOf(NetAccessDeniedException.class);
        }
    }

    @Test
    void whenTheClientClosesTheServerSessionEnds() throws Exception {
        CompletableFuture<String> ended = new CompletableFuture<>();
        try (MoltServer server = server()
                .websocket("/push", s -> {
                    try {
                        while (true) { // a handler that only pushes: the peer's close must still end it
                            s.send("tick");
                            Molt.sleep(Duration.ofMillis(10));
                        }
                    } catch (CancelledException | ChannelClosedException e) {
                        ended.complete(e.getClass().getSimpleName());
                        throw e;
                    }
                })
                .start();
                WsClient client = client()) {
            client.connect(ws(server, "/push"), s -> s.in().recv());
            assertThat(ended.get(5, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void whenTheServerHandlerReturnsTheClientSeesTheEnd() throws Exception {
        try (MoltServer server = server()
                .websocket("/once", s -> s.send("bye"))
                .start();
                WsClient client = client()) {
            int count = client.connect(ws(server, "/once"), s -> {
                int n = 0;
                for (WsMessage m : s.in()) {
                    assertThat(m.text()).isEqualTo("bye");
                    n++;
                }
                return n;
            });
            assertThat(count).isEqualTo(1);
        }
    }

    @Test
    void aClientThatDoesNotReadBlocksTheServersSend() throws Exception {
        AtomicLong sent = new AtomicLong();
        CountDownLatch stalled = new CountDownLatch(1);
        String msg = "y".repeat(8 * 1024);
        try (MoltServer server = server().webSocketBuffers(4, 4)
                .websocket("/flood", s -> {
                    while (true) {
                        s.send(msg);
                        sent.incrementAndGet();
                    }
                })
                .start()) {
            // A raw JDK WebSocket that requests one message and then no more: the server's send must block.
            HttpClient http = HttpClient.newHttpClient();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(ws(server, "/flood"), new WebSocket.Listener() {
                @Override
                public void onOpen(WebSocket webSocket) {
                    webSocket.request(1);
                }

                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    return null; // no further request(): the client stops reading
                }
            }).get(5, TimeUnit.SECONDS);
            long before;
            long after = sent.get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            do {
                before = after;
                Thread.sleep(300);
                after = sent.get();
            } while (after != before && System.nanoTime() < deadline);
            assertThat(after).as("the server's send stalled").isEqualTo(before);
            stalled.countDown();
            assertThat(after * msg.length()).as("bytes the server sent to a client that reads nothing")
                    .isLessThan(64L << 20);
            ws.abort();
            http.shutdownNow();
        }
    }

    @Test
    void aFullInboundChannelStopsReadingTheSocket() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        try (MoltServer server = server().webSocketBuffers(2, 2)
                .websocket("/slow", s -> {
                    release.await(); // reads nothing until released
                    for (WsMessage m : s.in()) {
                        received.incrementAndGet();
                    }
                })
                .start();
                WsClient client = client()) {
            String payload = "z".repeat(32 * 1024);
            AtomicLong queued = new AtomicLong();
            client.connect(ws(server, "/slow"), s -> {
                Molt.spawn(() -> {
                    try {
                        while (queued.get() < 10_000) {
                            s.send(payload);
                            queued.incrementAndGet();
                        }
                    } catch (ChannelClosedException e) {
                        // the session ended
                    }
                });
                long before;
                long after = queued.get();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                do {
                    before = after;
                    Thread.sleep(300);
                    after = queued.get();
                } while (after != before && System.nanoTime() < deadline);
                assertThat(after).as("the client's send stalled").isEqualTo(before);
                assertThat(after).as("messages the client got rid of while the server reads nothing")
                        .isLessThan(2_000);
                release.countDown();
                while (received.get() < 50) {
                    Thread.sleep(10);
                }
                s.close(1000, "done");
                return null;
            });
        }
    }

    @Test
    void oversizedMessagesCloseWith1009AndTheServerGoesOn() throws Exception {
        try (MoltServer server = server().maxWebSocketFrame(1024)
                .websocket("/echo", s -> {
                    for (WsMessage m : s.in()) {
                        s.out().send(m);
                    }
                })
                .start();
                WsClient client = client()) {
            CompletableFuture<Integer> closeCode = new CompletableFuture<>();
            HttpClient http = HttpClient.newHttpClient();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(ws(server, "/echo"), new WebSocket.Listener() {
                @Override
                public void onOpen(WebSocket webSocket) {
                    webSocket.request(10);
                }

                @Override
                public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                    closeCode.complete(statusCode);
                    return null;
                }
            }).get(5, TimeUnit.SECONDS);
            ws.sendBinary(ByteBuffer.wrap(new byte[10_000]), true);
            assertThat(closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1009);
            http.shutdownNow();
            String echoed = client.connect(ws(server, "/echo"), s -> {
                s.send("still here");
                return s.in().recv().text();
            });
            assertThat(echoed).isEqualTo("still here");
        }
    }

    @Test
    void pingsAreAnsweredForTheHandler() throws Exception {
        try (MoltServer server = server()
                .websocket("/quiet", s -> {
                    for (WsMessage m : s.in()) {
                        s.out().send(m);
                    }
                })
                .start()) {
            CompletableFuture<String> pong = new CompletableFuture<>();
            HttpClient http = HttpClient.newHttpClient();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(ws(server, "/quiet"), new WebSocket.Listener() {
                @Override
                public void onOpen(WebSocket webSocket) {
                    webSocket.request(10);
                }

                @Override
                public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
                    pong.complete(java.nio.charset.StandardCharsets.UTF_8.decode(message).toString());
                    return null;
                }
            }).get(5, TimeUnit.SECONDS);
            ws.sendPing(ByteBuffer.wrap("are you there".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(pong.get(5, TimeUnit.SECONDS)).isEqualTo("are you there");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            http.shutdownNow();
        }
    }

    @Test
    void stoppingTheServerClosesSessionsWith1001() throws Exception {
        CountDownLatch open = new CountDownLatch(1);
        MoltServer server = server()
                .websocket("/wait", s -> {
                    open.countDown();
                    for (WsMessage m : s.in()) {
                        s.out().send(m);
                    }
                })
                .start();
        CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        HttpClient http = HttpClient.newHttpClient();
        http.newWebSocketBuilder().buildAsync(ws(server, "/wait"), new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket webSocket) {
                webSocket.request(10);
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closeCode.complete(statusCode);
                return null;
            }
        }).get(5, TimeUnit.SECONDS);
        assertThat(open.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(server.stop(Duration.ofMillis(200))).isTrue();
        assertThat(closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1001);
        http.shutdownNow();
    }
}
